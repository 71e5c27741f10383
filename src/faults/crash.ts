import type { NodeId } from '../node/api.ts';
import { nodeProblem, pickNode, type FaultKind, renameOneNode } from './kind.ts';

/** The node's process dies (unsynced writes are lost) and restarts from its disk when it ends. */
export interface CrashFault {
  kind: 'crash';
  atMs: number;
  durationMs: number;
  node: NodeId;
}

export const crash: FaultKind<CrashFault> = {
  kind: 'crash',
  generate: (_name, rng, nodes, w) => ({ kind: 'crash', ...w, node: pickNode(rng, nodes) }),
  validate: (x, nodes) => nodeProblem(x, 'node', nodes),
  describe: (f) => `crash ${f.node} for ${f.durationMs} ms`,
  applies: (f, world) => world.isUp(world.nodeIndex(f.node)),
  apply: (f, world) => world.crash(world.nodeIndex(f.node)),
  revert: (f, world, index) => world.restart(world.nodeIndex(f.node), index),
  weaken: [],
  renameNodes: renameOneNode,
  clone: (f) => ({ ...f }),
  arbitrary: (fcLib, c) => fcLib.record({ kind: fcLib.constant('crash' as const), atMs: c.at, durationMs: c.duration, node: c.node }),
};
