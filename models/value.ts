/**
 * Hashing, equality and display of plain JSON-like values (null, numbers, strings, booleans,
 * arrays, objects). Models use these so that states of any shape can be cached by the checker.
 */

/**
 * A 32-bit structural hash; equal values (per `equalValue`) hash equally.
 *
 * @example
 * hashValue([1, 'a']) === hashValue([1, 'a']); // true
 */
export function hashValue(v: unknown): number {
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? mix(v | 0) : hashString(String(v));
    case 'string':
      return hashString(v);
    case 'boolean':
      return v ? 0x2f1a7c3b : 0x5e3d8a41;
    case 'undefined':
      return 0x1b873593;
    case 'bigint':
      return hashString(v.toString());
    case 'object': {
      if (v === null) return 0x6c8e9cf5;
      let h = Array.isArray(v) ? 0x3c6ef372 : 0x7f4a7c15;
      if (Array.isArray(v)) {
        for (const x of v) h = mix(h ^ hashValue(x)) + 0x9e3779b9;
      } else {
        // Key order must not matter: sum per-entry hashes.
        let sum = 0;
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) sum = (sum + mix(hashString(k) ^ hashValue(x))) | 0;
        h ^= sum;
      }
      return mix(h);
    }
    default:
      return 0;
  }
}

/** FNV-1a over UTF-16 code units. @example hashString('abc') */
export function hashString(s: string): number {
  return extendStringHash(0x811c9dc5, s);
}

/**
 * FNV-1a is a left fold, so the hash of `a + b` continues from the hash of `a`: a model that
 * appends to strings keeps its hash in O(appended length), never rehashing (or flattening) the
 * whole string.
 *
 * @example
 * extendStringHash(hashString('ab'), 'c') === hashString('abc'); // true
 */
export function extendStringHash(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** A 32-bit finaliser (murmur3's fmix). @example mix(7) */
export function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * Deep structural equality of JSON-like values (object key order ignored).
 *
 * @example
 * equalValue({ a: [1] }, { a: [1] }); // true
 */
export function equalValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalValue(a[i], bb[i])) return false;
    return true;
  }
  const ka = Object.keys(a as object);
  if (ka.length !== Object.keys(b as object).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!equalValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * A short readable rendering for reports (JSON, but `undefined` shows as `?`).
 *
 * @example
 * showValue([1, null]); // '[1,null]'
 */
export function showValue(v: unknown): string {
  if (v === undefined) return '?';
  if (typeof v === 'bigint') return `${v}n`;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

/**
 * A canonical string key for a value, for use in Maps/Sets (equal values, equal keys).
 *
 * @example
 * valueKey({ b: 1, a: 2 }) === valueKey({ a: 2, b: 1 }); // true
 */
export function valueKey(v: unknown): string {
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return `p${String(v)}`;
  if (typeof v === 'bigint') return `n${v}`;
  if (Array.isArray(v)) return `[${v.map(valueKey).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${valueKey(o[k])}`).join(',')}}`;
}
