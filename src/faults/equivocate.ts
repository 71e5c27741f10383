import type { NodeId } from '../node/api.ts';
import { drawSeed, MAX_FAULT_SEED, pickByzantine, seedProblem } from './byzantine.ts';
import { nodeProblem, type FaultKind } from './kind.ts';

/**
 * The Twins approach: a Byzantine node runs as two copies under one identity. The second copy
 * boots (as a restart would, from a copy of the node's disk) when the fault starts; it hears only
 * the nodes in `side` and talks only to them, the first copy hears and talks to the rest. Both
 * copies' messages go out under the node's id, so the two halves of the cluster see two different
 * histories of one node: equivocation without writing an adversary. The second copy dies when the
 * fault ends (or the node crashes).
 */
export interface EquivocateFault {
  kind: 'equivocate';
  atMs: number;
  durationMs: number;
  node: NodeId;
  /** The nodes the second copy sees (never `node` itself). */
  side: NodeId[];
  /** Seeds the second copy's `ctx.random()` stream. */
  seed: number;
}

export const equivocate: FaultKind<EquivocateFault> = {
  kind: 'equivocate',
  byzantine: true,
  generate(_name, rng, nodes, w, byzantine = []) {
    const node = pickByzantine(rng, byzantine);
    const others = nodes.filter((n) => n !== node);
    // Each other node goes to the twin's side with even odds; at least one does.
    let side = others.filter(() => rng() < 0.5);
    if (side.length === 0 && others.length > 0) side = [others[Math.floor(rng() * others.length)]];
    return { kind: 'equivocate', ...w, node, side, seed: drawSeed(rng) };
  },
  validate(x, nodes) {
    const node = nodeProblem(x, 'node', nodes);
    if (node) return node;
    const side: unknown = x.side;
    const ok = Array.isArray(side) && side.length >= 1 && side.every((n) => typeof n === 'string' && nodes.has(n) && n !== x.node);
    if (!ok) return `side must be a non-empty list of nodes other than ${String(x.node)} (of ${[...nodes].join(', ')})`;
    if (new Set(side).size !== side.length) return 'side must not name a node twice';
    return seedProblem(x);
  },
  describe: (f) => `${f.node} equivocates (Byzantine twins: a second copy talks to ${f.side.join(' ')}) for ${f.durationMs} ms`,
  applies: (f, world) => world.isUp(world.nodeIndex(f.node)),
  apply: (f, world, index) => world.equivocate(world.nodeIndex(f.node), index, f.side.map((n) => world.nodeIndex(n)), f.seed),
  revert: (f, world, index) => world.endEquivocate(world.nodeIndex(f.node), index),
  weaken: [
    {
      type: 'items',
      count: (f) => f.side.length - 1,
      without(f, start, end) {
        const side = [...f.side.slice(0, start), ...f.side.slice(end)];
        return side.length === 0 ? null : { ...f, side };
      },
    },
  ],
  renameNodes(f, rename) {
    const node = rename(f.node);
    if (node === undefined) return undefined;
    const side = f.side.flatMap((n) => rename(n) ?? []);
    return side.length === 0 ? undefined : { ...f, node, side };
  },
  clone: (f) => ({ ...f, side: [...f.side] }),
  arbitrary: (fcLib, c) =>
    fcLib
      .record({
        atMs: c.at,
        durationMs: c.duration,
        node: c.byzantineNode ?? c.node,
        side: fcLib.uniqueArray(c.node, { minLength: 1, maxLength: c.nodeCount }),
        seed: fcLib.integer({ min: 0, max: MAX_FAULT_SEED }),
      })
      .filter((r) => r.side.some((n) => n !== r.node))
      .map((r) => ({ kind: 'equivocate' as const, ...r, side: r.side.filter((n) => n !== r.node) })),
};
