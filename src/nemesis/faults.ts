import { intBelow, type Rng } from '../kernel/rng.ts';
import type { NodeId } from '../node/api.ts';

/**
 * One fault over virtual time, as plain data: it starts at `atMs`, lasts `durationMs`, then heals.
 * A fault plan is an array of these; the shrinker removes, shortens and weakens them.
 */
export type Fault =
  | { kind: 'partition'; atMs: number; durationMs: number; label: string; cut: Array<[NodeId, NodeId]> }
  | { kind: 'crash'; atMs: number; durationMs: number; node: NodeId }
  | { kind: 'pause'; atMs: number; durationMs: number; node: NodeId }
  /** Moves the node's clock by `offsetMs` and runs it at `rate` (1 = true speed); `strobeMs` flips the offset on and off. */
  | { kind: 'clock'; atMs: number; durationMs: number; node: NodeId; offsetMs: number; rate: number; strobeMs?: number }
  | { kind: 'loss'; atMs: number; durationMs: number; rate: number }
  | { kind: 'dup'; atMs: number; durationMs: number; rate: number }
  | { kind: 'clog'; atMs: number; durationMs: number; from: NodeId; to: NodeId };

/** The nemesis names a user can ask for. */
export const nemesisNames = [
  'partition-halves',
  'partition-random-halves',
  'partition-isolate',
  'partition-ring',
  'partition-bridge',
  'partition-asymmetric',
  'crash',
  'pause',
  'clock-bump',
  'clock-strobe',
  'clock-skew',
  'loss-spike',
  'dup-spike',
  'clog',
] as const;
export type NemesisName = (typeof nemesisNames)[number];

/** Group names that expand to several nemeses. */
export const nemesisGroups: Record<string, readonly NemesisName[]> = {
  all: nemesisNames,
  none: [],
  partitions: nemesisNames.filter((n) => n.startsWith('partition')),
  clocks: ['clock-bump', 'clock-strobe', 'clock-skew'],
  network: ['loss-spike', 'dup-spike', 'clog'],
  process: ['crash', 'pause'],
};

/**
 * Expands a comma-separated nemesis list (`partitions,crash`, `all`, `none`) into names, or throws a
 * message listing the valid choices.
 *
 * @example
 * parseNemesis('crash,clocks'); // ['crash', 'clock-bump', 'clock-strobe', 'clock-skew']
 */
export function parseNemesis(text: string): NemesisName[] {
  const out = new Set<NemesisName>();
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (Object.hasOwn(nemesisGroups, raw)) nemesisGroups[raw].forEach((n) => out.add(n));
    else if ((nemesisNames as readonly string[]).includes(raw)) out.add(raw as NemesisName);
    else {
      throw new Error(
        `unknown nemesis '${raw}': choose from ${[...Object.keys(nemesisGroups), ...nemesisNames].join(', ')}`,
      );
    }
  }
  return [...out];
}

/** When and how hard the nemesis strikes. */
export interface NemesisPlan {
  nemeses: readonly NemesisName[];
  /** Faults start only before this time; everything heals here. */
  healAtMs: number;
  /** Mean gap between fault starts. */
  intervalMs: number;
  /** Mean fault duration. */
  faultDurationMs: number;
}

/**
 * Generates the fault schedule for a run from its nemesis stream: fault starts roughly every
 * `intervalMs`, each of a kind drawn from the plan, all before `healAtMs`.
 *
 * @example
 * generateFaults(stream(1, 'nemesis'), ['n1', 'n2', 'n3'], { nemeses: ['crash'], healAtMs: 2000, intervalMs: 300, faultDurationMs: 200 });
 */
export function generateFaults(rng: Rng, nodes: readonly NodeId[], plan: NemesisPlan): Fault[] {
  const faults: Fault[] = [];
  if (plan.nemeses.length === 0 || plan.intervalMs <= 0) return faults;
  let atMs = Math.floor(plan.intervalMs * (0.5 + rng()));
  while (atMs < plan.healAtMs) {
    const name = plan.nemeses[intBelow(rng, plan.nemeses.length)];
    const durationMs = Math.max(1, Math.min(Math.floor(plan.faultDurationMs * (0.5 + rng())), plan.healAtMs - atMs));
    faults.push(makeFault(name, rng, nodes, atMs, durationMs));
    atMs += Math.max(1, Math.floor(plan.intervalMs * (0.5 + rng())));
  }
  return faults;
}

function makeFault(name: NemesisName, rng: Rng, nodes: readonly NodeId[], atMs: number, durationMs: number): Fault {
  const pick = () => nodes[intBelow(rng, nodes.length)];
  const t = { atMs, durationMs };
  switch (name) {
    case 'partition-halves': {
      const half = Math.floor(nodes.length / 2);
      return { kind: 'partition', ...t, label: 'halves', cut: between(nodes.slice(0, half), nodes.slice(half)) };
    }
    case 'partition-random-halves': {
      const shuffled = shuffle(rng, nodes);
      const half = Math.floor(nodes.length / 2);
      return { kind: 'partition', ...t, label: 'random halves', cut: between(shuffled.slice(0, half), shuffled.slice(half)) };
    }
    case 'partition-isolate': {
      const lone = pick();
      return { kind: 'partition', ...t, label: `isolate ${lone}`, cut: between([lone], nodes.filter((n) => n !== lone)) };
    }
    case 'partition-ring': {
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
      return { kind: 'partition', ...t, label: 'majorities ring', cut };
    }
    case 'partition-bridge': {
      // Two halves that cannot talk, joined by one bridge node that sees both.
      const shuffled = shuffle(rng, nodes);
      const bridge = shuffled[0];
      const rest = shuffled.slice(1);
      const half = Math.ceil(rest.length / 2);
      return { kind: 'partition', ...t, label: `bridge ${bridge}`, cut: between(rest.slice(0, half), rest.slice(half)) };
    }
    case 'partition-asymmetric': {
      // One node can send to the others but hears nothing back.
      const deaf = pick();
      return { kind: 'partition', ...t, label: `${deaf} deaf`, cut: nodes.filter((n) => n !== deaf).map((n) => [n, deaf]) };
    }
    case 'crash':
      return { kind: 'crash', ...t, node: pick() };
    case 'pause':
      return { kind: 'pause', ...t, node: pick() };
    case 'clock-bump':
      return { kind: 'clock', ...t, node: pick(), offsetMs: signed(rng, 50, 1000), rate: 1 };
    case 'clock-strobe':
      return { kind: 'clock', ...t, node: pick(), offsetMs: signed(rng, 50, 500), rate: 1, strobeMs: 10 + intBelow(rng, 40) };
    case 'clock-skew':
      return { kind: 'clock', ...t, node: pick(), offsetMs: 0, rate: rng() < 0.5 ? 0.5 + rng() * 0.4 : 1.1 + rng() * 0.9 };
    case 'loss-spike':
      return { kind: 'loss', ...t, rate: round2(0.2 + rng() * 0.6) };
    case 'dup-spike':
      return { kind: 'dup', ...t, rate: round2(0.2 + rng() * 0.6) };
    case 'clog': {
      const from = pick();
      const others = nodes.filter((n) => n !== from);
      return { kind: 'clog', ...t, from, to: others.length ? others[intBelow(rng, others.length)] : from };
    }
  }
}

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

function signed(rng: Rng, min: number, max: number): number {
  const v = min + intBelow(rng, max - min + 1);
  return rng() < 0.5 ? -v : v;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** One line a person reads, e.g. `crash n2 for 300 ms`. */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'partition':
      return `partition (${f.label}) for ${f.durationMs} ms: cuts ${f.cut.map(([a, b]) => `${a}->${b}`).join(' ')}`;
    case 'crash':
      return `crash ${f.node} for ${f.durationMs} ms`;
    case 'pause':
      return `pause ${f.node} for ${f.durationMs} ms`;
    case 'clock':
      return `clock of ${f.node}: ${f.offsetMs >= 0 ? '+' : ''}${f.offsetMs} ms${f.rate !== 1 ? `, rate x${f.rate.toFixed(2)}` : ''}${f.strobeMs ? `, strobing every ${f.strobeMs} ms` : ''} for ${f.durationMs} ms`;
    case 'loss':
      return `loss spike ${Math.round(f.rate * 100)}% for ${f.durationMs} ms`;
    case 'dup':
      return `duplication spike ${Math.round(f.rate * 100)}% for ${f.durationMs} ms`;
    case 'clog':
      return `clog ${f.from}->${f.to} for ${f.durationMs} ms`;
  }
}
