/**
 * `latency`: lower message latencies. Halves every latency at once while the failure holds, then
 * zeroes them in chunks (down to 1/32 of them: single latencies rarely matter and cost a run each).
 */
import { ChoiceKind } from '../../kernel/choices.ts';
import { latencyIndices, zeroAt, type ExplicitInput } from '../input.ts';
import type { PassContext, ShrinkPass } from '../pass.ts';
import { removeChunks } from '../search.ts';

/** Halvings tried: 8 take any latency below 256 ms down to 0. */
const MAX_HALVINGS = 8;
const MIN_CHUNK_FRACTION = 32;

export const lowerLatencies: ShrinkPass = {
  name: 'latency',
  async run(ctx) {
    const halved = await halveAll(ctx);
    const n = latencyIndices(ctx.current().tape).length;
    const zeroed = await removeChunks(ctx, {
      count: () => latencyIndices(ctx.current().tape).length,
      without(start, end) {
        const c = ctx.current();
        return { ...c, tape: zeroAt(c.tape, latencyIndices(c.tape).slice(start, end)) };
      },
      minChunk: Math.max(1, Math.ceil(n / MIN_CHUNK_FRACTION)),
    });
    return halved || zeroed;
  },
};

async function halveAll(ctx: PassContext): Promise<boolean> {
  let changed = false;
  for (let k = 0; k < MAX_HALVINGS && latencyIndices(ctx.current().tape).length > 0; k++) {
    if (!(await ctx.attempt(halved(ctx.current())))) break;
    changed = true;
  }
  return changed;
}

function halved(c: ExplicitInput): ExplicitInput {
  const values = c.tape.values.map((v, i) => (c.tape.kinds[i] === ChoiceKind.latency ? Math.floor(v / 2) : v));
  return { ...c, tape: { ...c.tape, values } };
}
