/** Gossip-replicated CRDTs: a PN-counter (two G-counters) and an add-wins OR-set. */
export { crdtCounter, counterType, counterValue, type CounterVariant, type GCounter, type PnCounter } from './counter.ts';
export { crdtOrSet, orSetType, orSetElements, allowedElements, type OrSet, type OrSetVariant } from './orset.ts';
export { CrdtReplica, GOSSIP_MS, type CrdtType } from './replica.ts';
export { quietConvergence, type ConvergenceSpec } from './convergence.ts';
