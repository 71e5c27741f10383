/**
 * Where an observed value came from. A linearizability story shows the key ops' own messages,
 * but a read's answer is made of state that earlier events on the answering nodes put there: the
 * write of that value, and the deliveries that applied it on those nodes (a late duplicate, a
 * replication message that arrived after the write was acknowledged). Without them a reader sees
 * `read -> 4` and no `write 4` anywhere near the node that answered.
 *
 * For each key op that observed a value (it completed ok with a value other than its argument),
 * this finds the ops whose argument holds that value (a write or put of it, a cas to it, an append
 * of a part of it) on the same key, and on every node that handled the read, the last event of
 * that write handled there before the read was: that event's cause chain runs back through the
 * write's messages to its invoke. All of it is read from the recorded trace (op tags, nodes,
 * cause links); values are matched as plain data, so it applies to every model whose ops carry
 * their argument in `value`. Bounded: at most MAX_WRITERS writers per observing op, one event per
 * writer and node.
 */
import { equalValue } from '../../models/value.ts';
import type { TraceEvent, TraceKind } from '../sim/trace.ts';
import type { OpEvents } from './violation.ts';

/** Writers told per observed value: the latest ones invoked before the read completed. */
export const MAX_WRITERS = 2;

/** Events that start a node's handling of something (a state change happens in one of them). */
const HANDLER: ReadonlySet<TraceKind> = new Set<TraceKind>(['deliver', 'arrive', 'timer', 'wake', 'call-timeout']);

/** A client request or result as the trace copies it. */
interface Request {
  f?: string;
  value?: unknown;
  key?: unknown;
}

/** What `valueSources` found: events whose cause chains tell the sources, and writers' client steps. */
export interface ValueSources {
  /** Handler events on the observing ops' nodes (start cause chains from these). */
  handlers: number[];
  /** The writers' invoke and completion events (told as steps, without their reply routes). */
  clientSteps: number[];
}

/**
 * The events that show where the key ops' observed values came from.
 *
 * @example
 * const { handlers, clientSteps } = valueSources(trace, opEvents(trace), keyPlan);
 * causeChains(trace, handlers); // each runs back to the write of the value the read returned
 */
export function valueSources(trace: readonly TraceEvent[], ops: ReadonlyMap<number, OpEvents>, keyPlan: ReadonlyMap<number, OpEvents>): ValueSources {
  const out: ValueSources = { handlers: [], clientSteps: [] };
  const observing = [...keyPlan.values()].filter(observedValue).sort((a, b) => a.invoke.index - b.invoke.index);
  if (observing.length === 0) return out;
  const handled = handlersByOpAndNode(trace);
  for (const read of observing) {
    const readNodes = lastHandlerPerNode(handled, read);
    for (const w of writersOf(read, ops)) {
      out.clientSteps.push(w.invoke.index);
      if (w.complete !== undefined && w.complete.index < read.complete!.index) out.clientSteps.push(w.complete.index);
      const byNode = handled.get(w.invoke.clientOp!);
      for (const [node, before] of readNodes) {
        const list = byNode?.get(node);
        const last = list === undefined ? undefined : lastBelow(list, before);
        if (last !== undefined) out.handlers.push(last);
      }
    }
  }
  return out;
}

/** Whether an op completed ok with a value that is not simply its own argument (a read's answer). */
function observedValue(op: OpEvents): boolean {
  const result = op.complete?.body as { type?: string; value?: unknown } | undefined;
  if (result?.type !== 'ok' || result.value === null || result.value === undefined) return false;
  return !equalValue(result.value, (op.invoke.body as Request | undefined)?.value);
}

/** The latest ops (at most MAX_WRITERS) on the read's key, invoked before it completed, whose argument holds its value. */
function writersOf(read: OpEvents, ops: ReadonlyMap<number, OpEvents>): OpEvents[] {
  const req = (read.invoke.body ?? {}) as Request;
  const seen = (read.complete!.body as { value: unknown }).value;
  const found: OpEvents[] = [];
  for (const op of ops.values()) {
    if (op === read || op.invoke.clientOp === undefined || op.invoke.index > read.complete!.index) continue;
    const w = (op.invoke.body ?? {}) as Request;
    if ((op.complete?.body as { type?: string } | undefined)?.type === 'fail') continue;
    if (equalValue(w.key, req.key) && holds(w.value, seen)) found.push(op);
  }
  return found.sort((a, b) => a.invoke.index - b.invoke.index).slice(-MAX_WRITERS);
}

/**
 * Whether an op's argument could have put `seen` into the state: it is the value (write, put), the
 * new value of a `[from, to]` pair (cas), or a part of it (an append to a string or a list).
 */
function holds(arg: unknown, seen: unknown): boolean {
  if (arg === null || arg === undefined) return false;
  if (equalValue(arg, seen)) return true;
  if (Array.isArray(arg) && arg.length === 2 && equalValue(arg[1], seen)) return true;
  if (typeof seen === 'string' && typeof arg === 'string') return arg !== '' && seen.includes(arg);
  return Array.isArray(seen) && seen.some((x) => equalValue(x, arg));
}

/** For each node that handled the read before it completed, the trace index of the last such handler. */
function lastHandlerPerNode(handled: ReadonlyMap<number, ReadonlyMap<string, number[]>>, read: OpEvents): Map<string, number> {
  const out = new Map<string, number>();
  const end = read.complete!.index;
  for (const [node, list] of handled.get(read.invoke.clientOp!) ?? []) {
    const last = lastBelow(list, end);
    if (last !== undefined && last > read.invoke.index) out.set(node, last);
  }
  // In node order: the story's selection is a set, but keep every step of building it deterministic.
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Handler events by client op, then node, each list in trace order. One pass over the trace. */
function handlersByOpAndNode(trace: readonly TraceEvent[]): Map<number, Map<string, number[]>> {
  const out = new Map<number, Map<string, number[]>>();
  for (const ev of trace) {
    if (ev.clientOp === undefined || ev.node === undefined || !HANDLER.has(ev.kind)) continue;
    let byNode = out.get(ev.clientOp);
    if (byNode === undefined) out.set(ev.clientOp, (byNode = new Map()));
    let list = byNode.get(ev.node);
    if (list === undefined) byNode.set(ev.node, (list = []));
    list.push(ev.index);
  }
  return out;
}

/** The largest element of an ascending list below `bound`, by binary search. */
function lastBelow(list: readonly number[], bound: number): number | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : list[lo - 1];
}

/** Earlier messages of the anchor's kind told per anchor (distinct bodies): a quorum's other votes, a first commit. */
export const MAX_EARLIER_OF_KIND = 3;

/**
 * For an invariant broken by a delivery: the last few messages of the same kind (its `t`, `type`
 * or `kind` field, else its shape) delivered to the same node before it. A check that breaks at
 * a commit or a vote breaks because of the commits or votes the node handled before (a second
 * commit of the same task, the rest of a quorum), and those are not on the anchor's cause chain.
 *
 * @example
 * earlierOfKind(trace, [anchor]); // e.g. the straggler's commit, handled by the master before
 */
export function earlierOfKind(trace: readonly TraceEvent[], anchors: readonly number[]): number[] {
  const out: number[] = [];
  for (const a of anchors) {
    const ev = trace[a];
    const kind = ev?.kind === 'deliver' ? messageKind(ev.body) : undefined;
    if (kind === undefined) continue;
    // A message repeated word for word (periodic gossip, a retry) adds nothing: each body once.
    const seen = new Set<string>([JSON.stringify(ev.body)]);
    // A backwards scan, bounded by the trace and by the count wanted.
    for (let i = a - 1; i >= 0 && seen.size <= MAX_EARLIER_OF_KIND; i--) {
      const e = trace[i];
      if (e.kind !== 'deliver' || e.node !== ev.node || messageKind(e.body) !== kind) continue;
      const body = JSON.stringify(e.body);
      if (seen.has(body)) continue;
      seen.add(body);
      out.push(i);
    }
  }
  return out;
}

/** What kind of message a body is: its `t` / `type` / `kind` field when it has one, else its field names. */
function messageKind(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  for (const field of ['t', 'type', 'kind']) {
    if (typeof b[field] === 'string') return `${field}=${b[field] as string}`;
  }
  return Object.keys(b).sort().join(',');
}
