/**
 * The two search shapes passes share: removing chunks of a list (delta debugging, down to single
 * items, so a pass that adopts nothing leaves its list 1-minimal), and a binary search for the
 * smallest number that still fails.
 */
import { assert, type ExplicitInput } from './input.ts';
import type { PassContext } from './pass.ts';

/** A list longer than this is a shrinker bug (plans are bounded far below it). */
const MAX_ITEMS = 10_000_000;

export interface ChunkRemoval {
  /** The current length of the list (re-read after every adopted candidate). */
  count(): number;
  /** The candidate without items [start, end) of the current list, or null when there is none. */
  without(start: number, end: number): ExplicitInput | null;
  /** The smallest chunk tried (default 1: single items, which makes the result 1-minimal). */
  minChunk?: number;
  /** Offer candidates through `attemptStructural` (default: `attempt`). */
  structural?: boolean;
}

/**
 * Removes chunks of a list, halving the chunk size down to `minChunk`, from the end backwards
 * (later items depend on earlier ones more often than the reverse).
 *
 * @example
 * await removeChunks(ctx, { count: () => ctx.current().faults.length, without: (a, b) => dropFaults(ctx.current(), a, b) });
 */
export async function removeChunks(ctx: PassContext, r: ChunkRemoval): Promise<boolean> {
  const minChunk = r.minChunk ?? 1;
  assert(minChunk >= 1 && r.count() <= MAX_ITEMS, `removeChunks: minChunk ${minChunk}, count ${r.count()}`);
  let changed = false;
  let size = Math.max(1, Math.ceil(r.count() / 2));
  for (;;) {
    for (let end = r.count(); end > 0; ) {
      const start = Math.max(0, end - size);
      const c = r.without(start, end);
      if (c !== null && (await (r.structural ? ctx.attemptStructural(c) : ctx.attempt(c)))) changed = true;
      // Strictly decreasing: the loop ends after at most count() / size + 1 candidates.
      end = Math.min(start, r.count());
    }
    if (size <= minChunk) break;
    size = Math.max(minChunk, Math.ceil(size / 2));
  }
  return changed;
}

/**
 * Binary search for the smallest value in [lo, current] that still fails, via `build(v)`
 * (null: no candidate for that value). Assumes failing is roughly monotone in the value; where it
 * is not, the result is still a failing value, just not the least one.
 *
 * @example
 * await lowerNumber(ctx, 0, o.quietMs, (v) => withOptions(ctx.current(), { quietMs: v }));
 */
export async function lowerNumber(ctx: PassContext, lo: number, current: number, build: (v: number) => ExplicitInput | null): Promise<boolean> {
  assert(Number.isFinite(lo) && Number.isFinite(current), `lowerNumber: bounds ${lo}..${current}`);
  let changed = false;
  let hi = current;
  // Halves [lo, hi] every step: at most 64 steps for any double-sized range.
  for (let step = 0; lo < hi && step < 64; step++) {
    const mid = Math.floor((lo + hi) / 2);
    const c = build(mid);
    if (c !== null && (await ctx.attempt(c))) {
      hi = mid;
      changed = true;
    } else lo = mid + 1;
  }
  return changed;
}
