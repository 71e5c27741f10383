/** `always`: a safety property checked after every event of a run. */
import type { CheckerResult } from './result.ts';

/** Where in a run an observation happens. */
export interface EventAt {
  eventIndex: number;
  timeMs: number;
  /** The trace event just handled, when the run records a trace (stories anchor on it). */
  traceIndex?: number;
}

/** A predicate's answer: `true`/`undefined` hold; a string is a violation explaining itself; `false` is a violation. */
export type PredicateResult = true | false | string | undefined | void;

export interface AlwaysChecker<V> {
  readonly name: string;
  observe(view: V, at: EventAt): void;
  result(): CheckerResult;
}

/**
 * An invariant that must hold after every event. Remembers the FIRST violation (event index,
 * time, message) and stops evaluating after it, so a costly predicate runs no longer than needed.
 *
 * @example
 * const oneLeader = always('single-leader', (v: { leaders: string[] }) =>
 *   v.leaders.length <= 1 || `two leaders: ${v.leaders.join(', ')}`);
 * sim.onEvent((view, at) => oneLeader.observe(view, at));
 * oneLeader.result(); // { checker: 'always(single-leader)', verdict: 'illegal', summary: 'event #41 at 1200ms: two leaders: n1, n3', ... }
 */
export function always<V>(name: string, predicate: (view: V) => PredicateResult): AlwaysChecker<V> {
  let violation: { eventIndex: number; timeMs: number; message: string; traceIndex?: number } | undefined;
  let observed = 0;
  return {
    name,
    observe(view, at) {
      if (violation) return;
      observed++;
      let r: PredicateResult;
      try {
        r = predicate(view);
      } catch (e) {
        r = `predicate threw: ${(e as Error)?.message ?? String(e)}`;
      }
      if (typeof r === 'string' || r === false) {
        const message = r === false ? 'predicate returned false' : r;
        violation = { eventIndex: at.eventIndex, timeMs: at.timeMs, message, ...(at.traceIndex !== undefined && at.traceIndex >= 0 ? { traceIndex: at.traceIndex } : {}) };
      }
    },
    result() {
      const checker = `always(${name})`;
      if (violation) return { checker, verdict: 'illegal', summary: `event #${violation.eventIndex} at ${violation.timeMs}ms: ${violation.message}`, details: violation };
      return { checker, verdict: 'ok', summary: `held after all ${observed} events` };
    },
  };
}
