/** Jepsen's total-queue checker: what went in came out, once. */
import type { History } from '../src/history/types.ts';
import { showValue, valueKey } from '../models/value.ts';
import { pairOps } from './ops.ts';
import type { CheckerResult } from './result.ts';

/**
 * Compares enqueues with dequeues (a `drain` op returning an array counts as dequeues): *lost* =
 * acknowledged enqueues never dequeued; *unexpected* = dequeued but never enqueued; *duplicated* =
 * dequeued more often than enqueued; *recovered* = timed-out enqueues that were dequeued.
 *
 * @example
 * checkTotalQueue(history).details; // { lost: [], unexpected: [], duplicated: [], recovered: [3] }
 */
export function checkTotalQueue(history: History): CheckerResult {
  const attempts = new Map<string, { value: unknown; ok: number; info: number }>();
  const out = new Map<string, { value: unknown; n: number }>();
  for (const p of pairOps(history)) {
    if (p.invoke.f === 'enqueue' && p.outcome !== 'fail') {
      const k = valueKey(p.invoke.value);
      const a = attempts.get(k) ?? { value: p.invoke.value, ok: 0, info: 0 };
      if (p.outcome === 'ok') a.ok++;
      else a.info++;
      attempts.set(k, a);
    } else if ((p.invoke.f === 'dequeue' || p.invoke.f === 'drain') && p.outcome === 'ok') {
      const v = p.completion!.value;
      const vs = p.invoke.f === 'drain' && Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
      for (const x of vs) {
        const k = valueKey(x);
        const o = out.get(k) ?? { value: x, n: 0 };
        o.n++;
        out.set(k, o);
      }
    }
  }
  const lost: unknown[] = [];
  const recovered: unknown[] = [];
  for (const [k, a] of attempts) {
    const n = out.get(k)?.n ?? 0;
    if (n < a.ok) lost.push(a.value);
    else if (n > a.ok && a.info > 0) recovered.push(a.value);
  }
  const unexpected: unknown[] = [];
  const duplicated: unknown[] = [];
  for (const [k, o] of out) {
    const a = attempts.get(k);
    if (!a) unexpected.push(o.value);
    else if (o.n > a.ok + a.info) duplicated.push(o.value);
  }
  const details = { lost, unexpected, duplicated, recovered };
  const bad = lost.length + unexpected.length + duplicated.length > 0;
  const first = lost[0] ?? unexpected[0] ?? duplicated[0];
  const summary = `${lost.length} lost, ${duplicated.length} duplicated, ${unexpected.length} unexpected, ${recovered.length} recovered${bad ? ` (e.g. ${showValue(first)})` : ''}`;
  return { checker: 'total-queue', verdict: bad ? 'illegal' : 'ok', summary, details };
}
