/**
 * `defineProtocol` and `defineConfig`: typed front doors for a user's protocol module and project
 * config. Variant names are inferred from `variants`, so `create`, `checkers` and `observers` see
 * them as a union and `defaultVariant` must be one of them, without a cast in protocol code.
 */
import type { HistoryCheckerSpec } from '../../checkers/index.ts';
import type { NodeCtx, NodeHandlers } from '../node/api.ts';
import type { WorldView } from '../sim/simulator.ts';
import type { Workload } from '../workload/workload.ts';
import { checkProtocolDef, type FaultlineConfig } from './load.ts';
import type { ByzantineSpec, ChurnSpec, CheckingObserver, ProtocolDef, VariantDef } from './protocol.ts';
import type { ScenarioOptions } from './scenario.ts';

/** What `defineProtocol` takes: a `ProtocolDef` whose variant names are the keys of `variants`. */
export interface ProtocolSpec<V extends string, Msg = unknown> {
  /** The name commands, corpus entries and reports use. */
  name: string;
  description: string;
  variants: Record<V, VariantDef>;
  /** The variant `faultline run` uses without `--variant`. */
  defaultVariant: NoInfer<V>;
  /** Builds one node's handlers; called again on every restart after a crash. */
  create(ctx: NodeCtx<Msg>, variant: V): NodeHandlers<Msg>;
  /** What clients ask: called once per planned op with the workload's random stream. */
  workload: Workload;
  /** History checks, e.g. `[{ kind: 'linearizable', model: 'register' }]`. */
  checkers(variant: V): HistoryCheckerSpec[];
  /** Invariants (`always`) and liveness checks (`eventually`) over the world, after every event. */
  observers?(variant: V, scenario: ScenarioOptions): CheckingObserver[];
  /** Every op invoked after the final heal must complete within this bound. */
  liveness?: { opsCompleteWithinMs: number };
  /** Scenario defaults for this protocol (e.g. its usual cluster size). */
  defaults?: Partial<ScenarioOptions>;
  /** Smallest cluster it works with. */
  minNodes?: number;
  /** Opts in to the Byzantine fault kinds; `f` and the `corrupt` mutator (see ByzantineSpec). */
  byzantine?: ByzantineSpec;
  /**
   * Opts in to the `churn` fault kind: nodes leave for good (crash-stop, or gracefully after
   * `onLeave`) and fresh nodes with empty disks join in their place, within these bounds (see
   * ChurnSpec). Put `'churn'` in `defaults.nemesis` to have it drawn.
   *
   * @example
   * churn: { maxAway: 1, settleMs: 1500 }, defaults: { nemesis: ['churn', 'pause', 'loss-spike'] },
   */
  churn?: ChurnSpec;
  /**
   * The world's abstract state, for `faultline explore --strategy coverage`: called after every
   * event; a run covers each distinct key it reaches (and each change from one key to the next),
   * and the strategy keeps and mutates the scenarios that reach keys no earlier run did. Keep it
   * bounded: roles, who is up, how terms compare, not raw counters or values. Without it, coverage
   * is drawn from the trace (message types and node-local events).
   *
   * @example
   * coverage: (view) =>
   *   view.nodes.map((n) => (n.up ? (n.state as RaftNode).role : 'down')).join(' ') +
   *   ` terms ${new Set(view.nodes.map((n) => (n.state as RaftNode | undefined)?.term)).size}`,
   */
  coverage?(view: WorldView, variant: V): string;
}

/**
 * Declares a protocol for Faultline: checks it now (a bad definition fails at import, naming the
 * field) and returns it as a `ProtocolDef` for every command and test helper.
 *
 * @example
 * export default defineProtocol({
 *   name: 'my-register',
 *   description: 'one node holds a register',
 *   variants: {
 *     correct: { kind: 'correct', description: 'as designed' },
 *     'lost-write': { kind: 'bug', description: 'acks a write before applying it' },
 *   },
 *   defaultVariant: 'correct',
 *   create: (ctx, variant) => new RegisterNode(ctx, variant === 'lost-write'),
 *   workload: (rng) => (rng() < 0.5 ? { f: 'read', value: null } : { f: 'write', value: Math.floor(rng() * 5) }),
 *   checkers: () => [{ kind: 'linearizable', model: 'register' }],
 * });
 */
export function defineProtocol<const V extends string, Msg = unknown>(spec: ProtocolSpec<V, Msg>): ProtocolDef {
  // Variant names narrow to V only for the author's benefit; at run time they are strings.
  return checkProtocolDef(`protocol ${JSON.stringify(spec.name)}`, spec);
}

/**
 * Declares a project config (`faultline.config.ts`): the project's protocol modules, scenario
 * defaults and corpus directory. Commands find it from the current directory upward.
 *
 * @example
 * // faultline.config.ts
 * export default defineConfig({
 *   protocols: ['./src/register.ts'],
 *   scenario: { nodes: 3, ops: 100 },
 *   corpus: 'corpus',
 * });
 */
export function defineConfig(config: FaultlineConfig): FaultlineConfig {
  return config;
}
