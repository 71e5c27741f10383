import type { NodeId } from '../../src/index.ts';
import { SHARDS } from './ring.ts';

/**
 * The shard map: which replica group holds each shard, and since which configuration. Every move
 * bumps the map's version and stamps the moved shard with it, so a shard's `version` names one
 * assignment that is never reused: replicas serve a shard only for the version they installed.
 */
export interface ShardMap {
  version: number;
  shards: ShardAssignment[];
}

export interface ShardAssignment {
  /** The replicas, GROUP_SIZE of them (fewer only on smaller clusters). */
  group: NodeId[];
  /** The map version that assigned this group the shard. */
  version: number;
}

/** A reconfiguration in progress: shard `shard` goes from `from` to `to` at map version `version`. */
export interface Move {
  version: number;
  /** The client op that asked for it (a repeated request is answered, not moved again). */
  opId: number;
  shard: number;
  from: NodeId[];
  to: NodeId[];
}

/** Replicas per shard: quorums are two of three. */
export const GROUP_SIZE = 3;

/**
 * Version 0: shard s on the GROUP_SIZE nodes after position s, wrapping, so shards spread over the
 * cluster and groups overlap.
 *
 * @example
 * initialMap(['n1', 'n2', 'n3', 'n4']).shards[1].group; // ['n2', 'n3', 'n4']
 */
export function initialMap(nodes: readonly NodeId[]): ShardMap {
  const size = Math.min(GROUP_SIZE, nodes.length);
  const shards: ShardAssignment[] = [];
  for (let s = 0; s < SHARDS; s++) {
    const group: NodeId[] = [];
    for (let i = 0; i < size; i++) group.push(nodes[(s + i) % nodes.length]);
    shards.push({ group, version: 0 });
  }
  return { version: 0, shards };
}

/**
 * The next move: `shard` goes to a different group of the same size (one member, chosen by `pick`,
 * swapped for a node outside the group), at version map.version + 1.
 *
 * @example
 * planMove(initialMap(['n1', 'n2', 'n3', 'n4']), ['n1', 'n2', 'n3', 'n4'], (n) => 0, 0, 7);
 * // { version: 1, opId: 7, shard: 0, from: ['n1', 'n2', 'n3'], to: ['n4', 'n2', 'n3'] }
 */
export function planMove(map: ShardMap, nodes: readonly NodeId[], pick: (bound: number) => number, shard: number, opId: number): Move | undefined {
  const from = map.shards[shard].group;
  const outside = nodes.filter((n) => !from.includes(n));
  if (outside.length === 0) return undefined;
  const to = from.slice();
  to[pick(to.length)] = outside[pick(outside.length)];
  return { version: map.version + 1, opId, shard, from: from.slice(), to };
}

/** The map after `move` committed. */
export function applyMove(map: ShardMap, move: Move): ShardMap {
  if (move.version !== map.version + 1) throw new Error(`assertion failed: move v${move.version} onto map v${map.version}`);
  const shards = map.shards.map((a, s) => (s === move.shard ? { group: move.to.slice(), version: move.version } : a));
  return { version: move.version, shards };
}
