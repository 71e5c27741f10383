import type { History, HistoryOp } from '../src/history/types.ts';
import { HistoryError, where, type HistorySource } from './history-error.ts';

/** One client operation: an invoke paired with its completion (none when it never returned). */
export interface PairedOp {
  invoke: HistoryOp;
  /** `ok`, `fail` or `info` record; `undefined` if the history ends before it returns. */
  completion?: HistoryOp;
  /** Position of the invoke / completion in the history (Infinity when it never returned). */
  callPos: number;
  returnPos: number;
  /** `ok`: happened; `fail`: did not happen; `info`: unknown (timed out, crashed, or never returned). */
  outcome: 'ok' | 'fail' | 'info';
}

const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);

/**
 * Pairs invokes with completions by process, in history order (so real-time order is position
 * order, and ties in `time` never reorder events). Rejects malformed histories with HistoryError:
 * unknown type, a completion without an invoke, a second invoke while one is in flight, a
 * completion whose `f` differs from its invoke.
 *
 * @example
 * pairOps([{ index: 0, time: 0, type: 'invoke', process: 0, f: 'read', value: null },
 *          { index: 1, time: 1, type: 'ok', process: 0, f: 'read', value: 3 }]);
 * // [{ invoke, completion, callPos: 0, returnPos: 1, outcome: 'ok' }]
 */
export function pairOps(history: History, src?: HistorySource): PairedOp[] {
  const out: PairedOp[] = [];
  const pending = new Map<number, PairedOp>();
  for (let i = 0; i < history.length; i++) {
    const r = history[i];
    if (r === null || typeof r !== 'object') throw new HistoryError('record is not an object', where(src, i, r));
    if (!TYPES.has(r.type)) throw new HistoryError(`unknown op type ${JSON.stringify(r.type)} (expected invoke, ok, fail or info)`, where(src, i, r));
    if (typeof r.process !== 'number' || !Number.isFinite(r.process)) throw new HistoryError(`process must be a number, got ${JSON.stringify(r.process)}`, where(src, i, r));
    if (typeof r.f !== 'string') throw new HistoryError(`f must be a string, got ${JSON.stringify(r.f)}`, where(src, i, r));
    if (r.type === 'invoke') {
      const prev = pending.get(r.process);
      if (prev) throw new HistoryError(`process ${r.process} invokes again while its op at record ${prev.callPos} is still in flight`, where(src, i, r));
      const op: PairedOp = { invoke: r, callPos: i, returnPos: Infinity, outcome: 'info' };
      pending.set(r.process, op);
      out.push(op);
    } else {
      const op = pending.get(r.process);
      if (!op) throw new HistoryError(`${r.type} completion for process ${r.process} has no matching invoke`, where(src, i, r));
      if (op.invoke.f !== r.f) throw new HistoryError(`completion f=${r.f} does not match its invoke f=${op.invoke.f} (record ${op.callPos})`, where(src, i, r));
      pending.delete(r.process);
      op.completion = r;
      op.outcome = r.type as 'ok' | 'fail' | 'info';
      // An info op may take effect at any time after its invoke: it never "returns".
      if (r.type !== 'info') op.returnPos = i;
    }
  }
  return out;
}
