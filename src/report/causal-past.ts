/**
 * Happens-before over a recorded trace. Every trace event names its `cause` (the event during
 * whose handling it was sent or scheduled); a node's events are also ordered among themselves
 * (what a node does depends on what it did before). Both are recorded facts, not inferences.
 */
import type { TraceEvent, TraceKind } from '../sim/trace.ts';

/** Events that run on a node, in that node's program order. Client and fault events are not. */
const ON_NODE: ReadonlySet<TraceKind> = new Set<TraceKind>([
  'send',
  'deliver',
  'timer',
  'wake',
  'call-timeout',
  'arrive',
  'reply',
  'log',
  'crash',
  'restart',
  'pause',
  'resume',
]);

/** Events whose own cause is only "when this was armed": a chain stops at them. */
export const ARMED: ReadonlySet<TraceKind> = new Set<TraceKind>(['timer', 'wake', 'call-timeout']);

/**
 * The causal past of `anchors`: every event that happens-before one of them (them included),
 * following both cause links and each node's program order. A bitmap over trace indices.
 *
 * @example
 * causalPast(trace, [complete.index])[send.index]; // 1 if that send happened-before the completion
 */
export function causalPast(trace: readonly TraceEvent[], anchors: readonly number[]): Uint8Array {
  return happensBeforeClosure(trace.length, (i) => trace[i].cause, programOrder(trace), anchors);
}

/**
 * The closure under happens-before of `anchors` over `size` events, where event i's predecessors
 * are `causeOf(i)` and `previous[i]` (-1: none). The one implementation of the closure, for the
 * story (recorded traces) and the HTML report (its own event rows).
 *
 * @example
 * happensBeforeClosure(3, (i) => i - 1, new Int32Array([-1, -1, -1]), [2]); // [1, 1, 1]
 */
export function happensBeforeClosure(size: number, causeOf: (i: number) => number, previous: Int32Array, anchors: readonly number[]): Uint8Array {
  if (previous.length !== size) throw new Error(`assertion failed: program order covers ${previous.length} of ${size} events`);
  const past = new Uint8Array(size);
  const stack = anchors.filter((i) => i >= 0 && i < size);
  // Each index is pushed at most once per successor and expanded once: O(size).
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (past[i] === 1) continue;
    past[i] = 1;
    const cause = causeOf(i);
    if (cause >= 0 && cause < size && past[cause] === 0) stack.push(cause);
    const prev = previous[i];
    if (prev >= 0 && past[prev] === 0) stack.push(prev);
  }
  return past;
}

/**
 * The cause chains of `starts`: each event, its cause, that one's cause, ... back to a root. A
 * chain stops at a timer (or sleep, or call timeout): the story shows it firing, not the event
 * that once armed it, which would otherwise pull in every earlier tick of a periodic timer.
 *
 * @example
 * causeChains(trace, [complete.index]); // complete, reply, deliver, send, ..., arrive, invoke
 */
export function causeChains(trace: readonly TraceEvent[], starts: Iterable<number>): Set<number> {
  const chains = new Set<number>();
  for (const start of starts) {
    // Cause indices strictly decrease (checked), so a chain is at most trace.length long.
    for (let i = start; i >= 0 && !chains.has(i); ) {
      chains.add(i);
      const ev = trace[i];
      if (ARMED.has(ev.kind)) break;
      if (ev.cause >= i) throw new Error(`trace event ${i} names a later cause ${ev.cause}`);
      i = ev.cause;
    }
  }
  return chains;
}

/** For each event on a node, the index of that node's previous event (-1 for its first). */
function programOrder(trace: readonly TraceEvent[]): Int32Array {
  const previous = new Int32Array(trace.length).fill(-1);
  const last = new Map<string, number>();
  for (const ev of trace) {
    if (ev.node === undefined || !ON_NODE.has(ev.kind)) continue;
    previous[ev.index] = last.get(ev.node) ?? -1;
    last.set(ev.node, ev.index);
  }
  return previous;
}
