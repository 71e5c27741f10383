/**
 * `fault-weaken`: each fault made as weak as the failure allows: shorter, cutting fewer links, a
 * smaller clock offset, no strobe, true clock speed. The kind-specific parts are the only place
 * in the shrinker that switches on fault kinds.
 */
import type { Fault } from '../../nemesis/faults.ts';
import { withFault } from '../input.ts';
import type { PassContext, ShrinkPass } from '../pass.ts';
import { lowerNumber, removeChunks } from '../search.ts';

type Partition = Extract<Fault, { kind: 'partition' }>;
type Clock = Extract<Fault, { kind: 'clock' }>;

export const weakenFaults: ShrinkPass = {
  name: 'fault-weaken',
  async run(ctx) {
    let changed = false;
    for (let i = 0; i < ctx.current().faults.length; i++) {
      if (await shorter(ctx, i)) changed = true;
      const kind = ctx.current().faults[i].kind;
      if (kind === 'partition' && (await fewerCuts(ctx, i))) changed = true;
      if (kind === 'clock' && (await plainerClock(ctx, i))) changed = true;
    }
    return changed;
  },
};

/** Fault `i` of the current input. */
function faultAt<F extends Fault>(ctx: PassContext, i: number): F {
  return ctx.current().faults[i] as F;
}

async function shorter(ctx: PassContext, i: number): Promise<boolean> {
  return lowerNumber(ctx, 1, faultAt(ctx, i).durationMs, (d) => withFault(ctx.current(), i, { ...faultAt(ctx, i), durationMs: d }));
}

/** Fewer cut links; at least one stays (an empty cut is the same as removing the fault). */
async function fewerCuts(ctx: PassContext, i: number): Promise<boolean> {
  if (faultAt<Partition>(ctx, i).cut.length <= 1) return false;
  return removeChunks(ctx, {
    count: () => faultAt<Partition>(ctx, i).cut.length - 1,
    without(start, end) {
      const g = faultAt<Partition>(ctx, i);
      const cut = [...g.cut.slice(0, start), ...g.cut.slice(end)];
      return cut.length === 0 ? null : withFault(ctx.current(), i, { ...g, cut });
    },
  });
}

/** No strobe, true speed, then the smallest offset (keeping its sign). */
async function plainerClock(ctx: PassContext, i: number): Promise<boolean> {
  let changed = false;
  const f = faultAt<Clock>(ctx, i);
  if (f.strobeMs !== undefined && (await ctx.attempt(withFault(ctx.current(), i, withoutStrobe(f))))) changed = true;
  const g = faultAt<Clock>(ctx, i);
  if (g.rate !== 1 && (await ctx.attempt(withFault(ctx.current(), i, { ...g, rate: 1 })))) changed = true;
  const h = faultAt<Clock>(ctx, i);
  const sign = h.offsetMs < 0 ? -1 : 1;
  const smaller = (m: number) => withFault(ctx.current(), i, { ...faultAt<Clock>(ctx, i), offsetMs: sign * m });
  if (await lowerNumber(ctx, 0, Math.abs(h.offsetMs), smaller)) changed = true;
  return changed;
}

function withoutStrobe(f: Clock): Fault {
  const { strobeMs: _drop, ...rest } = f;
  return rest;
}
