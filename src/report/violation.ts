/**
 * Where a failed run's violation sits in its trace: the *anchor* events the story is the causal
 * past of, and the client ops the violation is about.
 *
 * - A linearizability violation is about the op that cannot be placed, the last few ops of the
 *   longest order that can be explained, and every op running at the same time as those; its
 *   anchors are their completions (or invokes, for ops that never completed).
 * - Ops that never completed in time (liveness) anchor on their invokes.
 * - Anything else (an invariant broken at an instant, a protocol that threw) anchors on the
 *   events handled at the instant it names, on the node it names when it names one.
 */
import type { CheckerResult } from '../../checkers/result.ts';
import type { RunResult } from '../run/run.ts';
import type { TraceEvent, TraceKind } from '../sim/trace.ts';
import { linearizabilityOf } from './explain.ts';

export interface Violation {
  /** Trace indices of the events the violation happened at. */
  anchors: number[];
  /** History indices (of invokes) of the ops the violation is about; undefined when it is not about ops. */
  keyOps: ReadonlySet<number> | undefined;
  /**
   * The violation was seen by an observer of the whole world (an invariant reads every node's
   * state): everything recorded before it happens-before it, not only what its anchors' nodes saw.
   */
  observesAll: boolean;
}

/** The client events of one planned op in the trace. */
export interface OpEvents {
  invoke: TraceEvent;
  complete?: TraceEvent;
}

/** Events that start the handling of something (what an instant's anchors are chosen from). */
const HANDLED: ReadonlySet<TraceKind> = new Set<TraceKind>(['deliver', 'timer', 'wake', 'call-timeout', 'arrive', 'complete', 'fault', 'heal', 'crash', 'restart', 'pause', 'resume']);

/** How many ops of the explainable order, counted from its end, the story keys on. */
const LAST_PREFIX_OPS = 3;

/**
 * Each planned op's client events, by the op's history (invoke) index.
 *
 * @example
 * opEvents(r.sim.trace).get(0)?.complete?.body; // { type: 'ok', value: ... }
 */
export function opEvents(trace: readonly TraceEvent[]): Map<number, OpEvents> {
  const byPlan = new Map<number, OpEvents>();
  const out = new Map<number, OpEvents>();
  for (const ev of trace) {
    if (ev.clientOp === undefined) continue;
    if (ev.kind === 'invoke' && ev.historyIndex !== undefined) {
      const op: OpEvents = { invoke: ev };
      byPlan.set(ev.clientOp, op);
      out.set(ev.historyIndex, op);
    } else if (ev.kind === 'complete') {
      const op = byPlan.get(ev.clientOp);
      if (op !== undefined && op.complete === undefined) op.complete = ev;
    }
  }
  return out;
}

/**
 * The violation of a failed run: its anchors in the trace and its key ops.
 *
 * @example
 * violationOf(r, opEvents(r.sim.trace)).anchors; // e.g. [41, 57]: two completions
 */
export function violationOf(r: RunResult, ops: ReadonlyMap<number, OpEvents>): Violation {
  const failing = r.checks.filter((c) => c.verdict === 'illegal');
  const keyOps = linearizabilityKeyOps(r, failing) ?? stuckOps(failing);
  if (keyOps !== undefined && keyOps.size > 0) {
    const anchors: number[] = [];
    for (const i of keyOps) {
      const op = ops.get(i);
      if (op !== undefined) anchors.push((op.complete ?? op.invoke).index);
    }
    if (anchors.length > 0) return { anchors, keyOps, observesAll: false };
  }
  // A protocol that threw or looped names its own node's handler; a check names the world.
  return { anchors: instantAnchors(r, failing), keyOps: undefined, observesAll: r.sim.error === undefined };
}

/** Key ops of the first linearizability counterexample, or undefined when there is none. */
function linearizabilityKeyOps(r: RunResult, failing: readonly CheckerResult[]): Set<number> | undefined {
  const ce = failing.map((c) => linearizabilityOf(c)?.counterexamples?.[0]).find((x) => x?.op);
  if (!ce?.op) return undefined;
  const key = new Set<number>([ce.op.index]);
  for (const x of ce.prefixes[0]?.ops.slice(-LAST_PREFIX_OPS) ?? []) key.add(x.index);
  const spans = opSpans(r);
  const focus = [...key].flatMap((k) => {
    const span = spans.get(k);
    return span === undefined ? [] : [span];
  });
  for (const [i, [a, b]] of spans) {
    if (focus.some(([fa, fb]) => a <= fb && fa <= b)) key.add(i);
  }
  return key;
}

/** Real-time interval of every op, by invoke index: [invoke time, completion time or end of run]. */
function opSpans(r: RunResult): Map<number, [number, number]> {
  const spans = new Map<number, [number, number]>();
  const open = new Map<number, number>();
  for (const h of r.sim.history) {
    if (h.type === 'invoke') {
      spans.set(h.index, [h.time, Number.POSITIVE_INFINITY]);
      open.set(h.process, h.index);
    } else {
      const inv = open.get(h.process);
      if (inv !== undefined) spans.get(inv)![1] = h.time;
      open.delete(h.process);
    }
  }
  return spans;
}

/** Ops a liveness check names as stuck (`details.stuck[].index`), or undefined. */
function stuckOps(failing: readonly CheckerResult[]): Set<number> | undefined {
  for (const c of failing) {
    const stuck = (c.details as { stuck?: unknown } | undefined)?.stuck;
    if (!Array.isArray(stuck)) continue;
    const ids = stuck.map((s) => (s as { index?: unknown }).index).filter((i): i is number => typeof i === 'number');
    if (ids.length > 0) return new Set(ids);
  }
  return undefined;
}

/**
 * The event a failure names: its `details.traceIndex` when the check recorded one (the exact
 * event after which an invariant failed); else the events handled at the instant it names (on its
 * node, if it names one): one of them broke it, and the later ones at that instant are included
 * only because the trace cannot tell which.
 */
function instantAnchors(r: RunResult, failing: readonly CheckerResult[]): number[] {
  const trace = r.sim.trace;
  if (trace.length === 0) return [];
  const exact = failing.map((c) => (c.details as { traceIndex?: unknown } | undefined)?.traceIndex).filter((i): i is number => Number.isInteger(i) && (i as number) >= 0 && (i as number) < trace.length);
  if (exact.length > 0) return [Math.min(...exact)];
  const timeMs = r.sim.error?.timeMs ?? earliestTime(failing);
  if (timeMs === undefined) return [trace.length - 1];
  const node = r.sim.error?.node;
  const anchors = trace.filter((e) => e.timeMs === timeMs && HANDLED.has(e.kind) && (node === undefined || e.node === node)).map((e) => e.index);
  if (anchors.length > 0) return anchors;
  // Nothing handled exactly then (a check that names a time between events): the last event before.
  const before = trace.findLast((e) => e.timeMs <= timeMs);
  return [before?.index ?? trace.length - 1];
}

/** The earliest time a failing check names (`always` results carry it). */
function earliestTime(failing: readonly CheckerResult[]): number | undefined {
  let t: number | undefined;
  for (const c of failing) {
    const at = (c.details as { timeMs?: unknown } | undefined)?.timeMs;
    if (typeof at === 'number' && (t === undefined || at < t)) t = at;
  }
  return t;
}
