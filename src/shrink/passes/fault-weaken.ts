/**
 * `fault-weaken`: each fault made as weak as the failure allows: shorter, cutting fewer links, a
 * smaller clock offset, no strobe, true clock speed. The kind-specific parts are each kind's
 * `weaken` steps in the fault table.
 */
import { faultKindOf, type Fault, type WeakenStep } from '../../faults/index.ts';
import { withFault } from '../input.ts';
import type { PassContext, ShrinkPass } from '../pass.ts';
import { lowerNumber, removeChunks } from '../search.ts';

export const weakenFaults: ShrinkPass = {
  name: 'fault-weaken',
  async run(ctx) {
    let changed = false;
    for (let i = 0; i < ctx.current().faults.length; i++) {
      if (await shorter(ctx, i)) changed = true;
      // The kind-specific weakenings come from the fault table (src/faults/<kind>.ts).
      for (const step of faultKindOf(faultAt(ctx, i)).weaken) {
        if (await weakenBy(ctx, i, step)) changed = true;
      }
    }
    return changed;
  },
};

/** Fault `i` of the current input. */
function faultAt(ctx: PassContext, i: number): Fault {
  return ctx.current().faults[i];
}

async function shorter(ctx: PassContext, i: number): Promise<boolean> {
  return lowerNumber(ctx, 1, faultAt(ctx, i).durationMs, (d) => withFault(ctx.current(), i, { ...faultAt(ctx, i), durationMs: d }));
}

/** Runs one weakening step of the fault's kind with the shrinker's search helpers. */
async function weakenBy(ctx: PassContext, i: number, step: WeakenStep<Fault>): Promise<boolean> {
  if (step.type === 'replace') {
    const weaker = step.weaker(faultAt(ctx, i));
    return weaker !== undefined && (await ctx.attempt(withFault(ctx.current(), i, weaker)));
  }
  if (step.type === 'number') {
    return lowerNumber(ctx, step.min, step.get(faultAt(ctx, i)), (v) => withFault(ctx.current(), i, step.set(faultAt(ctx, i), v)));
  }
  if (step.count(faultAt(ctx, i)) < 1) return false;
  return removeChunks(ctx, {
    count: () => step.count(faultAt(ctx, i)),
    without(start, end) {
      const f = step.without(faultAt(ctx, i), start, end);
      return f === null ? null : withFault(ctx.current(), i, f);
    },
  });
}
