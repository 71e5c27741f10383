/**
 * The Chord identifier circle: ids are M-bit numbers, a key belongs to the first node at or after
 * its id (its successor), and "between" is taken around the circle.
 */

/** Bits of the identifier space: 2^16 ids, far more than nodes, so hashed ids rarely collide. */
export const M = 16;
export const RING_SIZE = 2 ** M;

/** FNV-1a of a string, mixed and folded to M bits: a node's id from its name, a key's id from the key. */
export function ringId(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // murmur3's finalizer: FNV alone leaves n1..n9 bunched on one arc of the circle.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) % RING_SIZE;
}

/** x in the open arc (a, b) going clockwise; when a === b the arc is the whole circle but a. */
export function between(x: number, a: number, b: number): boolean {
  if (a < b) return a < x && x < b;
  return x > a || x < b;
}

/** x in the half-open arc (a, b]. */
export function betweenRight(x: number, a: number, b: number): boolean {
  return x === b || between(x, a, b);
}

/** Clockwise distance from a to b. */
export function distance(a: number, b: number): number {
  return (b - a + RING_SIZE) % RING_SIZE;
}

/** The id finger i of a node should point at the successor of: n + 2^i. */
export function fingerStart(n: number, i: number): number {
  return (n + 2 ** i) % RING_SIZE;
}

/**
 * One step of a lookup of `keyId` at a node: done when the key lies between the node and its
 * successor, else the known node that most closely precedes the key (the one to ask next).
 *
 * @example
 * nextHop('n1', 10, 'n2', 20, [['n3', 30]], 15); // { done: 'n2' }
 */
export function nextHop(
  self: string,
  selfId: number,
  succ: string,
  succId: number,
  known: ReadonlyArray<readonly [string, number]>,
  keyId: number,
): { done: string } | { next: string } {
  if (succ === self || betweenRight(keyId, selfId, succId)) return { done: succ };
  let best: string | undefined;
  let bestDist = Infinity;
  for (const [name, id] of known) {
    if (name === self || !between(id, selfId, keyId)) continue;
    const d = distance(id, keyId);
    if (d < bestDist) {
      bestDist = d;
      best = name;
    }
  }
  return best === undefined ? { done: succ } : { next: best };
}
