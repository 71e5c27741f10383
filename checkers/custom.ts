/**
 * Open checks: a protocol states a property no bundled checker states as a plain function of the
 * history. The harness runs it beside the bundled checkers; whatever it returns or throws ends
 * as a CheckerResult, never as a crash of the run.
 */
import type { History } from '../src/history/types.ts';
import type { CheckerResult } from './result.ts';

/**
 * A user's history checker. `check` returns a CheckerResult, or for short checks `true`/`undefined`
 * (held), `false` or a string (violated: the string says why).
 *
 * @example
 * const noNegativeReads: CustomHistoryChecker = {
 *   name: 'no-negative-reads',
 *   check: (h) => h.every((op) => op.type !== 'ok' || op.f !== 'read' || (op.value as number) >= 0) || 'a read returned a negative value',
 * };
 */
export interface CustomHistoryChecker {
  kind?: 'custom';
  name: string;
  check(history: History): CheckerResult | boolean | string | undefined | void;
}

/**
 * Runs a custom checker: a thrown error or a malformed result becomes an `illegal` result naming
 * the checker, so a bug in a check is visible and never takes the harness down.
 *
 * @example
 * runCustomChecker(history, { name: 'sane', check: () => true }); // { checker: 'sane', verdict: 'ok', ... }
 */
export function runCustomChecker(history: History, c: CustomHistoryChecker): CheckerResult {
  const name = typeof c.name === 'string' && c.name !== '' ? c.name : 'custom';
  let r: ReturnType<CustomHistoryChecker['check']>;
  try {
    // A copy: one checker cannot change what the next one sees.
    r = c.check(structuredClone(history));
  } catch (e) {
    return { checker: name, verdict: 'illegal', summary: `the checker threw: ${describeThrown(e)}` };
  }
  if (r === true || r === undefined) return { checker: name, verdict: 'ok', summary: 'held' };
  if (r === false) return { checker: name, verdict: 'illegal', summary: 'the check returned false' };
  if (typeof r === 'string') return { checker: name, verdict: 'illegal', summary: r };
  if (r !== null && typeof r === 'object' && (r.verdict === 'ok' || r.verdict === 'illegal' || r.verdict === 'unknown')) {
    return { ...r, checker: typeof r.checker === 'string' && r.checker !== '' ? r.checker : name, summary: String(r.summary ?? '') };
  }
  return { checker: name, verdict: 'illegal', summary: `the checker returned ${describeThrown(r)}, not a CheckerResult, boolean or string` };
}

function describeThrown(e: unknown): string {
  if (e instanceof Error) return e.message;
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return Object.prototype.toString.call(e);
  }
}
