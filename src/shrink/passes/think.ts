/** `think`: shorter pauses between a client's ops make a story with fewer idle gaps. */
import type { ShrinkPass } from '../pass.ts';
import { removeChunks } from '../search.ts';

/** Think times are zeroed in chunks of at least ops/8: fine enough, and never a run per op. */
const CHUNKS = 8;

export const lessThinking: ShrinkPass = {
  name: 'think',
  async run(ctx) {
    return removeChunks(ctx, {
      count: () => ctx.current().ops.filter((o) => o.thinkMs > 0).length,
      without(start, end) {
        const c = ctx.current();
        const idx = c.ops.flatMap((o, i) => (o.thinkMs > 0 ? [i] : [])).slice(start, end);
        const ops = c.ops.slice();
        for (const i of idx) ops[i] = { ...ops[i], thinkMs: 0 };
        return { ...c, ops };
      },
      minChunk: Math.max(1, Math.ceil(ctx.current().ops.length / CHUNKS)),
    });
  },
};
