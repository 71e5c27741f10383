import type { ChoiceTape } from '../kernel/choices.ts';
import { stream } from '../kernel/rng.ts';
import { generateFaults, isByzantineNemesis, isChurnNemesis, nemesisNames, type ChurnBounds, type Fault, type NemesisName } from '../faults/index.ts';
import type { LinkConfig, NetConfig } from '../network/network.ts';
import type { SimConfig } from '../sim/simulator.ts';
import { planOps, type PlannedOp } from '../workload/workload.ts';
import { optionsRelationProblem, schemaProblem, ScenarioOptionsSchema } from './options-schema.ts';
import { byzantineFOf, churnBoundsOf, type ProtocolDef } from './protocol.ts';

/**
 * Everything that defines a run besides the protocol code: cluster, workload, nemesis, network,
 * limits and the seed. Plain data: it goes into corpus entries as is.
 */
export interface ScenarioOptions {
  protocol: string;
  variant: string;
  seed: number;
  nodes: number;
  clients: number;
  ops: number;
  nemesis: NemesisName[];
  /** Faults happen in [0, healAtMs); then everything heals. */
  healAtMs: number;
  /** How long the run goes on after the heal (liveness window). */
  quietMs: number;
  faultIntervalMs: number;
  faultDurationMs: number;
  /** Mean pause between one client's ops. */
  thinkMs: number;
  opTimeoutMs: number;
  latencyMinMs: number;
  latencyMaxMs: number;
  dropRate: number;
  dupRate: number;
  reorderRate: number;
  /** Event budget per run. */
  maxSteps: number;
  /**
   * Deliveries scheduled by PCT with this many priority change points + 1 (`--strategy pct` sets
   * it; see `network/pct.ts`); absent: uniform random latencies.
   */
  pctDepth?: number;
  /** Per-link overrides of latency and rates (directed), e.g. one slow or lossy link. */
  links?: Array<{ from: string; to: string } & Partial<Omit<LinkConfig, 'reorderDelayMs'>>>;
}

export const defaultScenario: Omit<ScenarioOptions, 'protocol' | 'variant' | 'seed'> = {
  nodes: 5,
  clients: 5,
  ops: 200,
  nemesis: [...nemesisNames],
  healAtMs: 2000,
  quietMs: 1000,
  faultIntervalMs: 200,
  faultDurationMs: 300,
  thinkMs: 20,
  opTimeoutMs: 1000,
  latencyMinMs: 1,
  latencyMaxMs: 10,
  dropRate: 0.01,
  dupRate: 0.01,
  reorderRate: 0.01,
  maxSteps: 2_000_000,
};

/** A run to perform: the options, and optionally explicit plans and a tape (replay and shrinking). */
export interface RunInput {
  options: ScenarioOptions;
  /** Client ops; drawn from the seed when absent. */
  ops?: PlannedOp[];
  /** Fault schedule; drawn from the seed when absent. */
  faults?: Fault[];
  /** Network decisions; drawn from the seed when absent. */
  tape?: ChoiceTape;
}

/** A scenario that cannot run, with a message naming the option and how to fix it. */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/**
 * Fills in defaults (the protocol's, then Faultline's) and validates; throws `ScenarioError`.
 *
 * @example
 * const options = resolveOptions(primaryBackup, { seed: 7, variant: 'ack-before-apply' });
 */
export function resolveOptions(protocol: ProtocolDef, given: Partial<ScenarioOptions>): ScenarioOptions {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const variant = typeof defined.variant === 'string' && Object.hasOwn(protocol.variants, defined.variant) ? defined.variant : protocol.defaultVariant;
  const menu = protocol.variants[variant]?.nemesis;
  const options: ScenarioOptions = {
    ...defaultScenario,
    ...protocol.defaults,
    // A variant's own fault menu (e.g. the same code with partitions on) beats the protocol's.
    ...(menu === undefined ? {} : { nemesis: [...menu] }),
    seed: 0,
    variant: protocol.defaultVariant,
    ...defined,
    protocol: protocol.name,
  };
  validateOptions(protocol, options);
  return options;
}

/**
 * Checks options against the one table of bounds (`options-schema.ts`) and the protocol (variant,
 * smallest cluster); throws `ScenarioError` with one line naming the option and how to fix it.
 *
 * @example
 * validateOptions(abd, { ...options, nodes: 0 }); // throws: options.nodes (--nodes) must be a whole number from 1 to 100, got 0
 */
export function validateOptions(protocol: ProtocolDef, o: ScenarioOptions): void {
  // Object.hasOwn, not `in`: 'constructor' or '__proto__' is no variant.
  if (typeof o.variant !== 'string' || !Object.hasOwn(protocol.variants, o.variant)) {
    throw new ScenarioError(
      `unknown variant '${String(o.variant).slice(0, 80)}' of ${protocol.name}: choose from ${Object.keys(protocol.variants).join(', ')}`,
    );
  }
  const problem = schemaProblem(ScenarioOptionsSchema, o, 'options') ?? optionsRelationProblem(o);
  if (problem !== undefined) throw new ScenarioError(problem);
  const minNodes = protocol.minNodes ?? 1;
  if (o.nodes < minNodes) throw new ScenarioError(`${protocol.name} needs at least ${minNodes} nodes (--nodes), got ${o.nodes}`);
  const byzantine = o.nemesis.filter(isByzantineNemesis);
  if (byzantine.length > 0 && protocol.byzantine === undefined) {
    throw new ScenarioError(`${protocol.name} does not opt in to Byzantine faults (${byzantine.join(', ')}): drop them from --nemesis, or give the protocol 'byzantine' in defineProtocol`);
  }
  if (o.nemesis.some(isChurnNemesis) && protocol.churn === undefined) {
    throw new ScenarioError(`${protocol.name} does not opt in to churn (it wipes disks): drop churn from --nemesis, or give the protocol 'churn' in defineProtocol`);
  }
}

export function nodeIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}

/** The client plan the seed draws for these options. */
export function planFor(protocol: ProtocolDef, o: ScenarioOptions): PlannedOp[] {
  return planOps(stream(o.seed, 'workload'), nodeIds(o.nodes), protocol.workload, {
    ops: o.ops,
    clients: o.clients,
    thinkMs: o.thinkMs,
  });
}

/**
 * The fault schedule the seed draws for these options (`byzantineF`: the protocol's f, `churn`: its
 * churn bounds, each if it opted in).
 */
export function faultsFor(o: ScenarioOptions, byzantineF?: number, churn?: ChurnBounds): Fault[] {
  return generateFaults(stream(o.seed, 'nemesis'), nodeIds(o.nodes), {
    nemeses: o.nemesis,
    healAtMs: o.healAtMs,
    intervalMs: o.faultIntervalMs,
    faultDurationMs: o.faultDurationMs,
    byzantineF,
    churn,
  });
}

export function netConfigOf(o: ScenarioOptions): NetConfig {
  return {
    latencyMinMs: o.latencyMinMs,
    latencyMaxMs: o.latencyMaxMs,
    dropRate: o.dropRate,
    dupRate: o.dupRate,
    reorderRate: o.reorderRate,
    reorderDelayMs: Math.max(1, o.latencyMaxMs * 5),
    links: o.links?.map(({ from, to, ...rest }) => ({ from: indexOf(from, o.nodes), to: indexOf(to, o.nodes), ...rest })),
  };
}

function indexOf(id: string, nodes: number): number {
  const i = nodeIds(nodes).indexOf(id);
  if (i < 0) throw new ScenarioError(`link names unknown node '${id}': nodes are ${nodeIds(nodes).join(', ')}`);
  return i;
}

/** Turns a run input into the simulator's config (plans drawn from the seed where not given). */
export function simConfigOf(
  protocol: ProtocolDef,
  input: RunInput,
  extra: Pick<SimConfig, 'observers' | 'recordTrace'>,
): SimConfig & { ops: PlannedOp[]; faults: Fault[] } {
  const o = input.options;
  const f = byzantineFOf(protocol, o.nodes);
  const churn = churnBoundsOf(protocol);
  return {
    seed: o.seed,
    nodeCount: o.nodes,
    create: (ctx) => protocol.create(ctx, o.variant),
    net: netConfigOf(o),
    clients: o.clients,
    ops: input.ops ?? planFor(protocol, o),
    faults: input.faults ?? faultsFor(o, f, churn),
    healAtMs: o.healAtMs,
    quietMs: o.quietMs,
    opTimeoutMs: o.opTimeoutMs,
    maxSteps: o.maxSteps,
    ...(o.pctDepth === undefined ? {} : { pctDepth: o.pctDepth }),
    tape: input.tape,
    ...(f === undefined ? {} : { byzantine: { f, mutate: protocol.byzantine?.mutate } }),
    ...(churn === undefined ? {} : { churn }),
    ...extra,
  };
}
