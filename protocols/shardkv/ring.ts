/**
 * Consistent hashing of keys to shards: every shard owns VNODES points on a 32-bit ring, and a key
 * belongs to the shard of the first point at or after the key's hash (wrapping around). Adding a
 * shard would move only the keys between its points and their predecessors; here the ring is fixed
 * and reconfiguration moves whole shards between replica groups instead.
 */

/** Shards the key space is cut into. */
export const SHARDS = 4;
/** Points per shard on the ring: enough that four shards split eight keys unevenly but none empty. */
const VNODES = 16;

/** FNV-1a, 32 bits: small, stable across platforms, good enough to spread short keys. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // FNV's low bits mix poorly on short inputs: finish with a murmur-style avalanche.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

interface Point {
  at: number;
  shard: number;
}

const RING: readonly Point[] = buildRing();

function buildRing(): Point[] {
  const points: Point[] = [];
  for (let shard = 0; shard < SHARDS; shard++) {
    for (let v = 0; v < VNODES; v++) points.push({ at: hash32(`shard-${shard}#${v}`), shard });
  }
  // Ties (two equal hashes) break on the shard number so every node builds the same ring.
  return points.sort((a, b) => a.at - b.at || a.shard - b.shard);
}

/**
 * The shard that owns `key`: the first ring point at or after hash(key), wrapping around.
 *
 * @example
 * shardOf('k3'); // a number in [0, SHARDS), the same on every node and every run
 */
export function shardOf(key: string): number {
  const h = hash32(key);
  let lo = 0;
  let hi = RING.length;
  // Binary search for the first point with at >= h.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (RING[mid].at < h) lo = mid + 1;
    else hi = mid;
  }
  return RING[lo === RING.length ? 0 : lo].shard;
}
