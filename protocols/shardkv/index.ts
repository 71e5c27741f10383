/** Sharded key-value store over quorum-replicated shards, with shard moves. */
export { shardKv, shardKvWorkload, KEYS } from './shardkv.ts';
export { ShardKvNode, type ShardKvVariant } from './node.ts';
export { shardOf, hash32, SHARDS } from './ring.ts';
export { shardKvModel, type MoveInput } from './model.ts';
export { initialMap, planMove, applyMove, GROUP_SIZE, type ShardMap, type Move } from './shard-map.ts';
