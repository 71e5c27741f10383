/** Chord DHT with a replicated key-value store, under nodes leaving and rejoining. */
export { chord, kvWorkload, KEYS, CHORD_NEMESES, CHORD_CHURN } from './chord.ts';
export { ChordNode, TICK_MS, compareVersions, type ChordVariant, type Entry, type Version } from './node.ts';
export { ringProblem, resolve, OpTracker } from './checks.ts';
export { ringId, between, betweenRight, nextHop } from './ring.ts';
