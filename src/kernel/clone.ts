import type { Hasher } from './hash.ts';

/** Raised when a message or stored value is not plain data (a function, a class instance, a cycle). */
export class NotPlainDataError extends Error {
  constructor(
    readonly what: string,
    readonly path: string,
  ) {
    super(
      `${what} at ${path || '(root)'} is not plain data: messages and stored values cross by value, ` +
        'so use objects, arrays, strings, numbers, booleans, null, Map, Set or Uint8Array',
    );
    this.name = 'NotPlainDataError';
  }
}

/** Builds the path only when a walk fails, so the hot path allocates no strings. */
function within(e: unknown, step: string): never {
  if (e instanceof NotPlainDataError) throw new NotPlainDataError(e.what, step + e.path);
  throw e;
}

const MAX_DEPTH = 64;

/**
 * Deep-copies plain data and feeds its structure into `hasher` in the same walk, so that a message
 * crosses the simulated network by value (no receiver aliases the sender's object) and its content
 * counts in the run's fingerprint, for the price of one traversal.
 *
 * @example
 * const copy = cloneAndHash({ type: 'ping', n: 1 }, new Hasher());
 */
export function cloneAndHash<T>(value: T, hasher: Hasher): T {
  return walk(value, hasher, 0) as T;
}

/** Deep-copies plain data (see `cloneAndHash`). */
export function clonePlain<T>(value: T): T {
  return walk(value, undefined, 0) as T;
}

function walk(v: unknown, h: Hasher | undefined, depth: number): unknown {
  switch (typeof v) {
    case 'number':
      h?.int(1);
      h?.num(v);
      return v;
    case 'string':
      h?.int(2);
      h?.str(v);
      return v;
    case 'boolean':
      h?.int(v ? 3 : 4);
      return v;
    case 'undefined':
      h?.int(5);
      return v;
    case 'bigint':
      // Not JSON: a history or trace holding one could not be saved (--out, corpus entries).
      throw new NotPlainDataError('a bigint (not JSON data: send it as a string or a number)', '');
    case 'object':
      break;
    default:
      throw new NotPlainDataError(`a ${typeof v}`, '');
  }
  if (v === null) {
    h?.int(7);
    return v;
  }
  if (depth > MAX_DEPTH) throw new NotPlainDataError(`a value nested deeper than ${MAX_DEPTH} (a cycle?)`, '');
  if (Array.isArray(v)) {
    h?.int(8);
    h?.int(v.length);
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      try {
        out[i] = walk(v[i], h, depth + 1);
      } catch (e) {
        within(e, `[${i}]`);
      }
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    h?.int(9);
    const out: Record<string, unknown> = {};
    // Own keys only (a polluted Object.prototype adds nothing), in for-in order.
    for (const key of Object.keys(v)) {
      h?.str(key);
      let copy: unknown;
      try {
        copy = walk((v as Record<string, unknown>)[key], h, depth + 1);
      } catch (e) {
        within(e, '.' + key);
      }
      // An own `__proto__` key (JSON.parse makes them) stays a key: assigning it would set the
      // copy's prototype instead.
      if (key === '__proto__') Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
      else out[key] = copy;
    }
    return out;
  }
  if (v instanceof Map) {
    h?.int(10);
    h?.int(v.size);
    const out = new Map();
    for (const [k, x] of v) out.set(walk(k, h, depth + 1), walk(x, h, depth + 1));
    return out;
  }
  if (v instanceof Set) {
    h?.int(11);
    h?.int(v.size);
    const out = new Set();
    for (const x of v) out.add(walk(x, h, depth + 1));
    return out;
  }
  if (v instanceof Uint8Array) {
    h?.int(12);
    h?.int(v.length);
    if (h) for (let i = 0; i < v.length; i++) h.int(v[i]);
    return v.slice();
  }
  throw new NotPlainDataError(`an instance of ${proto?.constructor?.name ?? 'an unknown class'}`, '');
}
