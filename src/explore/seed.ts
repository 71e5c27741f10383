import { loadProtocol as loadRef, type ProtocolRef as LoadRef } from '../run/load.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { runScenario, type RunSettings } from '../run/run.ts';
import { featureHashes, hookCoverage, sometimesFeatures, traceFeatures } from './coverage-key.ts';
import type { ScenarioOptions } from '../run/scenario.ts';
import { reportOf, type SeedReport } from './report.ts';
import { optionsFor, type StrategyName } from './strategies/index.ts';

/**
 * Where a worker finds the protocol (plain data, see `src/run/load.ts`); a bare string is a
 * bundled protocol's name.
 */
export type ProtocolRef = string | LoadRef;

/** One seed to explore, as plain data (what a worker receives). */
export interface SeedTask {
  protocol: ProtocolRef;
  /** The scenario every seed starts from (defaults and flags). */
  base: ScenarioOptions;
  /** Options the user gave explicitly: strategies leave them as given. */
  pinned: Partial<ScenarioOptions>;
  strategy: StrategyName;
  seed: number;
  /** Run the seed twice and compare fingerprints. */
  checkDeterminism: boolean;
  /** History-check budget in model steps (default: the checker's); deterministic, so it travels with the task. */
  checkMaxStates?: number;
  /** The seed's options when the sweep planned them (a feedback strategy); else drawn from the strategy here. */
  options?: ScenarioOptions;
  /** Report the abstract features the run covered (for the `coverage` strategy). */
  coverage?: boolean;
}

/**
 * Runs one seed in this thread and reduces it to a report (optionally twice, for determinism).
 *
 * @example
 * const report = await exploreSeed({ protocol: 'abd', base, pinned: {}, strategy: 'random', seed: 7, checkDeterminism: false });
 */
export async function exploreSeed(task: SeedTask): Promise<SeedReport> {
  const protocol = await loadProtocol(task.protocol);
  const options = task.options ?? optionsFor(task.strategy, protocol, task.base, task.pinned, task.seed);
  const settings: RunSettings = task.checkMaxStates === undefined ? {} : { checkMaxStates: task.checkMaxStates };
  const hook = task.coverage && protocol.coverage !== undefined ? hookCoverage(protocol, options.variant) : undefined;
  // Without a hook, coverage comes from the trace: only then is it recorded.
  const watched: RunSettings = hook ? { ...settings, watchers: [hook.observer] } : task.coverage ? { ...settings, recordTrace: true } : settings;
  const r = await runScenario(protocol, { options }, watched);
  const report = reportOf(r);
  if (task.coverage) {
    const features = hook ? hook.features() : traceFeatures(r.sim.trace);
    report.coverage = featureHashes([...features, ...sometimesFeatures(r.sim.sometimes)]);
  }
  if (task.checkDeterminism) {
    const again = await runScenario(protocol, { options }, settings);
    if (again.sim.fingerprint !== r.sim.fingerprint) {
      report.status = 'fail';
      report.failing.push('determinism');
      report.checks.push({
        checker: 'determinism',
        verdict: 'illegal',
        summary: `the same seed gave two fingerprints (${r.sim.fingerprint}, ${again.sim.fingerprint}): something outside ctx leaks into the protocol`,
      });
    }
  }
  return report;
}

/**
 * Resolves a protocol reference (a bundled name or a module export).
 *
 * @example
 * const p = await loadProtocol({ module: '/home/me/kv/src/kv.ts', export: 'kv' });
 */
export async function loadProtocol(ref: ProtocolRef): Promise<ProtocolDef> {
  return loadRef(typeof ref === 'string' ? { bundled: ref } : ref);
}
