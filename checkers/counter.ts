/** Jepsen's counter checker: every read lies between what certainly and what possibly happened. */
import type { History } from '../src/history/types.ts';
import { pairOps } from './ops.ts';
import type { CheckerResult } from './result.ts';

/**
 * Each read must be at least the sum of adds acknowledged before the read began, and at most the
 * sum of adds (acknowledged or timed out) begun before it returned. Negative deltas widen the
 * other bound.
 *
 * @example
 * checkCounter(history).details; // { errors: [{ index: 12, value: 9, lower: 3, upper: 7 }], reads: 10 }
 */
export function checkCounter(history: History, opts: { initial?: number } = {}): CheckerResult {
  const pairs = pairOps(history);
  const adds = pairs.filter((p) => (p.invoke.f === 'add' || p.invoke.f === 'increment') && p.outcome !== 'fail');
  const errors: { index: number; value: unknown; lower: number; upper: number }[] = [];
  let reads = 0;
  for (const r of pairs) {
    if (r.invoke.f !== 'read' || r.outcome !== 'ok') continue;
    reads++;
    let lower = opts.initial ?? 0;
    let upper = lower;
    for (const a of adds) {
      const d = typeof a.invoke.value === 'number' ? a.invoke.value : 1;
      if (a.outcome === 'ok' && a.returnPos < r.callPos) {
        lower += d;
        upper += d;
      } else if (a.callPos < r.returnPos) {
        if (d < 0) lower += d;
        else upper += d;
      }
    }
    const v = r.completion!.value;
    if (typeof v !== 'number' || v < lower || v > upper) errors.push({ index: r.invoke.index, value: v, lower, upper });
  }
  if (errors.length) {
    const e = errors[0];
    return { checker: 'counter', verdict: 'illegal', summary: `${errors.length} of ${reads} reads out of bounds; first: op #${e.index} read ${JSON.stringify(e.value)}, allowed [${e.lower}, ${e.upper}]`, details: { errors, reads } };
  }
  return { checker: 'counter', verdict: 'ok', summary: `all ${reads} reads within bounds`, details: { errors, reads } };
}
