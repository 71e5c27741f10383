/**
 * `fault-weaken`: each fault made as weak as the failure allows: first shorter, then by the
 * weakening steps its kind declares in the fault table (fewer cut links, no strobe, true clock
 * speed, a smaller offset, ...). The shrinker never switches on fault kinds: a new kind brings
 * its own steps.
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
      for (const step of faultKindOf(ctx.current().faults[i]).weaken as ReadonlyArray<WeakenStep<Fault>>) {
        if (await weakenBy(ctx, i, step)) changed = true;
      }
    }
    return changed;
  },
};

async function shorter(ctx: PassContext, i: number): Promise<boolean> {
  const get = () => ctx.current().faults[i];
  return lowerNumber(ctx, 1, get().durationMs, (d) => withFault(ctx.current(), i, { ...get(), durationMs: d }));
}

/** Runs one weakening step of fault `i`'s kind with the shrinker's own search. */
async function weakenBy(ctx: PassContext, i: number, step: WeakenStep<Fault>): Promise<boolean> {
  const get = () => ctx.current().faults[i];
  const set = (f: Fault) => withFault(ctx.current(), i, f);
  if (step.type === 'replace') {
    const weaker = step.weaker(get());
    return weaker !== undefined && (await ctx.attempt(set(weaker)));
  }
  if (step.type === 'number') return lowerNumber(ctx, step.min, step.get(get()), (v) => set(step.set(get(), v)));
  if (step.count(get()) < 1) return false;
  return removeChunks(ctx, {
    count: () => step.count(get()),
    without(start, end) {
      const f = step.without(get(), start, end);
      return f === null ? null : set(f);
    },
  });
}
