/**
 * What an HTML report embeds: a run reduced to compact plain data, each fact once.
 *
 * Rows are number arrays (column meanings below) and every piece of text (message bodies, log
 * lines, op values, fault descriptions) sits once in a string table the rows point into: a
 * heartbeat sent ten thousand times with the same body is stored once. Long runs keep every client
 * op but only a window of messages and node events around the failure (at most `MAX_MSG_ROWS`);
 * the message rate over the whole run stays visible as a histogram.
 */
import type { CheckerResult } from '../../checkers/result.ts';
import type { Fault } from '../faults/index.ts';
import type { HistoryOp } from '../history/types.ts';
import { causalPast } from './causal.ts';
import { FLAG, M, MAX_BODY_CHARS, MAX_MSG_ROWS, MAX_POINT_ROWS } from './columns.ts';
import { focusTime, linCounterexamples, violationsOf } from './findings.ts';
import { clipPoints, faultRows, messageRows, opRows, pointRows, windowAround, type RowContext } from './rows.ts';
import { histogram, latencyByKind, type LatencyRow, type PairedClientOp } from './stats.ts';
import { laneOf, readTrace, type ReportEvent } from './trace-events.ts';

/** Everything a report is made from: a run's files or a run in memory, as plain data. */
export interface ReportSource {
  options: { protocol?: string; variant?: string; seed?: number; nodes?: number; clients?: number } & Record<string, unknown>;
  status: string;
  failing: string[];
  outcome?: string;
  error?: { message: string; timeMs?: number; node?: string };
  fingerprint?: string;
  replay?: string;
  stats?: Record<string, number>;
  checks: CheckerResult[];
  faults: Fault[];
  history: HistoryOp[];
  /** Raw trace records (either trace format); empty when none was recorded. */
  trace: readonly unknown[];
  /** Where the run came from, e.g. `corpus/raft/x.json (replayed)`. */
  origin?: string;
}

export interface LinCounterexample {
  checker: string;
  partition: string | null;
  /** History index of the op that cannot be placed. */
  op: number | null;
  opText: string;
  /** History indices of the longest linearizable prefix, in linearization order. */
  prefix: number[];
  prefixText: string[];
  /** The model state after the prefix: the state before the op that cannot be placed. */
  state: string;
  prefixesFound: number;
}

export interface Violation {
  checker: string;
  summary: string;
  kind: 'linearizability' | 'invariant' | 'liveness' | 'crash' | 'other';
  timeMs?: number;
  /** Ops the checker names (stuck ops of a liveness check). */
  ops?: number[];
  /** Trace indices of the events it broke at (the causal past's targets). */
  events?: number[];
  /** The check named the exact event (`details.traceIndex`), not only the instant. */
  exact?: boolean;
}

export interface ReportData {
  format: 1;
  meta: {
    protocol: string;
    variant: string;
    seed: number | null;
    status: string;
    failing: string[];
    outcome: string;
    error: string | null;
    fingerprint: string;
    replay: string;
    origin: string;
    options: Record<string, unknown>;
    checks: { checker: string; verdict: string; summary: string }[];
    stats: Record<string, number>;
    traced: boolean;
  };
  s: string[];
  lanes: { id: string; kind: 'node' | 'client' }[];
  endMs: number;
  msgs: number[][];
  points: number[][];
  bars: number[][];
  bands: number[][];
  ops: number[][];
  lin: LinCounterexample[];
  violations: Violation[];
  causal: { targets: number; past: number; chain: number; note: string } | null;
  latency: LatencyRow[];
  density: { bucketMs: number; sent: number[]; dropped: number[] };
  window: { fromMs: number; toMs: number; shownMsgs: number; totalMsgs: number; shownPoints: number; totalPoints: number };
}

/** Interns strings: each distinct text is stored once, rows hold its position. */
class StringTable {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  add(text: string): number {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(text);
      this.index.set(text, i);
    }
    return i;
  }
  /** A value as JSON text (cut at MAX_BODY_CHARS); -1 for undefined. */
  value(v: unknown): number {
    if (v === undefined) return -1;
    let text: string;
    try {
      text = JSON.stringify(v) ?? String(v);
    } catch {
      text = String(v);
    }
    if (text.length > MAX_BODY_CHARS) text = `${text.slice(0, MAX_BODY_CHARS)}… (cut: ${text.length} characters in all)`;
    return this.add(text);
  }
}

/**
 * Reduces a run to the data its HTML report embeds.
 *
 * @example
 * const data = buildReportData(sourceFromRun(result, replay));
 * data.lanes.filter((l) => l.kind === 'node').length; // the cluster size
 */
export function buildReportData(src: ReportSource, limits: { maxMsgRows?: number; maxPointRows?: number } = {}): ReportData {
  const s = new StringTable();
  const events = readTrace(src.trace);
  const ops = pairHistory(src.history);
  const nodes = nodeNames(src, events);
  const clients = clientCount(src, ops);
  const lanes = [...nodes.map((id) => ({ id, kind: 'node' as const })), ...Array.from({ length: clients }, (_, i) => ({ id: `client ${i}`, kind: 'client' as const }))];
  const laneIndex = new Map(nodes.map((id, i) => [id, i]));
  let endMs = 0;
  for (const e of events) endMs = Math.max(endMs, e.timeMs);
  for (const h of src.history) endMs = Math.max(endMs, h.time);

  const lin = linCounterexamples(src.checks);
  const violations = violationsOf(src, lin, ops, events);
  const targets = new Set(violations.flatMap((v) => v.events ?? []));
  const hasArrive = events.some((e) => e.kind === 'arrive');
  // Client events sit on the node they addressed unless the trace records the arrival itself.
  // A client runs one op at a time, so its ops are in program order on its own lane.
  const clientLane = (e: ReportEvent) => `client:${(src.history[e.historyIndex ?? -1]?.process ?? -1) % Math.max(1, clients)}`;
  const eventLanes = events.map((e) => (hasArrive && (e.kind === 'invoke' || e.kind === 'complete') ? clientLane(e) : laneOf(e)));
  const cp = targets.size > 0 ? causalPast(events, eventLanes, [...targets]) : { past: [], chain: [] };
  const past = new Set(cp.past);
  const chain = new Set(cp.chain);
  // What the breaking step itself did (its sends, its ctx.log line) is part of the picture too.
  for (const e of events) {
    if (targets.has(e.cause) && events[e.cause].timeMs === e.timeMs) {
      past.add(e.index);
      chain.add(e.index);
    }
  }
  const cx: RowContext = {
    laneIndex,
    text: (t) => s.add(t),
    value: (v) => s.value(v),
    flagsOf: (i) => (past.has(i) ? FLAG.past : 0) | (chain.has(i) ? FLAG.chain : 0) | (targets.has(i) ? FLAG.target : 0),
  };

  const allMsgs = messageRows(events, cx, endMs);
  const focusMs = focusTime(violations, lin, ops);
  const win = windowAround(allMsgs, focusMs, limits.maxMsgRows ?? MAX_MSG_ROWS);
  const msgs = allMsgs.slice(win.lo, win.hi);
  const fromMs = win.lo === 0 ? 0 : (msgs[0]?.[M.send] ?? 0);
  const toMs = win.hi === allMsgs.length ? endMs : (msgs[msgs.length - 1]?.[M.send] ?? endMs);
  const allPoints = pointRows(events, cx);
  const points = clipPoints(allPoints, fromMs, toMs, focusMs, limits.maxPointRows ?? MAX_POINT_ROWS);
  const { bars, bands } = faultRows(src.faults, events, cx, endMs);
  const opRowList = opRows(ops, nodes.length, clients, cx, events);

  const sends = events.filter((e) => e.kind === 'send').map((e) => e.timeMs);
  const drops = events.filter((e) => e.kind === 'drop').map((e) => e.timeMs);
  const sent = histogram(sends, endMs, 200);
  return {
    format: 1,
    meta: metaOf(src, events.length > 0),
    s: s.list,
    lanes,
    endMs,
    msgs,
    points,
    bars,
    bands,
    ops: opRowList,
    lin,
    violations,
    causal: targets.size ? { targets: targets.size, past: cp.past.length, chain: cp.chain.length, note: causalNote(src.trace) } : null,
    latency: latencyByKind(ops),
    density: { bucketMs: sent.bucketMs, sent: sent.counts, dropped: histogram(drops, endMs, 200).counts },
    window: { fromMs, toMs, shownMsgs: msgs.length, totalMsgs: allMsgs.length, shownPoints: points.length, totalPoints: allPoints.length },
  };
}

function causalNote(trace: readonly unknown[]): string {
  const recorded = trace.length > 0 && typeof trace[0] === 'object' && trace[0] !== null && 'cause' in trace[0];
  return recorded
    ? 'from the causes the simulator recorded'
    : 'this trace predates recorded causes: a send is attributed to the handler its node ran at that instant';
}

function metaOf(src: ReportSource, traced: boolean): ReportData['meta'] {
  const o = src.options;
  return {
    protocol: String(o.protocol ?? '?'),
    variant: String(o.variant ?? '?'),
    seed: typeof o.seed === 'number' ? o.seed : null,
    status: src.status,
    failing: src.failing,
    outcome: src.outcome ?? '',
    error: src.error?.message ?? null,
    fingerprint: src.fingerprint ?? '',
    replay: src.replay ?? '',
    origin: src.origin ?? '',
    options: o,
    checks: src.checks.map((c) => ({ checker: c.checker, verdict: c.verdict, summary: c.summary })),
    stats: src.stats ?? {},
    traced,
  };
}

function nodeNames(src: ReportSource, events: readonly ReportEvent[]): string[] {
  const count = typeof src.options.nodes === 'number' ? src.options.nodes : 0;
  const names = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const seen = new Set(names);
  // A trace may name nodes the options do not (imported runs): give them lanes too.
  for (const e of events) {
    for (const n of [e.node, e.from, e.to]) {
      if (n !== undefined && !seen.has(n)) {
        seen.add(n);
        names.push(n);
      }
    }
  }
  for (const h of src.history) {
    if (h.node !== undefined && !seen.has(h.node)) {
      seen.add(h.node);
      names.push(h.node);
    }
  }
  return names;
}

function clientCount(src: ReportSource, ops: readonly PairedClientOp[]): number {
  if (typeof src.options.clients === 'number' && src.options.clients > 0) return src.options.clients;
  let max = -1;
  for (const op of ops) max = Math.max(max, op.process);
  return max + 1;
}

/** Pairs invokes with completions by process (a process runs one op at a time). */
export function pairHistory(history: readonly HistoryOp[]): PairedClientOp[] {
  const open = new Map<number, PairedClientOp>();
  const out: PairedClientOp[] = [];
  for (const h of history) {
    if (h.type === 'invoke') {
      const op: PairedClientOp = { index: h.index, process: h.process, f: h.f, key: h.key, node: h.node, invokeMs: h.time, value: h.value, type: 'pending' };
      open.set(h.process, op);
      out.push(op);
    } else {
      const op = open.get(h.process);
      if (!op) continue;
      open.delete(h.process);
      op.endMs = h.time;
      op.endIndex = h.index;
      op.type = h.type;
      op.result = h.value;
      op.error = h.error;
    }
  }
  return out;
}
