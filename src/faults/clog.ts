import type { NodeId } from '../node/api.ts';
import { nodeProblem, pickNode, type FaultKind } from './kind.ts';

/** The directed link `from -> to` holds every message until the clog ends, then delivers them. */
export interface ClogFault {
  kind: 'clog';
  atMs: number;
  durationMs: number;
  from: NodeId;
  to: NodeId;
}

export const clog: FaultKind<ClogFault> = {
  kind: 'clog',
  generate(_name, rng, nodes, w) {
    const from = pickNode(rng, nodes);
    const others = nodes.filter((n) => n !== from);
    return { kind: 'clog', ...w, from, to: others.length ? pickNode(rng, others) : from };
  },
  validate: (x, nodes) => nodeProblem(x, 'from', nodes) ?? nodeProblem(x, 'to', nodes),
  describe: (f) => `clog ${f.from}->${f.to} for ${f.durationMs} ms`,
  applies: () => true,
  apply: (f, world) => world.clogLink(world.nodeIndex(f.from), world.nodeIndex(f.to)),
  revert: (f, world) => world.unclogLink(world.nodeIndex(f.from), world.nodeIndex(f.to)),
  weaken: [],
  renameNodes(f, rename) {
    const from = rename(f.from);
    const to = rename(f.to);
    return from === undefined || to === undefined ? undefined : { ...f, from, to };
  },
  clone: (f) => ({ ...f }),
  arbitrary: (fcLib, c) =>
    fcLib.record({ kind: fcLib.constant('clog' as const), atMs: c.at, durationMs: c.duration, from: c.node, to: c.node }),
};
