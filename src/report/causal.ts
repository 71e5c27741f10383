/**
 * The causal past of a violation: every trace event that happens-before it.
 *
 * Happens-before is Lamport's: an event precedes every later event on the same lane (a node's
 * handlers run one at a time, so each sees the state its predecessors left), and it precedes the
 * events it caused (the trace's `cause` link: a send precedes its delivery, a handler precedes
 * the sends and timers it made). The closure of those two relations, walked backwards from the
 * violation, is the causal past; the `cause` links alone, up to a timer firing, give the *chain*,
 * the direct line of causes a reader follows first. This is the one place the report computes
 * causality.
 */
import { ARMED, happensBeforeClosure } from './causal-past.ts';
import type { ReportEvent } from './trace-events.ts';

export interface CausalPast {
  /** Indices of every event that happens-before (or is) one of the targets, ascending. */
  past: number[];
  /** Indices reached through `cause` links only (the direct chain), ascending. */
  chain: number[];
}

/**
 * Walks happens-before backwards from `targets` (event indices).
 * `laneOfEvent[i]` names the lane event i runs on (undefined: no program order, e.g. a fault).
 *
 * @example
 * const { past, chain } = causalPast(events, events.map(laneOf), [violationIndex]);
 */
export function causalPast(events: readonly ReportEvent[], laneOfEvent: readonly (string | undefined)[], targets: readonly number[]): CausalPast {
  const n = events.length;
  // The previous event on the same lane, for program order.
  const prevOnLane = new Int32Array(n).fill(-1);
  const lastOn = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const lane = laneOfEvent[i];
    if (lane === undefined) continue;
    const p = lastOn.get(lane);
    if (p !== undefined) prevOnLane[i] = p;
    lastOn.set(lane, i);
  }
  const inChain = new Uint8Array(n);
  const valid = (i: number) => Number.isInteger(i) && i >= 0 && i < n;
  const armed = ARMED as ReadonlySet<string>;
  // Chain first: cause links only. Each event has one cause, so this is a walk up a tree. It stops
  // at a timer firing (the story's rule too): following it to where the timer was armed would pull
  // in every earlier tick of a periodic timer.
  for (const t of targets) {
    for (let i = t, guard = 0; valid(i) && !inChain[i] && guard <= n; i = armed.has(events[i].kind) ? -1 : events[i].cause, guard++) inChain[i] = 1;
  }
  // Then the closure; a cause from a file that is not an earlier event is no predecessor.
  const causeOf = (i: number) => {
    const c = events[i].cause;
    return valid(c) && c < i ? c : -1;
  };
  const inPast = happensBeforeClosure(n, causeOf, prevOnLane, targets.filter(valid));
  const past: number[] = [];
  const chain: number[] = [];
  for (let i = 0; i < n; i++) {
    if (inPast[i]) past.push(i);
    if (inChain[i]) chain.push(i);
  }
  return { past, chain };
}
