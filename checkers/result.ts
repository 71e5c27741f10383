/** What every checker returns, and how several verdicts combine into one. */
export type Verdict = 'ok' | 'illegal' | 'unknown';

export interface CheckerResult {
  /** Which checker, e.g. `linearizable(kv)` or `always(single-leader)`. */
  checker: string;
  verdict: Verdict;
  /** One line a person reads. */
  summary: string;
  /** Checker-specific evidence (counterexample, lost elements, ...), plain data. */
  details?: unknown;
}

/**
 * One verdict for a run from many checkers: illegal beats unknown beats ok; `failing` names
 * every checker that did not say ok.
 *
 * @example
 * combineResults([{ checker: 'a', verdict: 'ok', summary: '' }, { checker: 'b', verdict: 'illegal', summary: 'x' }]);
 * // { verdict: 'illegal', failing: ['b'], results: [...] }
 */
export function combineResults(results: CheckerResult[]): { verdict: Verdict; results: CheckerResult[]; failing: string[] } {
  let verdict: Verdict = 'ok';
  for (const r of results) {
    if (r.verdict === 'illegal') verdict = 'illegal';
    else if (r.verdict === 'unknown' && verdict === 'ok') verdict = 'unknown';
  }
  return { verdict, results, failing: results.filter((r) => r.verdict !== 'ok').map((r) => r.checker) };
}
