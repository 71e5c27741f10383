/**
 * Jepsen's set checkers. `set`: adds, then a final read; every acknowledged add must be in it.
 * `set-full`: every read is evidence; each element is lost, stale or never read.
 */
import type { History } from '../src/history/types.ts';
import { showValue, valueKey } from '../models/value.ts';
import { pairOps, type PairedOp } from './ops.ts';
import type { CheckerResult } from './result.ts';

function reads(pairs: PairedOp[]): PairedOp[] {
  return pairs.filter((p) => p.invoke.f === 'read' && p.outcome === 'ok' && Array.isArray(p.completion!.value));
}

/**
 * The final read must contain every add that returned `ok` (else *lost*), and nothing never
 * added (else *unexpected*); adds that timed out may be present (*recovered*) or not.
 *
 * @example
 * checkSet(history).verdict; // 'illegal' if an acknowledged add is missing from the last read
 */
export function checkSet(history: History): CheckerResult {
  const pairs = pairOps(history);
  const rs = reads(pairs);
  if (rs.length === 0) return { checker: 'set', verdict: 'unknown', summary: 'no successful read of the set, so nothing can be said' };
  const final = rs.reduce((a, b) => (b.returnPos > a.returnPos ? b : a));
  const seen = new Set((final.completion!.value as unknown[]).map(valueKey));
  const attempted = new Map<string, unknown>();
  const acked = new Map<string, unknown>();
  const infoAdds = new Set<string>();
  for (const p of pairs) {
    if (p.invoke.f !== 'add') continue;
    const k = valueKey(p.invoke.value);
    attempted.set(k, p.invoke.value);
    if (p.outcome === 'ok') acked.set(k, p.invoke.value);
    if (p.outcome === 'info') infoAdds.add(k);
  }
  const lost = [...acked].filter(([k]) => !seen.has(k)).map(([, v]) => v);
  const unexpected = (final.completion!.value as unknown[]).filter((v) => !attempted.has(valueKey(v)));
  const recovered = [...infoAdds].filter((k) => seen.has(k) && !acked.has(k)).map((k) => attempted.get(k));
  const details = { lost, unexpected, recovered, acknowledged: acked.size, read: seen.size };
  if (lost.length || unexpected.length) {
    const parts = [lost.length ? `${lost.length} acknowledged add(s) lost (e.g. ${showValue(lost[0])})` : '', unexpected.length ? `${unexpected.length} unexpected element(s) (e.g. ${showValue(unexpected[0])})` : ''];
    return { checker: 'set', verdict: 'illegal', summary: parts.filter(Boolean).join('; '), details };
  }
  return { checker: 'set', verdict: 'ok', summary: `all ${acked.size} acknowledged adds present in the final read (${recovered.length} recovered)`, details };
}

/**
 * Per element, across all reads: *lost* if a read that began after the element was known
 * (its add returned, or a read saw it) misses it and no later read has it; *stale* if such a read
 * missed it but a later read has it again; *never-read* if no read began after it was known.
 * Lost or unexpected elements are illegal; stale ones too when `linearizable` is set.
 *
 * @example
 * checkSetFull(history, { linearizable: true }).details; // { lost: [...], stale: [...], neverRead: [...] }
 */
export function checkSetFull(history: History, opts: { linearizable?: boolean } = {}): CheckerResult {
  const pairs = pairOps(history);
  const rs = reads(pairs).sort((a, b) => a.callPos - b.callPos);
  interface El { value: unknown; known: number; attempted: boolean }
  const els = new Map<string, El>();
  for (const p of pairs) {
    if (p.invoke.f !== 'add' || p.outcome === 'fail') continue;
    const k = valueKey(p.invoke.value);
    const e = els.get(k) ?? { value: p.invoke.value, known: Infinity, attempted: true };
    if (p.outcome === 'ok') e.known = Math.min(e.known, p.returnPos);
    els.set(k, e);
  }
  const unexpected: unknown[] = [];
  const readSets = rs.map((r) => new Set((r.completion!.value as unknown[]).map(valueKey)));
  for (const r of rs) {
    for (const v of r.completion!.value as unknown[]) {
      const e = els.get(valueKey(v));
      if (!e) unexpected.push(v);
      else e.known = Math.min(e.known, r.returnPos);
    }
  }
  const lost: unknown[] = [];
  const stale: unknown[] = [];
  const neverRead: unknown[] = [];
  for (const [k, e] of els) {
    if (e.known === Infinity) continue; // never acknowledged nor seen: may never have happened
    let missedAfterKnown = false;
    let lastMissAt = -1;
    let lastSeenAt = -1;
    let readAfter = false;
    rs.forEach((r, i) => {
      if (r.callPos <= e.known) return;
      readAfter = true;
      if (readSets[i].has(k)) lastSeenAt = i;
      else {
        missedAfterKnown = true;
        lastMissAt = i;
      }
    });
    if (!readAfter) neverRead.push(e.value);
    else if (missedAfterKnown && lastMissAt > lastSeenAt) lost.push(e.value);
    else if (missedAfterKnown) stale.push(e.value);
  }
  const details = { lost, stale, neverRead, unexpected };
  const bad = lost.length > 0 || unexpected.length > 0 || (opts.linearizable === true && stale.length > 0);
  const summary = `${lost.length} lost, ${stale.length} stale, ${neverRead.length} never read, ${unexpected.length} unexpected (of ${els.size} elements, ${rs.length} reads)`;
  return { checker: 'set-full', verdict: bad ? 'illegal' : 'ok', summary, details };
}
