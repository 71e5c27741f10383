/**
 * The rows a report embeds, built from the trace: one per message copy, node event, fault and
 * client op. Column meanings are the constants in `data.ts`; text goes through the string table.
 */
import { describeFault, type Fault } from '../faults/index.ts';
import { BAND_KINDS, BAR_KINDS, FLAG, M, MAX_MSG_ROWS, MAX_POINT_ROWS, OP_TYPES, POINT_KINDS } from './columns.ts';
import type { PairedClientOp } from './stats.ts';
import { laneOf, type ReportEvent } from './trace-events.ts';

/** What the row builders share. */
export interface RowContext {
  laneIndex: ReadonlyMap<string, number>;
  text(t: string): number;
  value(v: unknown): number;
  flagsOf(eventIndex: number): number;
}

interface MessageRecord {
  row: number[];
  sendEv: number;
  dup: boolean;
  lost: boolean;
  /** [fate, endMs, flags] per copy that met its end. */
  ends: number[][];
}

/**
 * One row per copy of each message: delivered, delivered again (duplicate), lost, dropped on
 * arrival, or still in flight when the run ended. Rows come in send order.
 */
export function messageRows(events: readonly ReportEvent[], cx: RowContext, endMs: number): number[][] {
  const byId = new Map<number, MessageRecord>();
  const lane = (n: string | undefined) => (n === undefined ? -1 : (cx.laneIndex.get(n) ?? -1));
  for (const e of events) {
    if (e.msgId === undefined) continue;
    if (e.kind === 'send') {
      const row = [e.timeMs, lane(e.from ?? e.node), lane(e.to), e.timeMs, 0, cx.value(e.body), e.msgId, e.callId ?? -1, 0];
      byId.set(e.msgId, { row, sendEv: e.index, dup: false, lost: false, ends: [] });
      continue;
    }
    const rec = byId.get(e.msgId);
    if (!rec) continue;
    const f = cx.flagsOf(e.index);
    if (e.kind === 'dup') rec.dup = true;
    else if (e.kind === 'hold') rec.row[M.flags] |= FLAG.held;
    else if (e.kind === 'drop' && e.detail === 'loss') rec.lost = true;
    else if (e.kind === 'drop') rec.ends.push([e.detail === 'down' ? 4 : 3, e.timeMs, f]);
    else if (e.kind === 'deliver') rec.ends.push([rec.ends.some((x) => x[0] <= 1) ? 1 : 0, e.timeMs, f]);
    else if (e.kind === 'in-flight') rec.ends.push([5, endMs, f]);
  }
  const rows: number[][] = [];
  for (const rec of byId.values()) {
    const sendFlags = cx.flagsOf(rec.sendEv);
    if (rec.lost) {
      rows.push(withEnd(rec.row, 2, rec.row[M.send], sendFlags));
      continue;
    }
    for (const [fate, t, f] of rec.ends) rows.push(withEnd(rec.row, fate, t, f | (sendFlags & FLAG.chain)));
    // Copies with no recorded end were still travelling when the run stopped.
    for (let c = rec.ends.length; c < (rec.dup ? 2 : 1); c++) rows.push(withEnd(rec.row, 5, endMs, sendFlags & ~FLAG.target));
  }
  rows.sort((a, b) => a[M.send] - b[M.send]);
  return rows;
}

function withEnd(base: number[], fate: number, endMs: number, flags: number): number[] {
  const r = base.slice();
  r[M.end] = endMs;
  r[M.fate] = fate;
  r[M.flags] |= flags;
  return r;
}

/** The slice of `rows` (sorted by send time) a report keeps: all, or MAX_MSG_ROWS around `focusMs`. */
export function windowAround(rows: readonly number[][], focusMs: number, max = MAX_MSG_ROWS): { lo: number; hi: number } {
  if (rows.length <= max) return { lo: 0, hi: rows.length };
  let a = 0;
  let b = rows.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (rows[mid][M.send] < focusMs) a = mid + 1;
    else b = mid;
  }
  const hi = Math.min(rows.length, Math.max(a - (max >> 1), 0) + max);
  return { lo: hi - max, hi };
}

const POINT_CODE: Record<string, number> = { log: 0, timer: 1, wake: 1, 'call-timeout': 1, crash: 2, restart: 3, pause: 4, resume: 5 };

/** Node events: `ctx.log` milestones, timers, crashes, restarts, resumes: [timeMs, lane, kind, text, flags]. */
export function pointRows(events: readonly ReportEvent[], cx: RowContext): number[][] {
  const rows: number[][] = [];
  for (const e of events) {
    const code = POINT_CODE[e.kind];
    if (code === undefined) continue;
    const lane = cx.laneIndex.get(laneOf(e) ?? '');
    if (lane === undefined) continue;
    const text = e.kind === 'wake' ? 'sleep ends' : e.kind === 'call-timeout' ? 'call timed out' : (e.detail ?? POINT_KINDS[code]);
    rows.push([e.timeMs, lane, code, cx.text(text), cx.flagsOf(e.index)]);
  }
  return rows;
}

/** The node events inside the message window; past MAX_POINT_ROWS, timers go first, then distance from the focus. */
export function clipPoints(rows: readonly number[][], fromMs: number, toMs: number, focusMs: number, max = MAX_POINT_ROWS): number[][] {
  let kept = rows.filter((r) => r[0] >= fromMs && r[0] <= toMs);
  if (kept.length > max) kept = kept.filter((r) => r[2] !== 1 || (r[4] & FLAG.chain) !== 0);
  if (kept.length > max) {
    const w = windowAround(kept.map((r) => [r[0]]), focusMs, max);
    kept = kept.slice(w.lo, w.hi);
  }
  return kept;
}

/**
 * Faults as lane bars (a crashed node is down, a paused one paused, a skewed clock) and as bands
 * across the diagram (partitions, loss and duplication spikes, clogged links), over the times
 * the trace says they were in force (the plan's times when there is no trace).
 */
export function faultRows(faults: readonly Fault[], events: readonly ReportEvent[], cx: RowContext, endMs: number): { bars: number[][]; bands: number[][] } {
  const startOf = new Map<number, number>();
  const endOf = new Map<number, number>();
  const detailOf = new Map<number, string>();
  for (const e of events) {
    if (e.fault === undefined) continue;
    if (e.kind === 'fault' && !(e.detail ?? '').includes('no effect')) {
      startOf.set(e.fault, e.timeMs);
      if (e.detail) detailOf.set(e.fault, e.detail);
    } else if (e.kind === 'heal') endOf.set(e.fault, e.timeMs);
  }
  const traced = events.length > 0;
  const bars: number[][] = [];
  const bands: number[][] = [];
  faults.forEach((f, i) => {
    if (traced && !startOf.has(i)) return; // never took effect
    const start = startOf.get(i) ?? f.atMs;
    const end = endOf.get(i) ?? (traced ? endMs : f.atMs + f.durationMs);
    const text = cx.text(detailOf.get(i) ?? describeFault(f));
    const bar = (kind: (typeof BAR_KINDS)[number], node: string) => bars.push([cx.laneIndex.get(node) ?? -1, start, end, BAR_KINDS.indexOf(kind), text]);
    if (f.kind === 'crash' || f.kind === 'churn') bar('down', f.node);
    else if (f.kind === 'pause') bar('paused', f.node);
    else if (f.kind === 'clock') bar('clock', f.node);
    else if (f.kind === 'equivocate' || f.kind === 'corrupt' || f.kind === 'replay' || f.kind === 'silent') bar('byzantine', f.node);
    else bands.push([start, end, BAND_KINDS.indexOf(f.kind), text]);
  });
  return { bars, bands };
}

/**
 * Client ops: [index, process, lane, node lane, invokeMs, endMs, type, f, key, value, result,
 * error, flags, arriveMs, replyMs]; the request's arrival at the node and the node's reply are
 * -1 where the trace does not record them.
 */
export function opRows(ops: readonly PairedClientOp[], nodeCount: number, clients: number, cx: RowContext, events: readonly ReportEvent[]): number[][] {
  const invokeEventOf = new Map<number, number>();
  const historyOfPlanned = new Map<number, number>();
  const arriveOf = new Map<number, number>();
  const replyOf = new Map<number, number>();
  for (const e of events) {
    if (e.kind === 'invoke' && e.historyIndex !== undefined) {
      invokeEventOf.set(e.historyIndex, e.index);
      if (e.clientOp !== undefined) historyOfPlanned.set(e.clientOp, e.historyIndex);
    }
    const h = e.clientOp === undefined ? undefined : historyOfPlanned.get(e.clientOp);
    if (h === undefined) continue;
    if (e.kind === 'arrive' && !arriveOf.has(h)) arriveOf.set(h, e.timeMs);
    if (e.kind === 'reply' && !replyOf.has(h)) replyOf.set(h, e.timeMs);
  }
  return ops.map((op) => {
    const ev = invokeEventOf.get(op.index);
    return [
      op.index,
      op.process,
      nodeCount + (clients > 0 ? op.process % clients : 0),
      op.node === undefined ? -1 : (cx.laneIndex.get(op.node) ?? -1),
      op.invokeMs,
      op.endMs ?? -1,
      OP_TYPES.indexOf(op.type),
      cx.text(op.f),
      op.key === undefined ? -1 : cx.text(op.key),
      cx.value(op.value),
      op.result === undefined || op.type !== 'ok' ? -1 : cx.value(op.result),
      op.error === undefined ? -1 : cx.text(op.error),
      ev === undefined ? 0 : cx.flagsOf(ev),
      arriveOf.get(op.index) ?? -1,
      replyOf.get(op.index) ?? -1,
    ];
  });
}
