/** Bully leader election with a heartbeat failure detector, and the single-writer log its leader keeps. */
export { election, appendWorkload } from './election.ts';
export { ElectionNode, SUSPECT_AFTER_MS, TICK_MS, type ElectionVariant, type Entry } from './node.ts';
