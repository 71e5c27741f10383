import type { HistoryOp } from '../src/history/types.ts';
import { ModelInputError, type Model } from './model.ts';
import { equalValue, hashString, hashValue, mix, showValue } from './value.ts';

/** A key-value op on one key: `get` (output = value), `put v`, `append v`, `cas [from, to]`. */
export type KvInput =
  | { f: 'get'; key: string }
  | { f: 'put' | 'append'; key: string; value: unknown }
  | { f: 'cas'; key: string; from: unknown; to: unknown };

/** The store: keys holding the initial value are absent, so equal stores have equal maps. */
export interface KvState {
  readonly map: ReadonlyMap<string, unknown>;
  /** Sum of per-entry hashes, kept incrementally. */
  readonly h: number;
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
  const entryHash = (k: string, v: unknown) => mix(hashString(k) ^ Math.imul(hashValue(v), 0x9e3779b1));
  const get = (s: KvState, k: string) => (s.map.has(k) ? s.map.get(k) : initial);
  const set = (s: KvState, k: string, v: unknown): KvState => {
    const old = get(s, k);
    if (equalValue(old, v)) return s;
    const map = new Map(s.map);
    let h = s.map.has(k) ? s.h - entryHash(k, old) : s.h;
    if (equalValue(v, initial)) map.delete(k);
    else {
      map.set(k, v);
      h += entryHash(k, v);
    }
    return { map, h: h | 0 };
  };
  return {
    name: 'kv',
    init: () => ({ map: new Map(), h: 0 }),
    step(s, input, output) {
      switch (input.f) {
        case 'get':
          return output === undefined || equalValue(get(s, input.key), output) ? s : undefined;
        case 'put':
          return set(s, input.key, input.value);
        case 'append': {
          const cur = get(s, input.key);
          const next = Array.isArray(cur) ? [...cur, input.value] : `${cur ?? ''}${String(input.value)}`;
          return set(s, input.key, next);
        }
        case 'cas':
          return equalValue(get(s, input.key), input.from) ? set(s, input.key, input.to) : undefined;
      }
    },
    equal(a, b) {
      if (a === b) return true;
      if (a.h !== b.h || a.map.size !== b.map.size) return false;
      for (const [k, v] of a.map) if (!b.map.has(k) || !equalValue(v, b.map.get(k))) return false;
      return true;
    },
    hash: (s) => s.h,
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
      const keys = [...s.map.keys()].sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}: ${showValue(s.map.get(k))}`).join(', ')}}`;
    },
  };
}
