import { eventually } from '../../checkers/index.ts';
import { defineProtocol, type CheckingObserver, type NodeCtx, type Workload, type WorldView } from '../../src/index.ts';
import { shardKvModel } from './model.ts';
import { ShardKvNode } from './node.ts';

/** The keys clients use: few, so each key sees many concurrent ops; they hash onto all four shards. */
export const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'] as const;

/**
 * Reads and writes of a small integer on a key drawn uniformly, and now and then an operator's
 * `move` of the key's shard to another group. Moves are client ops so that the shrinker can drop
 * the ones a failure does not need.
 */
export const shardKvWorkload: Workload = (rng) => {
  const key = KEYS[Math.floor(rng() * KEYS.length)];
  const r = rng();
  if (r < MOVE_SHARE) return { f: 'move', key, value: null };
  return r < (1 + MOVE_SHARE) / 2 ? { f: 'read', key, value: null } : { f: 'write', key, value: Math.floor(rng() * 100) };
};

/** The share of ops that are moves: about ten shard moves in a run of 200 ops. */
const MOVE_SHARE = 0.05;

/**
 * After the heal: no move is left half done, and every member of each shard's group serves the
 * shard at the version the map gives it (so any two of three can answer).
 */
function shardsServedAfterHeal(withinMs: number): CheckingObserver {
  const check = eventually<WorldView>(
    'shards-served-after-heal',
    (view) => {
      const controller = view.nodes[0];
      if (!controller.up || controller.state === undefined) return `${controller.id} (the controller) is down`;
      const c = (controller.state as ShardKvNode).controller!;
      if (c.move !== undefined) return `move of shard ${c.move.shard} to v${c.move.version} still under way`;
      for (const [s, a] of c.map.shards.entries()) {
        for (const id of a.group) {
          const n = view.nodes.find((x) => x.id === id);
          const copy = n?.up && n.state !== undefined ? (n.state as ShardKvNode).replica.copy(s) : undefined;
          if (copy === undefined || !copy.serving || copy.version !== a.version) return `${id} does not serve shard ${s} at v${a.version}`;
        }
      }
      return true;
    },
    { withinMs },
  );
  return { observe: (v, at) => check.observe(v, at), markHealed: (t) => check.markHealed(t), result: () => check.result() };
}

export const shardKv = defineProtocol({
  name: 'shardkv',
  description: 'sharded key-value store: consistent hashing onto 4 shards, each an ABD quorum register per key on a group of 3; operators\' move ops make a controller move a shard to another group (freeze the old majority, install at the new, commit a versioned map)',
  variants: {
    correct: { kind: 'correct', description: 'majority reads and writes within the group; a move freezes a majority of the old group before copying; replicas serve only the shard version they installed' },
    'non-overlapping-quorums': { kind: 'bug', description: 'reads ask one replica while writes need two of three (R + W <= N): a read can miss an acknowledged write' },
    'stale-shard-map': { kind: 'bug', description: 'a replica serves a shard version it holds data for even after freezing it: coordinators with a stale map read and write at the old group after the move' },
    'copy-before-freeze': { kind: 'bug', description: 'a move copies the old group\'s data, installs it and switches the map before freezing the old group: writes the old group acknowledges in between are lost' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new ShardKvNode(ctx as NodeCtx<never>, variant),
  workload: shardKvWorkload,
  checkers: () => [{ kind: 'linearizable', model: shardKvModel() }],
  observers: () => [shardsServedAfterHeal(4000)],
  liveness: { opsCompleteWithinMs: 4000 },
  // Slow swarm networks (100 ms links) and moves under way need more than the default 1 s per op.
  defaults: { nodes: 5, opTimeoutMs: 4000, quietMs: 5000 },
  // Moves swap one member of a three-node group for a node outside it: four nodes at least.
  minNodes: 4,
});
