import { checkHistory } from '../../checkers/index.ts';
import { pendingOpsComplete } from '../../checkers/liveness.ts';
import { combineResults, type CheckerResult } from '../../checkers/result.ts';
import type { Fault } from '../faults/index.ts';
import { Simulator, type Observer, type SimConfig, type SimResult } from '../sim/simulator.ts';
import type { PlannedOp } from '../workload/workload.ts';
import type { ProtocolDef } from './protocol.ts';
import { simConfigOf, type RunInput, type ScenarioOptions } from './scenario.ts';

/**
 * A run's verdict. `pass`: every check held. `fail`: a checker found a violation, or the protocol
 * threw, looped past its step budget or broke a determinism rule. `unknown`: a checker ran out
 * of budget before it could decide.
 */
export type Status = 'pass' | 'fail' | 'unknown';

export interface RunResult {
  status: Status;
  /** What failed: checker names, or the simulator outcome (`crashed`, `step-budget`, `nondeterminism`). */
  failing: string[];
  options: ScenarioOptions;
  ops: PlannedOp[];
  faults: Fault[];
  sim: SimResult;
  checks: CheckerResult[];
}

/**
 * Wall-clock safety net per history check: far above what the state budget takes, so it fires
 * only on a starved machine, and its `unknown` says `wall-time`. The verdict is decided by the
 * state budget (`checkMaxStates`, default DEFAULT_MAX_STATES), which does not depend on load.
 */
export const DEFAULT_CHECK_WALL_MS = 300_000;

export interface RunSettings {
  /** Keep the full event trace (for `--out`, stories and reports). */
  recordTrace?: boolean;
  /** Search budget per history check in model steps (default DEFAULT_MAX_STATES); past it `unknown`. */
  checkMaxStates?: number;
  /** Wall-clock safety net per history check (default DEFAULT_CHECK_WALL_MS). */
  checkTimeoutMs?: number;
  /** Passed to the simulator (see `SimConfig.pace`): real processes catch up before virtual time moves. */
  pace?: SimConfig['pace'];
  /** Observers beyond the protocol's own that only watch (e.g. the coverage strategy's), never judge. */
  watchers?: Observer[];
}

/**
 * Runs one scenario end to end: simulate, then check the history and the protocol's invariants.
 *
 * @example
 * const r = await runScenario(primaryBackup, { options: resolveOptions(primaryBackup, { seed: 3 }) });
 * r.status; // 'pass' | 'fail' | 'unknown'
 */
export async function runScenario(protocol: ProtocolDef, input: RunInput, settings: RunSettings = {}): Promise<RunResult> {
  const observers = protocol.observers?.(input.options.variant, input.options) ?? [];
  const config = simConfigOf(protocol, input, { observers: [...observers, ...(settings.watchers ?? [])], recordTrace: settings.recordTrace ?? false });
  if (settings.pace) config.pace = settings.pace;
  const sim = await new Simulator(config).run();
  const checks: CheckerResult[] = [];
  if (sim.outcome !== 'completed') {
    checks.push({ checker: sim.outcome, verdict: 'illegal', summary: sim.error?.message ?? sim.outcome });
  }
  // A run cut short still has a history worth checking: a violation before the crash is real.
  const checkBudget = { maxStates: settings.checkMaxStates, timeoutMs: settings.checkTimeoutMs ?? DEFAULT_CHECK_WALL_MS };
  checks.push(...checkHistory(sim.history, protocol.checkers(input.options.variant), checkBudget));
  for (const o of observers) checks.push(o.result());
  if (protocol.liveness && sim.outcome === 'completed') {
    checks.push(pendingOpsComplete(sim.history, sim.healedAtMs, protocol.liveness.opsCompleteWithinMs));
  }
  const combined = combineResults(checks);
  return {
    status: combined.verdict === 'ok' ? 'pass' : combined.verdict === 'illegal' ? 'fail' : 'unknown',
    failing: combined.failing,
    options: input.options,
    ops: config.ops,
    faults: config.faults,
    sim,
    checks,
  };
}

/**
 * The determinism check (`--check-determinism`): runs the input, then a different seed of the same
 * scenario, then the input again, in the same process, and compares the two fingerprints of the
 * input. They differ only if something outside the ctx leaked into the run: a clock or entropy
 * source the guard did not see, or module-level state in the protocol (a counter, a cache, a
 * registry) that one run left behind for the next. The run in between makes such state differ even
 * when the input's own runs would leave it the same.
 *
 * @example
 * const { same } = await checkDeterminism(primaryBackup, input);
 */
export async function checkDeterminism(
  protocol: ProtocolDef,
  input: RunInput,
): Promise<{ same: boolean; first: string; second: string }> {
  const a = await runScenario(protocol, input);
  const otherSeed = input.options.seed === Number.MAX_SAFE_INTEGER ? 0 : input.options.seed + 1;
  await runScenario(protocol, { options: { ...input.options, seed: otherSeed } });
  const b = await runScenario(protocol, input);
  return { same: a.sim.fingerprint === b.sim.fingerprint, first: a.sim.fingerprint, second: b.sim.fingerprint };
}
