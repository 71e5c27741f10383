import type { NodeId } from '../node/api.ts';
import { drawSeed, MAX_FAULT_SEED, pickByzantine, seedProblem } from './byzantine.ts';
import { nodeProblem, type FaultKind, renameOneNode } from './kind.ts';

/**
 * A Byzantine node whose outgoing messages are mutated: each with `percent` % chance, by the
 * protocol's mutator (`byzantine.mutate` on defineProtocol) or the generic JSON mutator. The
 * mutations are drawn from the fault's own `seed`. The network still names the true sender, so a
 * corrupt node can lie about anything but who it is (signatures, modelled).
 */
export interface CorruptFault {
  kind: 'corrupt';
  atMs: number;
  durationMs: number;
  node: NodeId;
  /** Chance in % that one outgoing message is mutated (1..100). */
  percent: number;
  seed: number;
}

export const corrupt: FaultKind<CorruptFault> = {
  kind: 'corrupt',
  byzantine: true,
  generate: (_name, rng, _nodes, w, byzantine = []) => ({
    kind: 'corrupt',
    ...w,
    node: pickByzantine(rng, byzantine),
    percent: [10, 50, 100][Math.floor(rng() * 3)],
    seed: drawSeed(rng),
  }),
  validate(x, nodes) {
    const node = nodeProblem(x, 'node', nodes);
    if (node) return node;
    if (!(typeof x.percent === 'number' && Number.isInteger(x.percent) && x.percent >= 1 && x.percent <= 100)) return 'percent must be a whole number from 1 to 100';
    return seedProblem(x);
  },
  describe: (f) => `${f.node} corrupt (Byzantine: mutates ${f.percent}% of its messages) for ${f.durationMs} ms`,
  applies: () => true,
  apply: (f, world, index) => world.corrupt(world.nodeIndex(f.node), index, f.percent, f.seed),
  revert: (f, world, index) => world.corrupt(world.nodeIndex(f.node), index, 0, f.seed),
  weaken: [{ type: 'number', min: 1, get: (f) => f.percent, set: (f, v) => ({ ...f, percent: v }) }],
  renameNodes: renameOneNode,
  clone: (f) => ({ ...f }),
  arbitrary: (fcLib, c) =>
    fcLib.record({
      kind: fcLib.constant('corrupt' as const),
      atMs: c.at,
      durationMs: c.duration,
      node: c.byzantineNode ?? c.node,
      percent: fcLib.integer({ min: 1, max: 100 }),
      seed: fcLib.integer({ min: 0, max: MAX_FAULT_SEED }),
    }),
};
