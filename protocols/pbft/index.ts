/** PBFT under a Byzantine nemesis: a replicated KV whose clients wait for f + 1 matching replies. */
export { pbft } from './pbft.ts';
export { PbftNode, type PbftVariant } from './node.ts';
export { pbftLies } from './lies.ts';
export { agreementAmongHonest } from './checks.ts';
