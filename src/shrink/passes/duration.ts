/**
 * `duration`: a shorter run. Lowers the heal time and the quiet period after it, then drops the
 * faults that would start at or after the heal (they never happen).
 */
import { withOptions } from '../input.ts';
import type { ShrinkPass } from '../pass.ts';
import { lowerNumber } from '../search.ts';

export const shorterRun: ShrinkPass = {
  name: 'duration',
  async run(ctx) {
    let changed = false;
    if (await lowerNumber(ctx, 0, ctx.current().options.healAtMs, (v) => withOptions(ctx.current(), { healAtMs: v }))) changed = true;
    if (await lowerNumber(ctx, 0, ctx.current().options.quietMs, (v) => withOptions(ctx.current(), { quietMs: v }))) changed = true;
    const c = ctx.current();
    const live = c.faults.filter((f) => f.atMs < c.options.healAtMs);
    if (live.length < c.faults.length && (await ctx.attempt({ ...c, faults: live }))) changed = true;
    return changed;
  },
};
