/**
 * Dependency inference for list-append histories (micro-ops `[append k v]`, `[r k [v...]]`),
 * where every append to a key adds a distinct value: each read of a list is a prefix of the
 * key's version order, so the longest read orders every element it holds.
 *
 * - ww: consecutive elements of that order, by different txns.
 * - wr: a txn's read ends with an element another txn appended.
 * - rw: a txn's read stops before an element, so it precedes the element's writer; an element
 *   acknowledged but never read comes after every read of its key.
 */
import { showValue, valueKey } from '../../models/value.ts';
import type { Anomaly } from './anomaly.ts';
import type { DepGraph } from './graph.ts';
import { nameTxn, type Txn } from './txns.ts';

interface Writer {
  txn: Txn;
  value: unknown;
  /** Appended more than once: the element does not tell who wrote it, so it yields nothing. */
  ambiguous: boolean;
  /** The value this txn appended next to the same key, if any (so this one is intermediate). */
  next: unknown;
  hasNext: boolean;
}

/** One read of a key by a committed txn: what it saw from the store (own appends removed). */
interface ExternalRead {
  txn: Txn;
  key: string;
  keyShown: string;
  list: unknown[];
}

/** What list-append inference cannot see; reported with every result. */
export const LIST_APPEND_LIMITS = [
  'an element no read ever saw has no known position: its writer gets rw edges from every reader of the key, but no ww edges',
  'txns that timed out (info) and whose appends no read saw may not have happened: they get no edges',
  'assumes each value is appended to a key at most once (as list-append workloads do); a value appended twice yields no edges and no anomalies',
];

/**
 * Adds ww, wr and rw edges of a list-append history to `g` and returns the anomalies found
 * without a cycle search (aborted, intermediate and garbage reads, duplicates, incompatible
 * orders, internal inconsistencies).
 *
 * @example
 * const anomalies = inferListAppend(txns, graph);
 */
export function inferListAppend(txns: Txn[], g: DepGraph): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const writers = appendWriters(txns);
  const reads = externalReads(txns, anomalies);
  const byKey = new Map<string, ExternalRead[]>();
  for (const r of reads) {
    let l = byKey.get(r.key);
    if (!l) byKey.set(r.key, (l = []));
    l.push(r);
  }
  for (const [key, rs] of byKey) {
    const w = writers.get(key) ?? new Map<string, Writer>();
    for (const r of rs) checkElements(r, w, anomalies);
    const order = versionOrder(rs, anomalies);
    if (!order) continue;
    edgesForKey(order, rs, w, g);
  }
  return anomalies;
}

function appendWriters(txns: Txn[]): Map<string, Map<string, Writer>> {
  const writers = new Map<string, Map<string, Writer>>();
  for (const t of txns) {
    const last = new Map<string, Writer>();
    for (const m of t.mops) {
      if (m.f !== 'append') continue;
      let w = writers.get(m.key);
      if (!w) writers.set(m.key, (w = new Map()));
      const vk = valueKey(m.value);
      const known = w.get(vk);
      if (known) {
        known.ambiguous = true;
        continue;
      }
      const entry: Writer = { txn: t, value: m.value, ambiguous: false, next: undefined, hasNext: false };
      const prev = last.get(m.key);
      if (prev) Object.assign(prev, { next: m.value, hasNext: true });
      last.set(m.key, entry);
      w.set(vk, entry);
    }
  }
  return writers;
}

/**
 * The reads committed txns made of the store: each key's first read, with the txn's own earlier
 * appends stripped. Later reads must equal the first plus the txn's appends since (else
 * `internal`).
 */
function externalReads(txns: Txn[], anomalies: Anomaly[]): ExternalRead[] {
  const out: ExternalRead[] = [];
  for (const t of txns) {
    if (t.status !== 'ok') continue;
    const seen = new Map<string, unknown[]>(); // what the txn must see next, per key
    const own = new Map<string, unknown[]>(); // own appends before the first read
    for (const m of t.mops) {
      if (m.f === 'append') {
        const s = seen.get(m.key);
        if (s) s.push(m.value);
        else {
          const o = own.get(m.key) ?? [];
          o.push(m.value);
          own.set(m.key, o);
        }
        continue;
      }
      const list = (m.value ?? []) as unknown[];
      const expected = seen.get(m.key);
      if (expected) {
        if (!sameList(expected, list))
          anomalies.push({ type: 'internal', txns: [t.id], summary: `${nameTxn(t)} read ${m.keyShown} = ${showValue(list)}, but its own earlier read and appends imply ${showValue(expected)}` });
        continue;
      }
      const mine = own.get(m.key) ?? [];
      const tail = list.slice(list.length - mine.length);
      if (mine.length > 0 && (list.length < mine.length || !sameList(tail, mine))) {
        anomalies.push({ type: 'internal', txns: [t.id], summary: `${nameTxn(t)} appended ${showValue(mine)} to ${m.keyShown}, then read ${showValue(list)}, which does not end with its own appends` });
        seen.set(m.key, [...list]);
        continue;
      }
      seen.set(m.key, [...list]);
      out.push({ txn: t, key: m.key, keyShown: m.keyShown, list: list.slice(0, list.length - mine.length) });
    }
  }
  return out;
}

/** Per-element read anomalies: duplicates, garbage, aborted and intermediate reads. */
function checkElements(r: ExternalRead, writers: Map<string, Writer>, anomalies: Anomaly[]): void {
  const keys = r.list.map(valueKey);
  const dup = keys.findIndex((k, i) => keys.indexOf(k) !== i);
  if (dup >= 0) anomalies.push({ type: 'duplicate-elements', txns: [r.txn.id], summary: `${nameTxn(r.txn)} read ${r.keyShown} = ${showValue(r.list)}, holding ${showValue(r.list[dup])} twice` });
  for (let i = 0; i < r.list.length; i++) {
    const w = writers.get(keys[i]);
    if (w?.ambiguous) continue;
    if (!w) {
      const v = showValue(r.list[i]);
      anomalies.push({ type: 'garbage-read', txns: [r.txn.id], summary: `${nameTxn(r.txn)} read ${r.keyShown} = ${showValue(r.list)}, but no txn appended ${v} to ${r.keyShown}` });
      continue;
    }
    if (w.txn.status === 'fail') {
      const v = showValue(r.list[i]);
      anomalies.push({ type: 'G1a', txns: [w.txn.id, r.txn.id], summary: `${nameTxn(r.txn)} read ${v} in ${r.keyShown} = ${showValue(r.list)}, appended by ${nameTxn(w.txn)}, which failed (aborted)` });
      continue;
    }
    if (w.txn !== r.txn && w.hasNext && (i + 1 >= r.list.length || valueKey(w.next) !== keys[i + 1])) {
      const v = showValue(r.list[i]);
      anomalies.push({
        type: 'G1b',
        txns: [w.txn.id, r.txn.id],
        summary: `${nameTxn(r.txn)} read ${r.keyShown} = ${showValue(r.list)}: it saw ${v} but not ${showValue(w.next)}, which ${nameTxn(w.txn)} appended right after it in the same txn (an intermediate state)`,
      });
    }
  }
}

/** The longest read, if every read is a prefix of it; otherwise an `incompatible-order` anomaly. */
function versionOrder(rs: ExternalRead[], anomalies: Anomaly[]): ExternalRead | undefined {
  let longest = rs[0];
  for (const r of rs) if (r.list.length > longest.list.length) longest = r;
  const lk = longest.list.map(valueKey);
  for (const r of rs) {
    if (r.list.every((v, i) => valueKey(v) === lk[i])) continue;
    anomalies.push({
      type: 'incompatible-order',
      txns: [longest.txn.id, r.txn.id],
      summary: `${nameTxn(longest.txn)} read ${r.keyShown} = ${showValue(longest.list)} and ${nameTxn(r.txn)} read ${showValue(r.list)}: neither is a prefix of the other`,
    });
    return undefined;
  }
  return longest;
}

function edgesForKey(order: ExternalRead, rs: ExternalRead[], writers: Map<string, Writer>, g: DepGraph): void {
  const L = order.list;
  const k = order.keyShown;
  const who = (v: unknown) => {
    const w = writers.get(valueKey(v));
    return w && !w.ambiguous ? w : undefined;
  };
  for (let i = 0; i + 1 < L.length; i++) {
    const a = who(L[i]);
    const b = who(L[i + 1]);
    if (!a || !b || a.txn.status === 'fail' || b.txn.status === 'fail') continue;
    g.add(a.txn.id, b.txn.id, 'ww', () => `${nameTxn(a.txn)} appended ${showValue(L[i])} to ${k} just before ${nameTxn(b.txn)} appended ${showValue(L[i + 1])} (order of ${k} from ${nameTxn(order.txn)}'s read ${showValue(L)})`);
  }
  const inOrder = new Set(L.map(valueKey));
  const unread = [...writers.entries()].filter(([vk, w]) => !inOrder.has(vk) && !w.ambiguous && w.txn.status === 'ok');
  for (const r of rs) {
    const n = r.list.length;
    if (n > 0) {
      const w = who(r.list[n - 1]);
      if (w && w.txn.status !== 'fail') g.add(w.txn.id, r.txn.id, 'wr', () => `${nameTxn(r.txn)} read ${k} = ${showValue(r.list)}, ending with ${showValue(r.list[n - 1])}, which ${nameTxn(w.txn)} appended`);
    }
    if (n < L.length) {
      const w = who(L[n]);
      if (w && w.txn.status !== 'fail') g.add(r.txn.id, w.txn.id, 'rw', () => `${nameTxn(r.txn)} read ${k} = ${showValue(r.list)} without ${showValue(L[n])}, which ${nameTxn(w.txn)} appended next`);
    }
    for (const [, w] of unread) {
      g.add(r.txn.id, w.txn.id, 'rw', () => `${nameTxn(r.txn)} read ${k} = ${showValue(r.list)} without ${showValue(w.value)}, which ${nameTxn(w.txn)} appended (acknowledged but in no read, so after every read of ${k})`);
    }
  }
}

function sameList(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => valueKey(v) === valueKey(b[i]));
}
