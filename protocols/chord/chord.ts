import { defineProtocol, type NodeCtx, type Workload } from '../../src/index.ts';
import { getsSeeAckedPuts, OpTracker, putsNeverLost, putsSurviveOneFailure, ringSettles } from './checks.ts';
import { ChordNode } from './node.ts';

/** The keys clients use: few enough that puts and gets of one key interleave, enough that some sit unwritten a while. */
export const KEYS = Array.from({ length: 12 }, (_, i) => `k${i}`);

/** Half puts of a value unique to the op, half gets, of a random key. */
export const kvWorkload: Workload = (rng, info) => {
  const key = KEYS[Math.floor(rng() * KEYS.length)];
  return rng() < 0.5 ? { f: 'put', key, value: (info.client + 1) * 100_000 + info.opIndex } : { f: 'get', key, value: null };
};

/**
 * The faults Chord is built for: churn (nodes leaving for good, abruptly or gracefully, and fresh
 * nodes with empty disks joining), crashes (a node restarting with its disk but no routing state),
 * stalls (pause) and a lossy, duplicating, clogging network. Not partitions (two halves of the
 * ring each take over the other's keys and both accept puts; Chord has no answer to that) and not
 * clock faults (put versions are last-writer-wins on the owners' clocks).
 */
export const CHORD_NEMESES = ['churn', 'crash', 'pause', 'loss-spike', 'dup-spike', 'clog'] as const;

/**
 * Churn Chord survives: one node away at a time (three copies of each key: the owner and two
 * successors), each counted until 1.5 s after it is back, time for the fresh node to take its
 * keys and for owners to push replicas again even on a slow network; 300 ms to hand off on a
 * graceful leave.
 */
export const CHORD_CHURN = { maxAway: 1, settleMs: 1500, graceMs: 300 } as const;

/**
 * How long after the heal the ring must have settled (rejoins, stabilisation, key syncs): generous,
 * since on a slow lossy network each lost answer costs a call timeout.
 */
const SETTLE_WITHIN_MS = 15_000;

export const chord = defineProtocol({
  name: 'chord',
  description: 'Chord DHT: successor lists, stabilisation, finger tables and key transfer on join and leave, with puts replicated on the successor list, under churn (nodes leaving for good, fresh nodes joining)',
  variants: {
    correct: { kind: 'correct', description: 'successor lists of 3, puts on the owner and 2 successors, keys taken over once the successor names the new node predecessor, lookups checked by the node they reach' },
    'no-successor-list': { kind: 'bug', description: 'a node knows only its successor: when that one fails (leaves, crashes, stalls) the ring breaks there, the node takes itself for the whole ring, owns every key and acknowledges puts on its own copy' },
    'early-transfer': { kind: 'bug', description: 'a joining node takes its keys from its successor as soon as it finds it, before the successor made it its predecessor, and never syncs again: puts the successor still accepts are lost' },
    'stale-fingers': { kind: 'bug', description: "a lookup is answered from the asking node's own fingers without asking on, and the node reached serves it without checking the key is in its range" },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new ChordNode(ctx as NodeCtx<never>, variant),
  workload: kvWorkload,
  checkers: () => [],
  observers: () => {
    const tracker = new OpTracker();
    return [ringSettles(tracker, SETTLE_WITHIN_MS), putsNeverLost(tracker), getsSeeAckedPuts(tracker), putsSurviveOneFailure(tracker)];
  },
  defaults: { nodes: 8, clients: 3, ops: 300, nemesis: [...CHORD_NEMESES], quietMs: 16_000 },
  minNodes: 1,
  churn: CHORD_CHURN,
});
