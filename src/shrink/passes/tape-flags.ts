/**
 * `tape-flags`: undoes drops, duplications and reorderings, in chunks down to single ones, so
 * every one left is needed for the failure.
 */
import { flagIndices, zeroAt } from '../input.ts';
import type { ShrinkPass } from '../pass.ts';
import { removeChunks } from '../search.ts';

export const tapeFlags: ShrinkPass = {
  name: 'tape-flags',
  async run(ctx) {
    return removeChunks(ctx, {
      count: () => flagIndices(ctx.current().tape).length,
      without(start, end) {
        const c = ctx.current();
        const idx = flagIndices(c.tape).slice(start, end);
        return idx.length === 0 ? null : { ...c, tape: zeroAt(c.tape, idx) };
      },
    });
  },
};
