import type { HistoryOp } from '../src/history/types.ts';
import { ModelInputError, type Model } from './model.ts';
import { equalValue, extendStringHash, hashString, hashValue, mix, showValue } from './value.ts';

/** A key-value op on one key: `get` (output = value), `put v`, `append v`, `cas [from, to]`. */
export type KvInput =
  | { f: 'get'; key: string }
  | { f: 'put' | 'append'; key: string; value: unknown }
  | { f: 'cas'; key: string; from: unknown; to: unknown };

/**
 * The store: a persistent list of entries sorted by key (`null` is the empty store), holding only
 * keys whose value differs from the initial one, so equal stores have equal lists. Setting a key
 * copies the entries before it and shares the rest: a partitioned check has one key per state, so
 * a step allocates one entry. Each value's hash is kept beside it and extended (not recomputed)
 * on a string append, as appended strings grow long.
 */
export type KvState = KvEntry | null;

export interface KvEntry {
  readonly key: string;
  readonly value: unknown;
  /** `hashValue(value)`. */
  readonly valueHash: number;
  /** Sum of the entry hashes of this entry and the rest. */
  readonly h: number;
  readonly rest: KvState;
}

/**
 * A key-value store partitioned by key (each key is checked on its own, like Jepsen's independent
 * keys). A missing key reads as `initial` (default `null`; Porcupine's kv files use `""`).
 * `append` concatenates strings, or pushes onto an array value.
 *
 * @example
 * const m = kvModel({ initial: '' });
 * const s = m.step(m.init(), { f: 'append', key: 'k', value: 'x' }, true)!;
 * m.step(s, { f: 'get', key: 'k' }, 'x') !== undefined; // true
 */
export function kvModel(opts: { initial?: unknown } = {}): Model<KvState, KvInput, unknown> {
  const initial = opts.initial === undefined ? null : opts.initial;
  const initialHash = hashValue(initial);
  const entryHash = (k: string, vh: number) => mix(hashString(k) ^ Math.imul(vh, 0x9e3779b1));
  const find = (s: KvState, k: string): KvEntry | null => {
    for (let e = s; e !== null && e.key <= k; e = e.rest) if (e.key === k) return e;
    return null;
  };
  const get = (s: KvState, k: string) => {
    const e = find(s, k);
    return e === null ? initial : e.value;
  };
  const sumOf = (s: KvState) => (s === null ? 0 : s.h);
  /** The store with `k` set to `v` (hash `vh`): entries before `k` are copied, the rest shared. */
  const set = (s: KvState, k: string, v: unknown, vh: number): KvState => {
    if (s === null || s.key > k) {
      if (vh === initialHash && equalValue(v, initial)) return s;
      return { key: k, value: v, valueHash: vh, h: (sumOf(s) + entryHash(k, vh)) | 0, rest: s };
    }
    if (s.key === k) {
      if (s.valueHash === vh && equalValue(s.value, v)) return s;
      if (vh === initialHash && equalValue(v, initial)) return s.rest;
      return { key: k, value: v, valueHash: vh, h: (sumOf(s.rest) + entryHash(k, vh)) | 0, rest: s.rest };
    }
    const rest = set(s.rest, k, v, vh);
    return rest === s.rest ? s : { key: s.key, value: s.value, valueHash: s.valueHash, h: (sumOf(rest) + entryHash(s.key, s.valueHash)) | 0, rest };
  };
  const append = (s: KvState, k: string, x: unknown): KvState => {
    const e = find(s, k);
    const cur = e === null ? initial : e.value;
    if (Array.isArray(cur)) {
      const next = [...cur, x];
      return set(s, k, next, hashValue(next));
    }
    const add = String(x);
    const curHash = typeof cur === 'string' ? (e === null ? initialHash : e.valueHash) : hashString(`${cur ?? ''}`);
    return set(s, k, `${cur ?? ''}` + add, extendStringHash(curHash, add));
  };
  return {
    name: 'kv',
    init: () => null,
    step(s, input, output) {
      switch (input.f) {
        case 'get':
          return output === undefined || equalValue(get(s, input.key), output) ? s : undefined;
        case 'put':
          return set(s, input.key, input.value, hashValue(input.value));
        case 'append':
          return append(s, input.key, input.value);
        case 'cas':
          return equalValue(get(s, input.key), input.from) ? set(s, input.key, input.to, hashValue(input.to)) : undefined;
      }
    },
    equal(a, b) {
      for (; a !== b; a = a.rest, b = b.rest) {
        if (a === null || b === null || a.h !== b.h || a.key !== b.key || a.valueHash !== b.valueHash || !equalValue(a.value, b.value)) return false;
      }
      return true;
    },
    hash: (s) => sumOf(s),
    fromOp(inv: HistoryOp, done: HistoryOp | undefined) {
      if (inv.key === undefined || inv.key === null) throw new ModelInputError(`kv op ${inv.f} has no key`);
      const key = String(inv.key);
      const ok = done ? true : undefined;
      switch (inv.f) {
        case 'get':
        case 'read':
          return { input: { f: 'get', key }, output: done ? (done.value === undefined ? null : done.value) : undefined };
        case 'put':
        case 'write':
          return { input: { f: 'put', key, value: inv.value === undefined ? null : inv.value }, output: ok };
        case 'append':
          return { input: { f: 'append', key, value: inv.value }, output: ok };
        case 'cas': {
          const v = inv.value;
          if (!Array.isArray(v) || v.length !== 2) throw new ModelInputError(`cas expects a value [from, to], got ${showValue(v)}`);
          return { input: { f: 'cas', key, from: v[0], to: v[1] }, output: ok };
        }
        default:
          throw new ModelInputError(`unknown op f=${JSON.stringify(inv.f)} for kv (expected get, put, append, cas)`);
      }
    },
    partition: (input) => input.key,
    readOnly: (input) => input.f === 'get',
    describeOp(input, output) {
      switch (input.f) {
        case 'get':
          return `get ${input.key} -> ${showValue(output)}`;
        case 'put':
        case 'append':
          return `${input.f} ${input.key} ${showValue(input.value)}`;
        case 'cas':
          return `cas ${input.key} ${showValue(input.from)}->${showValue(input.to)}`;
      }
    },
    describeState(s) {
      const parts: string[] = [];
      for (let e = s; e !== null; e = e.rest) parts.push(`${JSON.stringify(e.key)}: ${showValue(e.value)}`);
      return `{${parts.join(', ')}}`;
    },
  };
}
