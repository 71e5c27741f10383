/** Total-order broadcast with Lamport clocks. */
export { tob, tobWorkload } from './tob.ts';
export { TobNode, HEARTBEAT_MS, type TobMsg, type TobVariant } from './node.ts';
