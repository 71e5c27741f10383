/** `faults`: removes faults from the plan, in chunks down to single ones. */
import type { ShrinkPass } from '../pass.ts';
import { removeChunks } from '../search.ts';

export const removeFaults: ShrinkPass = {
  name: 'faults',
  async run(ctx) {
    return removeChunks(ctx, {
      count: () => ctx.current().faults.length,
      without(start, end) {
        const c = ctx.current();
        return { ...c, faults: [...c.faults.slice(0, start), ...c.faults.slice(end)] };
      },
      structural: true,
    });
  },
};
