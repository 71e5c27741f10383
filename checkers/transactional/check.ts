/**
 * The transactional checker (Elle-style): reads the txns of a list-append or rw-register
 * history, infers their dependency graph, adds process-order and real-time edges when the
 * consistency model needs them, finds the anomalies, and judges the history against a model.
 */
import type { History } from '../../src/history/types.ts';
import { HistoryError, type HistorySource } from '../history-error.ts';
import type { CheckerResult } from '../result.ts';
import { ANOMALY_MEANING, type Anomaly } from './anomaly.ts';
import { CONSISTENCY_MODELS, consistencyModels, extraEdgesFor } from './consistency.ts';
import { findCycles } from './cycles.ts';
import { DepGraph } from './graph.ts';
import { inferListAppend, LIST_APPEND_LIMITS } from './list-append.ts';
import { inferRwRegister, RW_REGISTER_LIMITS } from './rw-register.ts';
import { nameTxn, readTxns, showTxn, type Txn, type TxnWorkload } from './txns.ts';

export interface TransactionalOptions {
  workload: TxnWorkload;
  /** The model to judge against (default `serializable`); see `consistencyModels`. */
  consistency?: string;
  /** Add real-time / process-order edges even if the model does not need them. */
  realtime?: boolean;
  process?: boolean;
  /** Anomalies kept per type (default 8); all types are still reported. */
  maxPerType?: number;
  source?: HistorySource;
}

export interface TransactionalDetails {
  workload: TxnWorkload;
  consistency: string;
  txns: number;
  edges: number;
  /** Every anomaly found (up to `maxPerType` per type), forbidden by the model or not. */
  anomalies: Anomaly[];
  /** Anomaly types found that the requested model forbids. */
  forbidden: string[];
  /** Every model some anomaly found rules out. */
  ruledOut: string[];
  /** What the inference cannot see, so `ok` is read for what it is. */
  cannotInfer: string[];
  /** Txn id -> one-line description, for the txns anomalies name. */
  txnText: Record<number, string>;
}

/**
 * Checks a transactional history for the anomalies `consistency` forbids. Throws HistoryError
 * for malformed histories (unknown micro-op, a list-append read that is not a list) and for an
 * unknown model.
 *
 * @example
 * const r = checkTransactional(history, { workload: 'list-append', consistency: 'serializable' });
 * r.verdict; // 'illegal'
 * r.details.anomalies[0].cycle; // [{ from: 1, to: 2, kind: 'rw', why: 'T1 read x = [1] without 2, ...' }, ...]
 */
export function checkTransactional(history: History, opts: TransactionalOptions): CheckerResult & { details: TransactionalDetails } {
  const consistency = opts.consistency ?? 'serializable';
  if (!Object.prototype.hasOwnProperty.call(CONSISTENCY_MODELS, consistency))
    throw new HistoryError(`unknown consistency model "${consistency}" (valid: ${consistencyModels.join(', ')})`);
  const txns = readTxns(history, opts.workload, opts.source);
  const g = new DepGraph(txns.length);
  const found = opts.workload === 'list-append' ? inferListAppend(txns, g) : inferRwRegister(txns, g);
  const need = extraEdgesFor(consistency);
  const extra = { process: need.process || opts.process === true, realtime: need.realtime || opts.realtime === true };
  if (extra.process) processEdges(txns, g);
  if (extra.realtime) realtimeEdges(txns, g);
  const maxPerType = opts.maxPerType ?? 8;
  const anomalies = [...capPerType(found, maxPerType), ...findCycles(g, extra, maxPerType)];
  const types = [...new Set(anomalies.map((a) => a.type))];
  const forbids = new Set(CONSISTENCY_MODELS[consistency]);
  const forbidden = types.filter((t) => forbids.has(t));
  const ruledOut = consistencyModels.filter((m) => CONSISTENCY_MODELS[m].some((t) => types.includes(t)));
  const txnText: Record<number, string> = {};
  for (const a of anomalies) for (const id of a.txns) txnText[id] = `${nameTxn(txns[id])} ${txns[id].status}: ${showTxn(txns[id])}`;
  const cannotInfer = opts.workload === 'list-append' ? LIST_APPEND_LIMITS : RW_REGISTER_LIMITS;
  const details: TransactionalDetails = { workload: opts.workload, consistency, txns: txns.length, edges: g.edgeCount(), anomalies, forbidden, ruledOut, cannotInfer, txnText };
  const checker = `transactional(${opts.workload}, ${consistency})`;
  if (forbidden.length > 0) {
    const first = anomalies.find((a) => forbids.has(a.type))!;
    return { checker, verdict: 'illegal', summary: `not ${consistency}: ${forbidden.join(', ')} (${txns.length} txns); first: ${first.summary}`, details };
  }
  const also = types.length ? `; found ${types.join(', ')}, which ${consistency} allows` : '';
  return { checker, verdict: 'ok', summary: `no anomaly ${consistency} forbids among ${txns.length} txns${also}`, details };
}

/**
 * The anomalies of a result as readable text: each with what it means, its txns and, for a
 * cycle, every edge with why it exists.
 *
 * @example
 * console.log(explainAnomalies(r.details));
 */
export function explainAnomalies(d: TransactionalDetails, limit = 5): string {
  const out: string[] = [];
  for (const a of d.anomalies.slice(0, limit)) {
    out.push(`${a.type} (${ANOMALY_MEANING[a.type.replace(/-(process|realtime)$/, '')] ?? ''})`);
    out.push(`  ${a.summary}`);
    for (const id of [...new Set(a.txns)]) out.push(`    ${d.txnText[id]}`);
    for (const s of a.cycle ?? []) out.push(`    T${s.from} -${s.kind}-> T${s.to}: ${s.why}`);
  }
  if (d.anomalies.length > limit) out.push(`... and ${d.anomalies.length - limit} more`);
  return out.join('\n');
}

function capPerType(as: Anomaly[], max: number): Anomaly[] {
  const n = new Map<string, number>();
  return as.filter((a) => {
    const c = (n.get(a.type) ?? 0) + 1;
    n.set(a.type, c);
    return c <= max;
  });
}

/** Each process's txns in order (a process runs one txn at a time). */
function processEdges(txns: Txn[], g: DepGraph): void {
  const last = new Map<number, Txn>();
  for (const t of [...txns].sort((a, b) => a.pair.callPos - b.pair.callPos)) {
    if (t.status === 'fail') continue;
    const p = last.get(t.process);
    if (p) g.add(p.id, t.id, 'process', () => `${nameTxn(p)} and then ${nameTxn(t)} ran on process ${t.process}`);
    last.set(t.process, t);
  }
}

/**
 * T1 -> T2 when T1 completed before T2 was invoked. Only a frontier of recent completions links
 * to each new txn; older ones reach it through them, so the edge count stays linear.
 */
function realtimeEdges(txns: Txn[], g: DepGraph): void {
  const events: { pos: number; t: Txn; done: boolean }[] = [];
  for (const t of txns) {
    if (t.status === 'fail') continue;
    events.push({ pos: t.pair.callPos, t, done: false });
    if (t.status === 'ok') events.push({ pos: t.pair.returnPos, t, done: true });
  }
  events.sort((a, b) => a.pos - b.pos);
  let frontier: Txn[] = [];
  const before = new Map<number, Txn[]>(); // what each running txn saw in the frontier at its invoke
  for (const e of events) {
    if (!e.done) {
      before.set(e.t.id, frontier);
      for (const p of frontier) g.add(p.id, e.t.id, 'realtime', () => `${nameTxn(p)} completed (record ${p.pair.returnPos}) before ${nameTxn(e.t)} was invoked (record ${e.t.pair.callPos})`);
      continue;
    }
    const covered = new Set(before.get(e.t.id) ?? []);
    frontier = [...frontier.filter((p) => !covered.has(p)), e.t];
  }
}
