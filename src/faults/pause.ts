import type { NodeId } from '../node/api.ts';
import { nodeProblem, pickNode, type FaultKind, renameOneNode } from './kind.ts';

/**
 * The node's process stops (a GC pause, a SIGSTOP): nothing it receives or set runs until the pause
 * ends; then it handles what fell due, in the order it fell due, before anything newer.
 */
export interface PauseFault {
  kind: 'pause';
  atMs: number;
  durationMs: number;
  node: NodeId;
}

export const pause: FaultKind<PauseFault> = {
  kind: 'pause',
  generate: (_name, rng, nodes, w) => ({ kind: 'pause', ...w, node: pickNode(rng, nodes) }),
  validate: (x, nodes) => nodeProblem(x, 'node', nodes),
  describe: (f) => `pause ${f.node} for ${f.durationMs} ms`,
  applies(f, world) {
    const n = world.nodeIndex(f.node);
    return world.isUp(n) && !world.isPaused(n);
  },
  apply: (f, world, index) => world.pause(world.nodeIndex(f.node), index),
  revert: (f, world, index) => world.resume(world.nodeIndex(f.node), index),
  weaken: [],
  renameNodes: renameOneNode,
  clone: (f) => ({ ...f }),
  arbitrary: (fcLib, c) => fcLib.record({ kind: fcLib.constant('pause' as const), atMs: c.at, durationMs: c.duration, node: c.node }),
};
