/**
 * The shrink cache key: a stable 64-bit hash of a candidate's canonical form. The shrinker
 * remembers every candidate it ran; keying by hash keeps a key at 16 characters where the whole
 * input as JSON was tens of kilobytes (57 KB for a 200-op run). Canonical: object keys are hashed
 * in sorted order, so two equal inputs built by different spreads get the same key. A false hit
 * (a candidate wrongly taken as already tried) has odds of about n^2 / 2^65, below 1e-10 for the
 * 20,000 runs of the default budget; and like everything here it would be the same on every
 * machine, so it could cost minimality in theory but never determinism.
 */
import { Hasher } from '../kernel/hash.ts';
import { assert, type ExplicitInput } from './input.ts';

/** Candidate inputs are plain JSON-like data: deeper nesting than this is a shrinker bug. */
const MAX_DEPTH = 32;

/**
 * The cache key of a candidate input.
 *
 * @example
 * inputKey(a) === inputKey({ ...a }); // true: equal data, equal key
 */
export function inputKey(c: ExplicitInput): string {
  const h = new Hasher();
  hashValue(h, c.options, 0);
  hashValue(h, c.ops, 0);
  hashValue(h, c.faults, 0);
  hashNumbers(h, c.tape.values);
  hashNumbers(h, c.tape.kinds);
  hashNumbers(h, c.tape.causes ?? []);
  return h.hex();
}

/**
 * A seed for the schedules tried for one candidate, derived from its key (so deterministic).
 *
 * @example
 * scheduleSeed(inputKey(c)); // an integer below 2^48
 */
export function scheduleSeed(key: string): number {
  return parseInt(key.slice(0, 12), 16);
}

function hashNumbers(h: Hasher, xs: readonly number[]): void {
  h.int(xs.length);
  for (const x of xs) h.num(x);
}

function hashValue(h: Hasher, v: unknown, depth: number): void {
  assert(depth <= MAX_DEPTH, 'a shrink candidate is nested too deep to hash');
  if (v === null || v === undefined) {
    h.int(v === null ? 1 : 2);
  } else if (typeof v === 'number') {
    h.int(3);
    h.num(v);
  } else if (typeof v === 'string') {
    h.int(4);
    h.str(v);
  } else if (typeof v === 'boolean') {
    h.int(v ? 5 : 6);
  } else if (typeof v === 'bigint') {
    h.int(7);
    h.str(v.toString());
  } else if (Array.isArray(v)) {
    h.int(8);
    h.int(v.length);
    for (const x of v) hashValue(h, x, depth + 1);
  } else if (v instanceof Map || v instanceof Set) {
    // In iteration order: the simulator itself treats that order as part of the value.
    h.int(v instanceof Map ? 10 : 11);
    h.int(v.size);
    for (const x of v instanceof Map ? [...v].flat() : v) hashValue(h, x, depth + 1);
  } else if (v instanceof Uint8Array) {
    h.int(12);
    hashNumbers(h, [...v]);
  } else if (typeof v === 'object') {
    // Keys sorted: the key depends on the data, never on the order a spread put the fields in.
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    h.int(9);
    h.int(keys.length);
    for (const k of keys) {
      h.str(k);
      hashValue(h, (v as Record<string, unknown>)[k], depth + 1);
    }
  } else {
    assert(false, `a shrink candidate holds a ${typeof v}`);
  }
}
