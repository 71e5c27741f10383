import { intBelow, stream, type Rng } from '../../kernel/rng.ts';
import { nemesisNames, type NemesisName } from '../../nemesis/faults.ts';
import type { ProtocolDef } from '../../run/protocol.ts';
import type { ScenarioOptions } from '../../run/scenario.ts';

/**
 * `swarm` (swarm testing, as in TigerBeetle's options_swarm): each seed draws its own scenario from
 * its own stream: cluster size within the protocol's bounds, clients and their pace, a random subset
 * of fault kinds, fault cadence and lengths, how long faults go on, a latency profile and message
 * loss / duplication / reordering rates. A bug that needs, say, crash-only faults on three nodes
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
  const drawn: Partial<ScenarioOptions> = {
    nodes: drawNodes(rng, protocol.minNodes ?? 1, base.nodes),
    clients: 1 + intBelow(rng, Math.max(1, base.clients)),
    thinkMs: pick(rng, [5, 20, 20, 60]),
    nemesis: drawNemeses(rng),
    faultIntervalMs: pick(rng, [20, 50, 80, 200, 500]),
    faultDurationMs: pick(rng, [10, 40, 100, 250, 500]),
    healAtMs: pick(rng, [1000, 2000, 2000, 5000]),
    ...drawNetwork(rng),
  };
  const out: ScenarioOptions = { ...base, seed };
  for (const [key, value] of Object.entries(drawn)) {
    if (!(key in pinned)) (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** At least three nodes when the protocol's usual size allows (one node hides most bugs); small clusters half the time. */
function drawNodes(rng: Rng, minNodes: number, usual: number): number {
  const high = Math.max(usual, minNodes);
  const low = Math.min(Math.max(minNodes, 3), high);
  if (rng() < 0.5) return low;
  return low + intBelow(rng, high - low + 1);
}

/**
 * Each fault kind is on with a probability drawn per seed (0.15 to 0.6), so some seeds get one
 * kind alone, some several, some none (then only the network's own loss and reordering).
 */
function drawNemeses(rng: Rng): NemesisName[] {
  const p = pick(rng, [0.15, 0.3, 0.6]);
  return nemesisNames.filter(() => rng() < p);
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
