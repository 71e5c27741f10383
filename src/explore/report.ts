import type { SimResult, SimStats } from '../sim/simulator.ts';
import type { RunResult, Status } from '../run/run.ts';
import type { ScenarioOptions } from '../run/scenario.ts';
import type { StrategyRecord } from '../corpus/schema.ts';

/**
 * A seed's verdict. Beyond a run's own `pass` / `fail` / `unknown`: `hung` (no verdict before the
 * per-seed watchdog: a handler that never returns) and `crashed` (the worker thread running it
 * died: out of memory, or it exited), both decided by the pool, not by the run.
 */
export type SeedStatus = Status | 'hung' | 'crashed';

/** What one explored seed came to, as plain data (it crosses from worker threads). */
export interface SeedReport {
  seed: number;
  status: SeedStatus;
  /** The violated checks, first one first (the shrinker keeps the first). */
  failing: string[];
  fingerprint: string;
  outcome: SimResult['outcome'] | 'hung' | 'crashed';
  error?: SimResult['error'];
  stats?: SimStats;
  checks: Array<{ checker: string; verdict: string; summary: string }>;
  /** The options the seed ran under (the strategy may draw them from the seed). */
  options: ScenarioOptions;
  /** `ctx.sometimes` names and how often each condition held in this run. */
  sometimes?: Record<string, number>;
  /** The strategy that drew `options`, and its parameters (set by the sweep, recorded in corpus entries). */
  strategy?: StrategyRecord;
  /** For the `coverage` strategy: the hashes of the abstract features the run covered (see `coverage-key.ts`). */
  coverage?: number[];
}

/**
 * Reduces a run to its report.
 *
 * @example
 * const report = reportOf(await runScenario(abd, { options }));
 */
export function reportOf(r: RunResult): SeedReport {
  return {
    seed: r.options.seed,
    status: r.status,
    failing: [...r.failing],
    fingerprint: r.sim.fingerprint,
    outcome: r.sim.outcome,
    error: r.sim.error,
    stats: r.sim.stats,
    checks: r.checks.map((c) => ({ checker: c.checker, verdict: c.verdict, summary: c.summary })),
    options: r.options,
    sometimes: r.sim.sometimes,
  };
}

/**
 * The verdict of a seed the pool had to stop or lost: `hung` past the watchdog, or `crashed` when
 * its worker died (`check` names why, e.g. `out-of-memory`).
 *
 * @example
 * lostReport(options, 'hung', 'hung', 'no verdict after 60000 ms of wall time');
 */
export function lostReport(options: ScenarioOptions, status: 'hung' | 'crashed', check: string, message: string): SeedReport {
  return {
    seed: options.seed,
    status,
    failing: [check],
    fingerprint: '',
    outcome: status,
    error: { message, timeMs: -1 },
    checks: [{ checker: check, verdict: 'illegal', summary: message }],
    options,
  };
}

/** True for a verdict that counts as finding something (what `--stop-on-fail` stops at). */
export function isFailure(status: SeedStatus): boolean {
  return status === 'fail' || status === 'hung' || status === 'crashed';
}
