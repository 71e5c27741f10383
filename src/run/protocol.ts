import { defaultByzantineF } from '../faults/byzantine.ts';
import { DEFAULT_CHURN_BOUNDS, MAX_CHURN_MS, type ChurnBounds } from '../faults/churn.ts';
import type { HistoryCheckerSpec } from '../../checkers/index.ts';
import type { CheckerResult } from '../../checkers/result.ts';
import type { Mutator } from '../faults/mutate.ts';
import type { NodeCtx, NodeHandlers } from '../node/api.ts';
import type { Observer, WorldView } from '../sim/simulator.ts';
import type { Workload } from '../workload/workload.ts';
import type { NemesisName } from '../faults/index.ts';
import type { ScenarioOptions } from './scenario.ts';

/** A variant of a protocol: the correct one, or one with a planted bug. */
export interface VariantDef {
  kind: 'correct' | 'bug';
  /** One line: what this variant does differently (for a bug: the classic mistake). */
  description: string;
  /**
   * For a bug that the default scenario rarely shows: the settings under which it shows within a
   * small seed range (e.g. three nodes and frequent short crashes). Tests and benchmarks use them;
   * `faultline run` does not apply them by itself (give them as flags).
   */
  scenario?: Partial<ScenarioOptions>;
  /**
   * The fault kinds this variant runs under (its fault menu), when they differ from the
   * protocol's: e.g. a protocol that is correct only under crash-stop, and a variant that runs the
   * same code with partitions on. Every command applies it (unless `--nemesis` is given), and
   * `swarm` draws its fault subsets from it.
   */
  nemesis?: NemesisName[];
}

/**
 * A bundled (or user) protocol: how to build a node, what clients ask of it, and how to judge the
 * run. Register yours in `protocols/index.ts`, or pass it to `runScenario` directly.
 *
 * @example
 * export const myProtocol: ProtocolDef = {
 *   name: 'my-register', description: 'a register on one node',
 *   variants: { correct: { kind: 'correct', description: 'as designed' } }, defaultVariant: 'correct',
 *   create: (ctx) => new MyNode(ctx), workload: registerWorkload,
 *   checkers: () => [{ kind: 'linearizable', model: 'register' }],
 * };
 */
export interface ProtocolDef {
  name: string;
  description: string;
  variants: Record<string, VariantDef>;
  /** The variant `faultline run` uses without `--variant`. */
  defaultVariant: string;
  create(ctx: NodeCtx, variant: string): NodeHandlers;
  workload: Workload;
  /** History checks (linearizability against a model, set, counter, ...). */
  checkers(variant: string): HistoryCheckerSpec[];
  /** Invariants checked after every event and liveness checks after the final heal. */
  observers?(variant: string, scenario: ScenarioOptions): CheckingObserver[];
  /**
   * Liveness after the final heal: every op invoked after it must complete within this bound
   * (checked on the history by `pendingOpsComplete`). Omit for protocols that may block by design.
   */
  liveness?: { opsCompleteWithinMs: number };
  /** Scenario defaults for this protocol (e.g. its usual cluster size). */
  defaults?: Partial<ScenarioOptions>;
  /** Smallest cluster it works with. */
  minNodes?: number;
  /** Opts in to the Byzantine fault kinds (`equivocate`, `corrupt`, `replay`, `silent`). */
  byzantine?: ByzantineSpec;
  /** Opts in to the `churn` fault kind (nodes leaving for good, fresh nodes joining), within its bounds. */
  churn?: ChurnSpec;
  /**
   * The world's abstract state for the `coverage` strategy, called after every event: a run covers
   * each distinct key it reaches and each change of key. Keep it small and bounded (roles, who is
   * up, how terms relate; not raw counters). Absent: features are drawn from the trace.
   */
  coverage?(view: WorldView, variant: string): string;
}

/**
 * A protocol's opt-in to Byzantine faults. Without it those kinds are off (asking for them is bad
 * input), so protocols that assume crash faults only are never judged under lies.
 *
 * @example
 * byzantine: { f: (nodes) => Math.floor((nodes - 1) / 3), mutate: (msg, rng) => ({ ...msg, view: msg.view + 1 }) }
 */
export interface ByzantineSpec {
  /** Most Byzantine nodes in a cluster of `nodes` (a number, or per size); default floor((nodes - 1) / 3). */
  f?: number | ((nodes: number) => number);
  /** How a `corrupt` node changes a message; default the generic JSON mutator (`mutateJson`). */
  mutate?: Mutator;
}

/**
 * The most Byzantine nodes a run of `protocol` on `nodes` nodes may have, or undefined when the
 * protocol did not opt in.
 *
 * @example
 * byzantineFOf(pbft, 4); // 1
 */
export function byzantineFOf(protocol: Pick<ProtocolDef, 'byzantine'>, nodes: number): number | undefined {
  const spec = protocol.byzantine;
  if (spec === undefined) return undefined;
  const f = typeof spec.f === 'function' ? spec.f(nodes) : (spec.f ?? defaultByzantineF(nodes));
  if (!(Number.isInteger(f) && f >= 0)) throw new Error(`byzantine.f must give a whole number >= 0, got ${String(f)} for ${nodes} nodes`);
  return Math.min(f, nodes);
}

/**
 * A protocol's opt-in to churn: nodes leaving for good (crash-stop, or gracefully with `onLeave`)
 * and fresh nodes (empty disk) joining in their place. Churn wipes disks, so without this opt-in
 * the kind is off (asking for it is bad input). The bounds keep churn from wiping replicas faster
 * than the protocol can copy data again, which no design survives; plans outside them are
 * refused, never silently changed.
 *
 * @example
 * churn: { maxAway: 1, settleMs: 1500, graceMs: 300 }
 */
export interface ChurnSpec {
  /** Most nodes churned at once, each counted from its leave until `settleMs` after it is back; default 1. */
  maxAway?: number;
  /** How long a churned node still counts as away once back (time to re-copy its data), in ms; default 1000. */
  settleMs?: number;
  /** The grace period of a graceful leave, in ms (see `onLeave`); default 200. */
  graceMs?: number;
}

/**
 * The churn bounds of `protocol` with defaults filled in, or undefined when it did not opt in.
 *
 * @example
 * churnBoundsOf(chord); // { maxAway: 1, settleMs: 1000, graceMs: 200 }
 */
export function churnBoundsOf(protocol: Pick<ProtocolDef, 'churn'>): ChurnBounds | undefined {
  const spec = protocol.churn;
  if (spec === undefined) return undefined;
  // A misspelt field (`maxaway`) would otherwise be dropped silently and the default used instead.
  const unknown = Object.keys(spec).find((k) => !Object.hasOwn(DEFAULT_CHURN_BOUNDS, k));
  if (unknown !== undefined) throw new Error(`churn has an unknown field '${unknown.slice(0, 40)}': its fields are ${Object.keys(DEFAULT_CHURN_BOUNDS).join(', ')}`);
  const b = { ...DEFAULT_CHURN_BOUNDS, ...stripUndefined(spec) };
  const whole = (v: number, min: number, max: number) => Number.isSafeInteger(v) && v >= min && v <= max;
  if (!whole(b.maxAway, 1, 1000)) throw new Error(`churn.maxAway must be a whole number from 1 to 1000, got ${String(b.maxAway)}`);
  if (!whole(b.settleMs, 0, MAX_CHURN_MS)) throw new Error(`churn.settleMs must be a whole number of ms from 0 to ${MAX_CHURN_MS}, got ${String(b.settleMs)}`);
  if (!whole(b.graceMs, 1, MAX_CHURN_MS)) throw new Error(`churn.graceMs must be a whole number of ms from 1 to ${MAX_CHURN_MS}, got ${String(b.graceMs)}`);
  return b;
}

function stripUndefined(spec: ChurnSpec): Partial<ChurnBounds> {
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as Partial<ChurnBounds>;
}

/** An observer that also judges: after the run, `result()` is its verdict. */
export interface CheckingObserver extends Observer {
  result(): CheckerResult;
}
