/**
 * Transactions as the transactional checkers read them: each history op whose value is a list
 * of micro-ops (`[append k v]`, `[r k v]`, `[w k v]`), paired with its completion. An `ok` txn's
 * micro-ops come from its completion (reads filled in); others from the invoke.
 */
import type { History } from '../../src/history/types.ts';
import { showValue, valueKey } from '../../models/value.ts';
import { HistoryError, where, type HistorySource } from '../history-error.ts';
import { pairOps, type PairedOp } from '../ops.ts';

export type MicroOp = { f: 'append' | 'w'; key: string; keyShown: string; value: unknown } | { f: 'r'; key: string; keyShown: string; value: unknown };

export interface Txn {
  /** Position among the history's txns: the graph's node id. */
  id: number;
  /** `ok`: committed; `fail`: aborted (did not happen); `info`: may or may not have committed. */
  status: 'ok' | 'fail' | 'info';
  process: number;
  /** The invoke record's `index`. */
  index: number;
  mops: MicroOp[];
  pair: PairedOp;
}

/** The workloads the transactional checker understands. */
export type TxnWorkload = 'list-append' | 'rw-register';

/**
 * Reads the txns of a history. Throws HistoryError for a micro-op of an unknown kind, a
 * malformed micro-op, or (list-append) a read whose value is not a list.
 *
 * @example
 * readTxns(history, 'list-append')[0].mops; // [{ f: 'append', key: 'x', value: 1 }, ...]
 */
export function readTxns(history: History, workload: TxnWorkload, src?: HistorySource): Txn[] {
  const txns: Txn[] = [];
  for (const pair of pairOps(history, src)) {
    const rec = pair.outcome === 'ok' ? pair.completion! : pair.invoke;
    const at = pair.outcome === 'ok' ? pair.returnPos : pair.callPos;
    const v = rec.value;
    if (!Array.isArray(v)) throw new HistoryError(`a txn's value must be a list of micro-ops like [append x 1], got ${showValue(v)}`, where(src, at, rec));
    const mops = v.map((m, i) => readMicroOp(m, workload, pair.outcome === 'ok', (why) => new HistoryError(`micro-op ${i + 1} of the txn: ${why}`, where(src, at, rec))));
    txns.push({ id: txns.length, status: pair.outcome, process: pair.invoke.process, index: typeof pair.invoke.index === 'number' ? pair.invoke.index : pair.callPos, mops, pair });
  }
  return txns;
}

const KINDS: Record<TxnWorkload, string[]> = { 'list-append': ['append', 'r'], 'rw-register': ['w', 'r'] };

function readMicroOp(m: unknown, workload: TxnWorkload, completed: boolean, bad: (why: string) => Error): MicroOp {
  if (!Array.isArray(m) || m.length !== 3) throw bad(`expected [f key value], got ${showValue(m)}`);
  const [f, key, value] = m as [unknown, unknown, unknown];
  if (typeof f !== 'string' || !KINDS[workload].includes(f)) throw bad(`unknown micro-op ${showValue(f)} for ${workload} (expected ${KINDS[workload].join(' or ')})`);
  const keyShown = typeof key === 'string' ? key : showValue(key);
  if (f === 'r' && completed && workload === 'list-append' && value !== null && !Array.isArray(value)) throw bad(`a list-append read returns a list (or nil), got ${showValue(value)} for key ${keyShown}`);
  return { f, key: valueKey(key), keyShown, value } as MicroOp;
}

/** "T3 (process 2, op #17)" for explanations. */
export function nameTxn(t: Txn): string {
  return `T${t.id} (process ${t.process}, op #${t.index})`;
}

/** A txn as one line: `[append x 1] [r y [1 2]]`. */
export function showTxn(t: Txn): string {
  return t.mops.map((m) => `[${m.f} ${m.keyShown} ${showValue(m.value)}]`).join(' ');
}
