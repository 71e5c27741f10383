import { intBelow, type Rng } from '../kernel/rng.ts';
import type { NodeId } from '../node/api.ts';
import { nodeProblem, pickNode, type FaultKind, renameOneNode } from './kind.ts';

/**
 * Moves the node's clock by `offsetMs` and runs it at `rate` (1 = true speed); `strobeMs` flips the
 * offset off and on every `strobeMs`. Only `ctx.now()` and the node's timers see it.
 */
export interface ClockFault {
  kind: 'clock';
  atMs: number;
  durationMs: number;
  node: NodeId;
  offsetMs: number;
  rate: number;
  strobeMs?: number;
}

/** Strobe phases: the offset is applied (1) or lifted (0) until the next tick. */
const APPLIED = 1;
const LIFTED = 0;

export const clock: FaultKind<ClockFault> = {
  kind: 'clock',
  generate(name, rng, nodes, w) {
    const node = pickNode(rng, nodes);
    if (name === 'clock-bump') return { kind: 'clock', ...w, node, offsetMs: signed(rng, 50, 1000), rate: 1 };
    if (name === 'clock-strobe') return { kind: 'clock', ...w, node, offsetMs: signed(rng, 50, 500), rate: 1, strobeMs: 10 + intBelow(rng, 40) };
    return { kind: 'clock', ...w, node, offsetMs: 0, rate: rng() < 0.5 ? 0.5 + rng() * 0.4 : 1.1 + rng() * 0.9 };
  },
  validate(x, nodes) {
    const node = nodeProblem(x, 'node', nodes);
    if (node) return node;
    if (typeof x.offsetMs !== 'number' || !Number.isFinite(x.offsetMs)) return 'offsetMs must be a number';
    if (typeof x.rate !== 'number' || !(x.rate > 0 && x.rate <= 100)) return 'rate must be a number > 0 and <= 100';
    if (x.strobeMs !== undefined && !(typeof x.strobeMs === 'number' && Number.isInteger(x.strobeMs) && x.strobeMs >= 1)) {
      return 'strobeMs must be a whole number >= 1';
    }
    return undefined;
  },
  describe: (f) =>
    `clock of ${f.node}: ${f.offsetMs >= 0 ? '+' : ''}${f.offsetMs} ms${f.rate !== 1 ? `, rate x${f.rate.toFixed(2)}` : ''}` +
    `${f.strobeMs ? `, strobing every ${f.strobeMs} ms` : ''} for ${f.durationMs} ms`,
  applies: () => true,
  apply(f, world, index) {
    const n = world.nodeIndex(f.node);
    world.skewClock(n, f.offsetMs, f.rate);
    if (f.strobeMs) world.scheduleTick(index, n, f.strobeMs, APPLIED);
  },
  revert: (f, world) => world.resetClock(world.nodeIndex(f.node)),
  tick(f, world, index, phase) {
    if (!f.strobeMs) return;
    const n = world.nodeIndex(f.node);
    // While applied, lift the offset; next tick, apply it again.
    world.setStrobeOffset(n, phase === APPLIED ? -f.offsetMs : 0);
    world.scheduleTick(index, n, f.strobeMs, phase === APPLIED ? LIFTED : APPLIED);
  },
  weaken: [
    { type: 'replace', weaker: (f) => (f.strobeMs === undefined ? undefined : withoutStrobe(f)) },
    { type: 'replace', weaker: (f) => (f.rate === 1 ? undefined : { ...f, rate: 1 }) },
    { type: 'number', min: 0, get: (f) => Math.abs(f.offsetMs), set: (f, v) => ({ ...f, offsetMs: (f.offsetMs < 0 ? -1 : 1) * v }) },
  ],
  renameNodes: renameOneNode,
  clone: (f) => ({ ...f }),
  arbitrary: (fcLib, c) =>
    fcLib.record({
      kind: fcLib.constant('clock' as const),
      atMs: c.at,
      durationMs: c.duration,
      node: c.node,
      offsetMs: fcLib.integer({ min: -1000, max: 1000 }),
      rate: fcLib.constantFrom(0.5, 1, 2),
      strobeMs: fcLib.option(fcLib.integer({ min: 5, max: 50 }), { nil: undefined }),
    }).map(({ strobeMs, ...f }) => (strobeMs === undefined ? f : { ...f, strobeMs })),
};

function withoutStrobe(f: ClockFault): ClockFault {
  const { strobeMs: _lifted, ...rest } = f;
  return rest;
}

function signed(rng: Rng, min: number, max: number): number {
  const v = min + intBelow(rng, max - min + 1);
  return rng() < 0.5 ? -v : v;
}
