/**
 * The fault table: one entry per fault kind, each in its own file, and the nemesis names that
 * generate them. Everything that depends on a fault's kind goes through `faultKinds`, so a new fault
 * kind is one new file plus one line here.
 *
 * @example
 * const f = generateFaults(stream(1, 'nemesis'), ['n1', 'n2', 'n3'], { nemeses: ['crash'], healAtMs: 2000, intervalMs: 300, faultDurationMs: 200 })[0];
 * faultKindOf(f).describe(f); // 'crash n2 for 187 ms'
 */
import { intBelow, type Rng } from '../kernel/rng.ts';
import type { NodeId } from '../node/api.ts';
import { byzantinePlanProblem, chooseByzantine } from './byzantine.ts';
import { churn, churnFits, churnPlanProblem, type ChurnBounds, type ChurnFault } from './churn.ts';
import { clock, type ClockFault } from './clock.ts';
import { clog, type ClogFault } from './clog.ts';
import { corrupt, type CorruptFault } from './corrupt.ts';
import { crash, type CrashFault } from './crash.ts';
import { dup, type DupFault } from './dup.ts';
import { equivocate, type EquivocateFault } from './equivocate.ts';
import type { FaultKind } from './kind.ts';
import { loss, type LossFault } from './loss.ts';
import { partition, partitionNemeses, type PartitionFault } from './partition.ts';
import { pause, type PauseFault } from './pause.ts';
import { replay, type ReplayFault } from './replay.ts';
import { silent, type SilentFault } from './silent.ts';

export type { ArbitraryContext, FaultKind, FaultWindow, FaultWorld, WeakenStep } from './kind.ts';
export { between } from './partition.ts';
export { byzantineNodes, byzantinePlanProblem, defaultByzantineF, isByzantineKind } from './byzantine.ts';
export { churnPlanProblem, DEFAULT_CHURN_BOUNDS, keepWithinChurnBounds, type ChurnBounds } from './churn.ts';
export type { ChurnFault, ClockFault, ClogFault, CorruptFault, CrashFault, DupFault, EquivocateFault, LossFault, PartitionFault, PauseFault, ReplayFault, SilentFault };

/**
 * One fault over virtual time, as plain data: it starts at `atMs`, lasts `durationMs`, then heals.
 * A fault plan is an array of these; the shrinker removes, shortens and weakens them.
 */
export type Fault =
  | PartitionFault
  | CrashFault
  | PauseFault
  | ClockFault
  | LossFault
  | DupFault
  | ClogFault
  | EquivocateFault
  | CorruptFault
  | ReplayFault
  | SilentFault
  | ChurnFault;
export type FaultKindName = Fault['kind'];

/** The table: every fault kind's generate / validate / describe / apply / revert / weaken / arbitrary. */
export const faultKinds: { readonly [K in FaultKindName]: FaultKind<Extract<Fault, { kind: K }>> } = {
  partition,
  crash,
  pause,
  clock,
  loss,
  dup,
  clog,
  equivocate,
  corrupt,
  replay,
  silent,
  churn,
};

/** The table entry of a fault (typed loosely: the caller holds a `Fault` of that kind). */
export function faultKindOf(f: Fault): FaultKind<Fault> {
  const k = (faultKinds as Record<string, FaultKind<Fault> | undefined>)[f.kind];
  if (k === undefined) throw new Error(`assertion failed: unknown fault kind ${JSON.stringify(f.kind)}`);
  return k;
}

/**
 * The nemesis names a user can ask for, each generating one fault kind. The order is part of the
 * seed's meaning (a nemesis is drawn by its index), so it never changes.
 */
export const nemesisKinds: Readonly<Record<NemesisName, FaultKindName>> = {
  'partition-halves': 'partition',
  'partition-random-halves': 'partition',
  'partition-isolate': 'partition',
  'partition-ring': 'partition',
  'partition-bridge': 'partition',
  'partition-asymmetric': 'partition',
  crash: 'crash',
  pause: 'pause',
  'clock-bump': 'clock',
  'clock-strobe': 'clock',
  'clock-skew': 'clock',
  'loss-spike': 'loss',
  'dup-spike': 'dup',
  clog: 'clog',
  equivocate: 'equivocate',
  corrupt: 'corrupt',
  replay: 'replay',
  silent: 'silent',
  churn: 'churn',
};

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

/**
 * The Byzantine nemeses: off unless the protocol opts in (`byzantine` on defineProtocol), never in
 * `all`, and kept out of `nemesisNames` so that every other protocol's seeds draw what they drew.
 */
export const byzantineNemesisNames = ['equivocate', 'corrupt', 'replay', 'silent'] as const;
/**
 * The churn nemesis (nodes leaving for good, fresh nodes joining): off unless the protocol opts in
 * (`churn` on defineProtocol), never in `all`, kept out of `nemesisNames` like the Byzantine ones.
 */
export const churnNemesisNames = ['churn'] as const;
export type NemesisName = (typeof nemesisNames)[number] | (typeof byzantineNemesisNames)[number] | (typeof churnNemesisNames)[number];

/** The honest and Byzantine nemesis names, the Byzantine ones last (churn is not among them: see `everyNemesisName`). */
export const allNemesisNames: readonly NemesisName[] = [...nemesisNames, ...byzantineNemesisNames];

/** Every nemesis name a scenario may hold: `allNemesisNames`, then churn. */
export const everyNemesisName: readonly NemesisName[] = [...allNemesisNames, ...churnNemesisNames];

/** Whether the nemesis makes nodes Byzantine. */
export function isByzantineNemesis(name: NemesisName): boolean {
  return (byzantineNemesisNames as readonly string[]).includes(name);
}

/** Whether the nemesis churns nodes (wipes disks). */
export function isChurnNemesis(name: NemesisName): boolean {
  return (churnNemesisNames as readonly string[]).includes(name);
}

/**
 * The nemeses a protocol's seeds may draw from, in draw order: the honest ones, then those it
 * opted in to. A protocol that opted in to nothing gets `nemesisNames`, exactly as before.
 *
 * @example
 * nemesisTable({ byzantine: false, churn: true }); // [...nemesisNames, 'churn']
 */
export function nemesisTable(optIn: { byzantine: boolean; churn: boolean }): readonly NemesisName[] {
  if (!optIn.byzantine && !optIn.churn) return nemesisNames;
  return [...nemesisNames, ...(optIn.byzantine ? byzantineNemesisNames : []), ...(optIn.churn ? churnNemesisNames : [])];
}

for (const n of partitionNemeses) {
  if (nemesisKinds[n as NemesisName] !== 'partition') throw new Error(`assertion failed: partition shape ${n} has no nemesis name`);
}

/** Group names that expand to several nemeses. */
export const nemesisGroups: Record<string, readonly NemesisName[]> = {
  /** Every honest fault kind (the Byzantine ones are asked for by name or as `byzantine`). */
  all: nemesisNames,
  none: [],
  partitions: nemesisNames.filter((n) => n.startsWith('partition')),
  clocks: ['clock-bump', 'clock-strobe', 'clock-skew'],
  network: ['loss-spike', 'dup-spike', 'clog'],
  process: ['crash', 'pause'],
  byzantine: byzantineNemesisNames,
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
    else if ((everyNemesisName as readonly string[]).includes(raw)) out.add(raw as NemesisName);
    else {
      throw new Error(`unknown nemesis '${raw}': choose from ${[...Object.keys(nemesisGroups), ...everyNemesisName].join(', ')}`);
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
  /** Most Byzantine nodes (the protocol's f for this cluster); Byzantine nemeses need it > 0. */
  byzantineF?: number;
  /** The protocol's churn bounds; the churn nemesis needs them (absent: its turns pass). */
  churn?: ChurnBounds;
}

/** How many fault lengths a churned node stays away (a crashed one restarts after one). */
export const CHURN_AWAY_FACTOR = 4;

/** Most faults one plan may hold: a bound on the generation loop (a tiny interval, a long run). */
export const MAX_FAULTS = 100_000;

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
  // The Byzantine nodes are chosen first, and only when the plan can use them: a plan without a
  // Byzantine nemesis draws exactly what it drew before they existed.
  const byzantine = plan.nemeses.some(isByzantineNemesis) ? chooseByzantine(rng, nodes, plan.byzantineF ?? 0) : [];
  const churns: ChurnFault[] = [];
  let atMs = Math.floor(plan.intervalMs * (0.5 + rng()));
  while (atMs < plan.healAtMs) {
    if (faults.length >= MAX_FAULTS) throw new RangeError(`more than ${MAX_FAULTS} faults: raise the fault interval or shorten the run`);
    const name = plan.nemeses[intBelow(rng, plan.nemeses.length)];
    const durationMs = Math.max(1, Math.min(Math.floor(plan.faultDurationMs * (0.5 + rng())), plan.healAtMs - atMs));
    const kind = faultKinds[nemesisKinds[name]] as FaultKind<Fault>;
    if (kind.kind === 'churn') {
      // A node that leaves stays away a while (a reboot is one fault length, a departure several).
      const awayMs = Math.max(1, Math.min(durationMs * CHURN_AWAY_FACTOR, plan.healAtMs - atMs));
      // Drawn whole either way (the draws do not depend on the bounds); kept only within them.
      const f = kind.generate(name, rng, nodes, { atMs, durationMs: awayMs }, byzantine, plan.churn) as ChurnFault;
      if (plan.churn !== undefined && churnFits(churns, atMs, plan.churn)) {
        churns.push(f);
        faults.push(f);
      }
    } else if (!kind.byzantine || byzantine.length > 0) {
      // f = 0 (a cluster too small for any): the Byzantine nemesis's turn passes.
      faults.push(kind.generate(name, rng, nodes, { atMs, durationMs }, byzantine));
    }
    atMs += Math.max(1, Math.floor(plan.intervalMs * (0.5 + rng())));
  }
  return faults;
}

/** One line a person reads, e.g. `crash n2 for 300 ms`. */
export function describeFault(f: Fault): string {
  return faultKindOf(f).describe(f);
}

/**
 * Checks a fault read as data (a corpus file, user input) against the nodes of the run; returns
 * `field: problem` or undefined.
 *
 * @example
 * validateFault({ kind: 'crash', atMs: 5, durationMs: 10, node: 'n9' }, new Set(['n1'])); // 'node must name one of n1'
 */
export function validateFault(x: unknown, nodes: ReadonlySet<NodeId>): string | undefined {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return 'must be an object';
  const f = x as Record<string, unknown>;
  if (typeof f.kind !== 'string' || !Object.hasOwn(faultKinds, f.kind)) {
    return `kind ${JSON.stringify(f.kind)} is not a known fault kind (${Object.keys(faultKinds).join(', ')})`;
  }
  for (const k of ['atMs', 'durationMs']) {
    const v = f[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return `${k} must be a whole number of ms >= 0`;
  }
  return (faultKinds as Record<string, FaultKind<Fault>>)[f.kind].validate(f, nodes);
}

/**
 * Checks a whole plan (each fault, then the Byzantine ones together: at most `byzantineF` nodes,
 * none when the protocol did not opt in; then the churn ones against the protocol's churn bounds,
 * none without them); returns `faults[i].field: problem` or undefined.
 *
 * @example
 * validateFaultPlan([{ kind: 'silent', atMs: 0, durationMs: 5, node: 'n1' }], new Set(['n1']), undefined); // 'faults: Byzantine faults (silent) need a protocol that opts in ...'
 */
export function validateFaultPlan(faults: readonly unknown[], nodes: ReadonlySet<NodeId>, byzantineF: number | undefined, churnBounds?: ChurnBounds): string | undefined {
  for (let i = 0; i < faults.length; i++) {
    const problem = validateFault(faults[i], nodes);
    if (problem !== undefined) return `faults[${i}].${problem}`;
  }
  const problem = byzantinePlanProblem(faults as Fault[], byzantineF) ?? churnPlanProblem(faults as Fault[], churnBounds);
  return problem === undefined ? undefined : `faults: ${problem}`;
}
