/**
 * Dependency inference for read-write register histories (micro-ops `[w k v]`, `[r k v]`),
 * where every write to a key writes a distinct value and keys start as nil. Unlike a list, a
 * register's read shows only the last write, so the version order is known only in part:
 *
 * - nil precedes every version;
 * - a txn that read version a of k and then wrote b puts a before b (writes follow reads).
 *
 * From those: wr (the reader read the writer's value), ww (the writer of a precedes the writer
 * of b), rw (a reader of a precedes the writers of versions known to follow a), lost updates.
 */
import { showValue, valueKey } from '../../models/value.ts';
import type { Anomaly } from './anomaly.ts';
import type { DepGraph } from './graph.ts';
import { nameTxn, type Txn } from './txns.ts';

/** What rw-register inference cannot see; reported with every result. */
export const RW_REGISTER_LIMITS = [
  'the version order comes only from nil (first) and from txns that read a key and then wrote it: blind writes are unordered among themselves, so ww and rw edges between blind writers are missing and cycles through them (G0, some G-single and G2) go unseen',
  'assumes each value is written to a key at most once and never nil (as rw-register workloads do); a value written twice yields no edges and no anomalies',
  'txns that timed out (info) have no reads: only their writes, when someone read them, place them in the graph',
];

interface Write {
  txn: Txn;
  value: unknown;
  /** Written more than once: the value does not tell who wrote it, so it yields nothing. */
  ambiguous: boolean;
  /** The txn's last write of this key (a read of an earlier one is an intermediate read). */
  final: boolean;
}

/** A committed txn's first read of a key, before any write of its own to that key. */
interface ExternalRead {
  txn: Txn;
  key: string;
  keyShown: string;
  value: unknown;
  /** The value this txn then wrote last to the key, if it did: it follows `value`. */
  wrote: unknown;
  didWrite: boolean;
}

/**
 * Adds ww, wr and rw edges of an rw-register history to `g`; returns the anomalies found without
 * a cycle search (aborted, intermediate and garbage reads, internal inconsistency, lost updates).
 *
 * @example
 * const anomalies = inferRwRegister(txns, graph);
 */
export function inferRwRegister(txns: Txn[], g: DepGraph): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const writes = registerWrites(txns);
  const reads = externalReads(txns, anomalies);
  // Readers of each version, and the versions known to follow each version.
  const readersOf = new Map<string, ExternalRead[]>();
  for (const r of reads) {
    const id = `${r.key}\u0000${valueKey(r.value)}`;
    let l = readersOf.get(id);
    if (!l) readersOf.set(id, (l = []));
    l.push(r);
  }
  for (const r of reads) readAnomalies(r, writes, anomalies);
  for (const [, rs] of readersOf) {
    const k = rs[0].keyShown;
    const writers = rs.filter((r) => r.didWrite);
    if (writers.length >= 2) {
      anomalies.push({
        type: 'lost-update',
        txns: writers.map((r) => r.txn.id),
        summary: `${writers.map((r) => nameTxn(r.txn)).join(' and ')} all read ${k} = ${showValue(rs[0].value)} and then wrote ${k}: all but one of the updates is lost`,
      });
    }
    const found = rs[0].value === null ? undefined : writes.get(rs[0].key)?.get(valueKey(rs[0].value));
    const from = found?.ambiguous ? undefined : found;
    for (const r of rs) {
      if (from && from.txn.status !== 'fail') g.add(from.txn.id, r.txn.id, 'wr', () => `${nameTxn(r.txn)} read ${k} = ${showValue(r.value)}, which ${nameTxn(from.txn)} wrote`);
      for (const w of writers) {
        g.add(r.txn.id, w.txn.id, 'rw', () => `${nameTxn(r.txn)} read ${k} = ${showValue(r.value)}, and ${nameTxn(w.txn)} overwrote that version with ${showValue(w.wrote)} (it read ${showValue(r.value)} and then wrote)`);
        if (from && from.txn.status !== 'fail')
          g.add(from.txn.id, w.txn.id, 'ww', () => `${nameTxn(w.txn)} read ${k} = ${showValue(r.value)}, written by ${nameTxn(from.txn)}, then wrote ${showValue(w.wrote)}: its write follows`);
      }
      if (r.value === null) nilReaderEdges(r, writes, g);
    }
  }
  return anomalies;
}

/** A read of nil precedes every txn that wrote the key: nil is the first version. */
function nilReaderEdges(r: ExternalRead, writes: Map<string, Map<string, Write>>, g: DepGraph): void {
  for (const w of writes.get(r.key)?.values() ?? []) {
    // A write of nil makes nil a later version too: such a read is not known to come first.
    if (w.txn.status === 'fail' || !w.final || w.ambiguous || w.value === null || w.value === undefined) continue;
    g.add(r.txn.id, w.txn.id, 'rw', () => `${nameTxn(r.txn)} read ${r.keyShown} = nil (the initial version), and ${nameTxn(w.txn)} wrote ${r.keyShown} = ${showValue(w.value)}`);
  }
}

function registerWrites(txns: Txn[]): Map<string, Map<string, Write>> {
  const writes = new Map<string, Map<string, Write>>();
  for (const t of txns) {
    const last = new Map<string, Write>();
    for (const m of t.mops) {
      if (m.f !== 'w') continue;
      let w = writes.get(m.key);
      if (!w) writes.set(m.key, (w = new Map()));
      const vk = valueKey(m.value);
      const known = w.get(vk);
      if (known) {
        known.ambiguous = true;
        continue;
      }
      const prev = last.get(m.key);
      if (prev) prev.final = false;
      const entry: Write = { txn: t, value: m.value, final: true, ambiguous: false };
      last.set(m.key, entry);
      w.set(vk, entry);
    }
  }
  return writes;
}

/** First reads of each key by committed txns; later reads must agree with the txn's own view. */
function externalReads(txns: Txn[], anomalies: Anomaly[]): ExternalRead[] {
  const out: ExternalRead[] = [];
  for (const t of txns) {
    if (t.status !== 'ok') continue;
    const current = new Map<string, { value: unknown; read?: ExternalRead }>();
    for (const m of t.mops) {
      const v = m.value === undefined ? null : m.value;
      const cur = current.get(m.key);
      if (m.f === 'w') {
        if (cur?.read) Object.assign(cur.read, { wrote: v, didWrite: true });
        current.set(m.key, { value: v, read: cur?.read });
        continue;
      }
      if (cur) {
        if (valueKey(cur.value) !== valueKey(v))
          anomalies.push({ type: 'internal', txns: [t.id], summary: `${nameTxn(t)} read ${m.keyShown} = ${showValue(v)}, but its own earlier read or write of ${m.keyShown} was ${showValue(cur.value)}` });
        continue;
      }
      const read: ExternalRead = { txn: t, key: m.key, keyShown: m.keyShown, value: v, wrote: undefined, didWrite: false };
      current.set(m.key, { value: v, read });
      out.push(read);
    }
  }
  return out;
}

function readAnomalies(r: ExternalRead, writes: Map<string, Map<string, Write>>, anomalies: Anomaly[]): void {
  if (r.value === null) return;
  const w = writes.get(r.key)?.get(valueKey(r.value));
  const v = showValue(r.value);
  if (w?.ambiguous) return;
  if (!w) anomalies.push({ type: 'garbage-read', txns: [r.txn.id], summary: `${nameTxn(r.txn)} read ${r.keyShown} = ${v}, which no txn wrote` });
  else if (w.txn.status === 'fail') anomalies.push({ type: 'G1a', txns: [w.txn.id, r.txn.id], summary: `${nameTxn(r.txn)} read ${r.keyShown} = ${v}, written by ${nameTxn(w.txn)}, which failed (aborted)` });
  else if (!w.final && w.txn !== r.txn) anomalies.push({ type: 'G1b', txns: [w.txn.id, r.txn.id], summary: `${nameTxn(r.txn)} read ${r.keyShown} = ${v}, which ${nameTxn(w.txn)} overwrote later in the same txn (an intermediate state)` });
}
