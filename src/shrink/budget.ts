/**
 * The shrink budget, in deterministic units: runs, and simulated events summed over runs. What
 * the shrinker tries, and so its result, depends only on these counts, never on machine load. A
 * wall-clock limit stays as an outer safety net only; a shrink it stops says `wall-time`, so
 * nobody mistakes that result for a reproducible one.
 */
import type { RunResult } from '../run/run.ts';
import { assert } from './input.ts';

/**
 * Why a shrink stopped: a fixpoint (1-minimal), or the budget that ran out first. `wall-time`
 * and `check-safety-net` (a candidate's history check hit its wall-clock or memory net, so its
 * verdict depended on the machine) are safety nets: a result they cut short is not reproducible.
 */
export type StopReason = 'fixpoint' | 'runs' | 'events' | 'wall-time' | 'check-safety-net';

export interface ShrinkBudgetLimits {
  /** Runs, the original run included. */
  maxRuns: number;
  /** Simulated events (`stats.steps`) summed over every run: long runs cost more than short ones. */
  maxEvents: number;
  /** Outer safety net only: stops a shrink that would otherwise run for hours. Not deterministic. */
  wallLimitMs: number;
}

/**
 * Generous defaults: the shrinks of every bundled planted bug reach their fixpoint well inside
 * them (see bench/shrink.bench.ts), so the deterministic budget decides only for pathological
 * inputs and the wall-clock net almost never.
 */
export const defaultShrinkBudget: ShrinkBudgetLimits = {
  maxRuns: 20_000,
  maxEvents: 1_000_000_000,
  wallLimitMs: 30 * 60_000,
};

/** Hard ceilings on what a caller may ask for (a bound on everything). */
export const shrinkBudgetCeiling: ShrinkBudgetLimits = {
  maxRuns: 10_000_000,
  maxEvents: 1e15,
  wallLimitMs: 7 * 24 * 3_600_000,
};

/**
 * Counts what a shrink spends and says when it must stop.
 *
 * @example
 * const b = new ShrinkBudget({ ...defaultShrinkBudget, maxRuns: 100 });
 * while (b.stopReason() === undefined) b.spend(await runScenario(p, next()));
 */
export class ShrinkBudget {
  runs = 0;
  events = 0;
  readonly limits: ShrinkBudgetLimits;
  private readonly startMs: number;

  /** `clock` reads wall time in ms (tests pass a fake one; it only feeds the safety net). */
  constructor(
    limits: Partial<ShrinkBudgetLimits> = {},
    private readonly clock: () => number = defaultClock,
  ) {
    this.startMs = clock();
    this.limits = { ...defaultShrinkBudget, ...dropUndefined(limits) };
    for (const key of Object.keys(shrinkBudgetCeiling) as Array<keyof ShrinkBudgetLimits>) {
      const v = this.limits[key];
      assert(Number.isFinite(v) && v >= 1 && v <= shrinkBudgetCeiling[key], `shrink budget ${key} must be in [1, ${shrinkBudgetCeiling[key]}], got ${v}`);
    }
  }

  /** Records one finished run. */
  spend(r: RunResult): void {
    this.runs++;
    this.events += r.sim.stats.steps;
  }

  /** Why no further run may start, or undefined when one may. Deterministic budgets are checked first. */
  stopReason(): 'runs' | 'events' | 'wall-time' | undefined {
    if (this.runs >= this.limits.maxRuns) return 'runs';
    if (this.events >= this.limits.maxEvents) return 'events';
    if (this.elapsedMs() >= this.limits.wallLimitMs) return 'wall-time';
    return undefined;
  }

  /** Wall time since the shrink started: for progress reports and the safety net only. */
  elapsedMs(): number {
    return this.clock() - this.startMs;
  }
}

/** Only the limit fields, and only those given (settings objects carry other fields too). */
function dropUndefined(o: Partial<ShrinkBudgetLimits>): Partial<ShrinkBudgetLimits> {
  const out: Partial<ShrinkBudgetLimits> = {};
  for (const key of Object.keys(shrinkBudgetCeiling) as Array<keyof ShrinkBudgetLimits>) {
    if (o[key] !== undefined) out[key] = o[key];
  }
  return out;
}

function defaultClock(): number {
  return performance.now();
}
