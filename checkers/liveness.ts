/** `eventually`: liveness after the final heal — things must get done within a bound. */
import type { History } from '../src/history/types.ts';
import type { EventAt, PredicateResult } from './invariant.ts';
import { pairOps } from './ops.ts';
import type { CheckerResult } from './result.ts';

export interface EventuallyChecker<V> {
  readonly name: string;
  /** The time of the final heal; the bound runs from here. */
  markHealed(timeMs: number): void;
  observe(view: V, at: EventAt): void;
  result(): CheckerResult;
}

/**
 * After `markHealed(t)`, the predicate must hold at some observation no later than
 * `t + withinMs`. Observations before the heal do not count (the system may not be healthy yet).
 * Never healed means the property was not exercised: `unknown`.
 *
 * @example
 * const elects = eventually('leader-elected', (v: { leaders: string[] }) => v.leaders.length === 1 || 'no leader', { withinMs: 5000 });
 * elects.markHealed(30_000);
 * // ... observe(view, at) after each event ...
 * elects.result().verdict; // 'illegal' if no single leader by 35 000 ms
 */
export function eventually<V>(name: string, predicate: (view: V) => PredicateResult, opts: { withinMs: number }): EventuallyChecker<V> {
  let healedAt: number | undefined;
  let satisfiedAt: { eventIndex: number; timeMs: number } | undefined;
  let lastMessage: string | undefined;
  let lastTime = -Infinity;
  return {
    name,
    markHealed(timeMs) {
      healedAt = timeMs;
      satisfiedAt = undefined;
    },
    observe(view, at) {
      lastTime = Math.max(lastTime, at.timeMs);
      if (healedAt === undefined || satisfiedAt || at.timeMs < healedAt || at.timeMs > healedAt + opts.withinMs) return;
      let r: PredicateResult;
      try {
        r = predicate(view);
      } catch (e) {
        r = `predicate threw: ${(e as Error)?.message ?? String(e)}`;
      }
      if (r === true || r === undefined) satisfiedAt = { ...at };
      else lastMessage = r === false ? 'predicate returned false' : r;
    },
    result() {
      const checker = `eventually(${name})`;
      if (healedAt === undefined) return { checker, verdict: 'unknown', summary: 'the run never healed, so liveness was not exercised' };
      if (satisfiedAt) return { checker, verdict: 'ok', summary: `held ${satisfiedAt.timeMs - healedAt}ms after the heal (event #${satisfiedAt.eventIndex})`, details: { healedAt, ...satisfiedAt } };
      const deadline = healedAt + opts.withinMs;
      if (lastTime < deadline)
        return { checker, verdict: 'unknown', summary: `the run ended ${deadline - lastTime}ms before the deadline (heal at ${healedAt}ms + ${opts.withinMs}ms) without the property holding`, details: { healedAt, lastTime, lastMessage } };
      return { checker, verdict: 'illegal', summary: `did not hold within ${opts.withinMs}ms of the heal at ${healedAt}ms${lastMessage ? `: ${lastMessage}` : ''}`, details: { healedAt, deadline, lastMessage } };
    },
  };
}

/**
 * Ops must get answers once the cluster is healed. With `deadline(op) = max(healedAtMs,
 * invoke time) + withinMs`, an op is *stuck* if it completed (ok/fail) after its deadline, or never
 * completed though the history runs past its deadline, or timed out (`info`) although it was
 * invoked after `healedAtMs + withinMs`, when the system should answer. Ops that timed out
 * before that (e.g. before the heal) are fine. Uses the records' `time`.
 *
 * @example
 * pendingOpsComplete(run.history, 30_000, 5_000).summary; // '2 op(s) did not complete within 5000ms of the heal at 30000ms: #88 put by process 4, ...'
 */
export function pendingOpsComplete(history: History, healedAtMs: number, withinMs: number): CheckerResult {
  let end = -Infinity;
  for (const h of history) end = Math.max(end, h.time);
  const stuck: { index: number; process: number; f: string; invokedAt: number; completedAt: number | null; outcome: string }[] = [];
  for (const p of pairOps(history)) {
    const c = p.completion;
    if (c && c.time < healedAtMs) continue; // answered before the heal
    const deadline = Math.max(healedAtMs, p.invoke.time) + withinMs;
    const late = !c ? end > deadline : c.type === 'info' ? p.invoke.time >= healedAtMs + withinMs : c.time > deadline;
    if (late) stuck.push({ index: p.invoke.index, process: p.invoke.process, f: p.invoke.f, invokedAt: p.invoke.time, completedAt: c ? c.time : null, outcome: c ? c.type : 'pending' });
  }
  if (stuck.length) {
    const names = stuck.slice(0, 5).map((s) => `#${s.index} ${s.f} by process ${s.process} (${s.outcome})`).join(', ');
    return { checker: 'pending-ops-complete', verdict: 'illegal', summary: `${stuck.length} op(s) did not complete within ${withinMs}ms of the heal at ${healedAtMs}ms: ${names}${stuck.length > 5 ? ', ...' : ''}`, details: { healedAtMs, withinMs, stuck } };
  }
  return { checker: 'pending-ops-complete', verdict: 'ok', summary: `every op after the heal at ${healedAtMs}ms completed within ${withinMs}ms` };
}
