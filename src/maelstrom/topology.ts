/**
 * Broadcast topologies, as Maelstrom names them: who each node is told its neighbours are.
 * Ids are Maelstrom's (`n0..`).
 */

export const topologyNames = ['grid', 'line', 'tree2', 'tree3', 'tree4', 'total'] as const;
export type TopologyName = (typeof topologyNames)[number];

/**
 * Neighbour lists for `count` nodes, symmetric.
 *
 * @example
 * makeTopology('line', 3); // { n0: ['n1'], n1: ['n0', 'n2'], n2: ['n1'] }
 */
export function makeTopology(name: string, count: number): Record<string, string[]> {
  if (!(topologyNames as readonly string[]).includes(name)) throw new Error(`unknown topology '${name}': choose from ${topologyNames.join(', ')}`);
  const ids = Array.from({ length: count }, (_, i) => `n${i}`);
  const links = new Map<number, Set<number>>(ids.map((_, i) => [i, new Set<number>()]));
  const link = (a: number, b: number) => {
    if (a === b || a < 0 || b < 0 || a >= count || b >= count) return;
    links.get(a)!.add(b);
    links.get(b)!.add(a);
  };
  if (name === 'total') for (let a = 0; a < count; a++) for (let b = 0; b < count; b++) link(a, b);
  else if (name === 'line') for (let a = 1; a < count; a++) link(a - 1, a);
  else if (name === 'grid') {
    // Row-major in a square just big enough; right and down neighbours.
    const side = Math.max(1, Math.ceil(Math.sqrt(count)));
    for (let i = 0; i < count; i++) {
      if ((i + 1) % side !== 0) link(i, i + 1);
      link(i, i + side);
    }
  } else {
    const k = Number(name.slice(4));
    for (let i = 1; i < count; i++) link(i, Math.floor((i - 1) / k));
  }
  return Object.fromEntries(ids.map((id, i) => [id, [...links.get(i)!].sort((a, b) => a - b).map((j) => ids[j])]));
}
