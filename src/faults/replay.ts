import type { NodeId } from '../node/api.ts';
import { drawSeed, MAX_FAULT_SEED, pickByzantine, seedProblem } from './byzantine.ts';
import { nodeProblem, type FaultKind, renameOneNode } from './kind.ts';

/**
 * A Byzantine node that re-sends old messages of its own: `perSecond` times a second (of virtual
 * time), one message it sent earlier in the run (from the last few it sent), drawn from the
 * fault's `seed`, goes out again to its original receiver. Stale prepares, old votes and
 * superseded views arrive as if new.
 */
export interface ReplayFault {
  kind: 'replay';
  atMs: number;
  durationMs: number;
  node: NodeId;
  /** Replays per second of virtual time (1..1000). */
  perSecond: number;
  seed: number;
}

/** The tick phase of a replay (it has one). */
const REPLAY = 0;

export const replay: FaultKind<ReplayFault> = {
  kind: 'replay',
  byzantine: true,
  generate: (_name, rng, _nodes, w, byzantine = []) => ({
    kind: 'replay',
    ...w,
    node: pickByzantine(rng, byzantine),
    perSecond: [20, 100, 500][Math.floor(rng() * 3)],
    seed: drawSeed(rng),
  }),
  validate(x, nodes) {
    const node = nodeProblem(x, 'node', nodes);
    if (node) return node;
    if (!(typeof x.perSecond === 'number' && Number.isInteger(x.perSecond) && x.perSecond >= 1 && x.perSecond <= 1000)) {
      return 'perSecond must be a whole number from 1 to 1000';
    }
    return seedProblem(x);
  },
  describe: (f) => `${f.node} replays old messages (Byzantine: ${f.perSecond}/s) for ${f.durationMs} ms`,
  applies: () => true,
  apply(f, world, index) {
    const n = world.nodeIndex(f.node);
    world.replayStart(n, index, f.seed);
    world.scheduleTick(index, n, gapMs(f), REPLAY);
  },
  revert: (f, world, index) => world.replayStop(world.nodeIndex(f.node), index),
  tick(f, world, index) {
    const n = world.nodeIndex(f.node);
    world.replayOne(n, index);
    world.scheduleTick(index, n, gapMs(f), REPLAY);
  },
  weaken: [{ type: 'number', min: 1, get: (f) => f.perSecond, set: (f, v) => ({ ...f, perSecond: v }) }],
  renameNodes: renameOneNode,
  clone: (f) => ({ ...f }),
  arbitrary: (fcLib, c) =>
    fcLib.record({
      kind: fcLib.constant('replay' as const),
      atMs: c.at,
      durationMs: c.duration,
      node: c.byzantineNode ?? c.node,
      perSecond: fcLib.integer({ min: 1, max: 1000 }),
      seed: fcLib.integer({ min: 0, max: MAX_FAULT_SEED }),
    }),
};

function gapMs(f: ReplayFault): number {
  return Math.max(1, Math.round(1000 / f.perSecond));
}
