import { intBelow, stream, type Rng } from '../../kernel/rng.ts';
import { nemesisTable, type NemesisName } from '../../faults/index.ts';
import type { ProtocolDef } from '../../run/protocol.ts';
import type { ScenarioOptions } from '../../run/scenario.ts';

/**
 * `swarm` (swarm testing, as in TigerBeetle's options_swarm): each seed draws its own scenario from
 * its own stream: cluster size within the protocol's bounds, clients and their pace, a random subset
 * of the fault kinds its scenario allows (`nemesis`, the protocol's or the variant's menu), fault
 * cadence and lengths, how long faults go on, a latency profile and message loss / duplication /
 * reordering rates. A bug that needs, say, crash-only faults on three nodes
 * with short restarts is then found by the seeds that happen to draw that, with nobody tuning for
 * it. A pure function of (protocol, base, pinned, seed): the same seed always draws the same
 * scenario, and the scenario is stored whole in corpus entries, so a replay needs no flag.
 *
 * `pinned` holds the options the user gave explicitly: swarm leaves those as given.
 *
 * @example
 * const o = swarmOptions(raft, resolveOptions(raft, {}), {}, 42);
 * o.nodes; // 3, 4 or 5, the same for seed 42 on every machine
 */
export function swarmOptions(protocol: ProtocolDef, base: ScenarioOptions, pinned: Partial<ScenarioOptions>, seed: number): ScenarioOptions {
  const rng = stream(seed, 'swarm');
  // A quarter of the seeds keep the protocol's own scenario: swarm widens the search, it does not leave it.
  if (rng() < BASE_SHARE) return { ...base, seed };
  const drawn: Partial<ScenarioOptions> = {};
  for (const d of swarmDimensions) Object.assign(drawn, d.draw(rng, protocol, base));
  return withDrawn({ ...base, seed }, drawn, pinned);
}

/**
 * One axis along which swarm varies a scenario, with its own menu of values. `coverage` mutates a
 * kept scenario by drawing one of these again.
 */
export interface SwarmDimension {
  name: string;
  draw(rng: Rng, protocol: ProtocolDef, base: ScenarioOptions): Partial<ScenarioOptions>;
}

/** Swarm's axes, in the order it draws them (the order is part of what a seed draws: append only). */
export const swarmDimensions: readonly SwarmDimension[] = [
  { name: 'nodes', draw: (rng, protocol, base) => ({ nodes: drawNodes(rng, protocol.minNodes ?? 1, base.nodes) }) },
  { name: 'clients', draw: (rng, _p, base) => ({ clients: pick(rng, [1, 2, 2, 3, Math.max(1, base.clients)]) }) },
  { name: 'thinkMs', draw: (rng) => ({ thinkMs: pick(rng, [5, 20, 60, 60]) }) },
  // A protocol that opts in to Byzantine faults or churn draws them too (from its menu); every other draws as before.
  { name: 'nemesis', draw: (rng, p, base) => ({ nemesis: drawNemeses(rng, base.nemesis, nemesisTable({ byzantine: p.byzantine !== undefined, churn: p.churn !== undefined })) }) },
  { name: 'tempo', draw: (rng) => ({ ...pick(rng, TEMPOS) }) },
  { name: 'healAtMs', draw: (rng) => ({ healAtMs: pick(rng, [1000, 2000, 2000, 5000]) }) },
  { name: 'network', draw: (rng) => drawNetwork(rng) },
];

/**
 * `out` with the drawn values, except those the user pinned.
 *
 * @example
 * withDrawn({ ...base, seed: 3 }, { nodes: 3, thinkMs: 5 }, { nodes: 5 }); // thinkMs 5, nodes as in base
 */
export function withDrawn(out: ScenarioOptions, drawn: Partial<ScenarioOptions>, pinned: Partial<ScenarioOptions>): ScenarioOptions {
  for (const [key, value] of Object.entries(drawn)) {
    if (!(key in pinned)) (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}

/**
 * Fault cadence and length come as a pair (a tempo), since what matters is how they relate:
 * fast (many short faults: a node restarting within tens of ms, mid-election), overlapping
 * (a new fault before the last healed: leaders isolated in turn), the usual pace, and slow.
 */
const TEMPOS = [
  { faultIntervalMs: 20, faultDurationMs: 10 },
  { faultIntervalMs: 50, faultDurationMs: 40 },
  { faultIntervalMs: 20, faultDurationMs: 40 },
  { faultIntervalMs: 50, faultDurationMs: 10 },
  { faultIntervalMs: 80, faultDurationMs: 250 },
  { faultIntervalMs: 80, faultDurationMs: 100 },
  { faultIntervalMs: 200, faultDurationMs: 300 },
  { faultIntervalMs: 200, faultDurationMs: 100 },
  { faultIntervalMs: 500, faultDurationMs: 500 },
] as const;

/** The share of seeds that run the protocol's own scenario unchanged (what `random` runs). */
const BASE_SHARE = 0.25;

/** At least three nodes when the protocol's usual size allows (one node hides most bugs); small clusters half the time. */
function drawNodes(rng: Rng, minNodes: number, usual: number): number {
  const high = Math.max(usual, minNodes);
  const low = Math.min(Math.max(minNodes, 3), high);
  if (rng() < 0.6) return low;
  return low + intBelow(rng, high - low + 1);
}

/**
 * How many fault kinds a seed gets, then which: one kind alone most often (a bug that needs, say,
 * crashes and nothing else to break the pattern shows there), sometimes two or three, sometimes
 * most of them, rarely none (only the network's own loss and reordering).
 */
function drawNemeses(rng: Rng, menu: readonly NemesisName[], table: readonly NemesisName[]): NemesisName[] {
  // Only the scenario's menu is drawn from: with the full menu (most protocols) every seed draws
  // exactly what it always drew; a protocol or variant that allows fewer kinds (3PC: crashes, no
  // partitions) never gets the others. The table holds the Byzantine kinds only for a protocol
  // that opted in to them.
  const all = table.length;
  const count = pick(rng, [0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, Math.ceil(all / 2), all]);
  const allowed = new Set(menu);
  const order = table.filter((name) => allowed.has(name)).map((name) => ({ name, key: rng() })).sort((a, b) => a.key - b.key);
  const chosen = new Set(order.slice(0, count).map((x) => x.name));
  return table.filter((n) => chosen.has(n));
}

function drawNetwork(rng: Rng): Partial<ScenarioOptions> {
  const [latencyMinMs, latencyMaxMs] = pick(rng, [[1, 10], [1, 3], [5, 50], [1, 100]] as const);
  return {
    latencyMinMs,
    latencyMaxMs,
    dropRate: pick(rng, [0, 0.01, 0.05]),
    dupRate: pick(rng, [0, 0.01, 0.05]),
    reorderRate: pick(rng, [0, 0.01, 0.1]),
  };
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[intBelow(rng, xs.length)];
}
