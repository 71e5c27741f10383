import { intBelow, type Rng } from '../kernel/rng.ts';
import type { NodeId } from '../node/api.ts';
import { pickNode, type FaultKind } from './kind.ts';

/** Cuts the directed links in `cut` (one-way cuts are fine); `label` names the shape. */
export interface PartitionFault {
  kind: 'partition';
  atMs: number;
  durationMs: number;
  label: string;
  cut: Array<[NodeId, NodeId]>;
}

type Shape = (rng: Rng, nodes: readonly NodeId[]) => { label: string; cut: Array<[NodeId, NodeId]> };

/** The partition shapes, by nemesis name. */
const shapes: Record<string, Shape> = {
  'partition-halves'(_rng, nodes) {
    const half = Math.floor(nodes.length / 2);
    return { label: 'halves', cut: between(nodes.slice(0, half), nodes.slice(half)) };
  },
  'partition-random-halves'(rng, nodes) {
    const shuffled = shuffle(rng, nodes);
    const half = Math.floor(nodes.length / 2);
    return { label: 'random halves', cut: between(shuffled.slice(0, half), shuffled.slice(half)) };
  },
  'partition-isolate'(rng, nodes) {
    const lone = pickNode(rng, nodes);
    return { label: `isolate ${lone}`, cut: between([lone], nodes.filter((n) => n !== lone)) };
  },
  'partition-ring'(rng, nodes) {
    // Each node sees a majority made of its ring neighbours; no two nodes see the same majority.
    const ring = shuffle(rng, nodes);
    const n = ring.length;
    const reach = Math.floor(n / 2);
    const cut: Array<[NodeId, NodeId]> = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const d = Math.min((i - j + n) % n, (j - i + n) % n);
        if (i !== j && d > Math.floor(reach / 2) + (reach % 2)) cut.push([ring[i], ring[j]]);
      }
    }
    return { label: 'majorities ring', cut };
  },
  'partition-bridge'(rng, nodes) {
    // Two halves that cannot talk, joined by one bridge node that sees both.
    const shuffled = shuffle(rng, nodes);
    const rest = shuffled.slice(1);
    const half = Math.ceil(rest.length / 2);
    return { label: `bridge ${shuffled[0]}`, cut: between(rest.slice(0, half), rest.slice(half)) };
  },
  'partition-asymmetric'(rng, nodes) {
    // One node can send to the others but hears nothing back.
    const deaf = pickNode(rng, nodes);
    return { label: `${deaf} deaf`, cut: nodes.filter((n) => n !== deaf).map((n): [NodeId, NodeId] => [n, deaf]) };
  },
};

/** The partition nemesis names, in the order the nemesis list gives them. */
export const partitionNemeses = Object.keys(shapes);

export const partition: FaultKind<PartitionFault> = {
  kind: 'partition',
  generate(name, rng, nodes, w) {
    const shape = shapes[name];
    if (shape === undefined) throw new Error(`assertion failed: '${name}' is not a partition nemesis`);
    return { kind: 'partition', ...w, ...shape(rng, nodes) };
  },
  validate(x, nodes) {
    if (typeof x.label !== 'string') return 'label must be a string';
    const ok = Array.isArray(x.cut) && x.cut.every((l) => Array.isArray(l) && l.length === 2 && l.every((n) => typeof n === 'string' && nodes.has(n)));
    return ok ? undefined : `cut must be a list of [from, to] pairs of ${[...nodes].join(', ')}`;
  },
  describe: (f) => `partition (${f.label}) for ${f.durationMs} ms: cuts ${f.cut.map(([a, b]) => `${a}->${b}`).join(' ')}`,
  applies: () => true,
  apply(f, world) {
    for (const [a, b] of f.cut) world.cutLink(world.nodeIndex(a), world.nodeIndex(b), 1);
  },
  revert(f, world) {
    for (const [a, b] of f.cut) world.cutLink(world.nodeIndex(a), world.nodeIndex(b), -1);
  },
  weaken: [
    {
      type: 'items',
      // Keep at least one link: an empty cut is the same as removing the fault.
      count: (f) => f.cut.length - 1,
      without(f, start, end) {
        const cut = [...f.cut.slice(0, start), ...f.cut.slice(end)];
        return cut.length === 0 ? null : { ...f, cut };
      },
    },
  ],
  renameNodes(f, rename) {
    const cut: Array<[NodeId, NodeId]> = [];
    for (const [a, b] of f.cut) {
      const x = rename(a);
      const y = rename(b);
      if (x !== undefined && y !== undefined) cut.push([x, y]);
    }
    return cut.length > 0 ? { ...f, cut } : undefined;
  },
  clone: (f) => ({ ...f, cut: f.cut.map(([a, b]): [NodeId, NodeId] => [a, b]) }),
  arbitrary: (fcLib, c) =>
    fcLib.record({
      kind: fcLib.constant('partition' as const),
      atMs: c.at,
      durationMs: c.duration,
      label: fcLib.constant('generated'),
      cut: fcLib.array(c.link, { minLength: 1, maxLength: c.nodeCount * 2 }),
    }),
};

/** Every directed link between the two groups, both ways. */
export function between(a: readonly NodeId[], b: readonly NodeId[]): Array<[NodeId, NodeId]> {
  const cut: Array<[NodeId, NodeId]> = [];
  for (const x of a) for (const y of b) cut.push([x, y], [y, x]);
  return cut;
}

function shuffle<T>(rng: Rng, xs: readonly T[]): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = intBelow(rng, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
