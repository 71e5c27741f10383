/**
 * `tape-truncate`: the network from some point on behaves plainly (a missing tape entry reads as
 * the plainest decision). The biggest, cheapest cut, so it runs first.
 */
import { sliceTape } from '../input.ts';
import type { ShrinkPass } from '../pass.ts';
import { lowerNumber } from '../search.ts';

export const tapeTruncate: ShrinkPass = {
  name: 'tape-truncate',
  async run(ctx) {
    const base = ctx.current();
    const n = base.tape.values.length;
    if (n === 0) return false;
    return lowerNumber(ctx, 0, n, (len) => ({ ...base, tape: sliceTape(base.tape, len) }));
  },
};
