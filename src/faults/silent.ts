import type { NodeId } from '../node/api.ts';
import { pickByzantine } from './byzantine.ts';
import { nodeProblem, type FaultKind, renameOneNode } from './kind.ts';

/**
 * A Byzantine node that sends nothing while it lasts but stays up: it still receives, runs its
 * timers and answers clients. Unlike a crash, its peers cannot tell it from a slow node, and
 * unlike a partition it keeps hearing everything.
 */
export interface SilentFault {
  kind: 'silent';
  atMs: number;
  durationMs: number;
  node: NodeId;
}

export const silent: FaultKind<SilentFault> = {
  kind: 'silent',
  byzantine: true,
  generate: (_name, rng, _nodes, w, byzantine = []) => ({ kind: 'silent', ...w, node: pickByzantine(rng, byzantine) }),
  validate: (x, nodes) => nodeProblem(x, 'node', nodes),
  describe: (f) => `${f.node} silent (Byzantine: sends nothing) for ${f.durationMs} ms`,
  applies: () => true,
  apply: (f, world) => world.silence(world.nodeIndex(f.node), 1),
  revert: (f, world) => world.silence(world.nodeIndex(f.node), -1),
  weaken: [],
  renameNodes: renameOneNode,
  clone: (f) => ({ ...f }),
  arbitrary: (fcLib, c) => fcLib.record({ kind: fcLib.constant('silent' as const), atMs: c.at, durationMs: c.duration, node: c.byzantineNode ?? c.node }),
};
