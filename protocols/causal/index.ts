/** Causal broadcast with vector clocks and a hold-back queue. */
export { causal, causalWorkload } from './causal.ts';
export { CausalNode, SYNC_MS, type Bcast, type CausalVariant, type VectorClock } from './node.ts';
