/**
 * One shrink in progress: the smallest failing input so far, its run, the cache of candidates
 * already tried and the budget. Passes see it through `PassContext`.
 */
import { byzantinePlanProblem, churnPlanProblem } from '../faults/index.ts';
import { byzantineFOf, churnBoundsOf, type ProtocolDef } from '../run/protocol.ts';
import { runScenario, type RunResult, type RunSettings } from '../run/run.ts';
import type { ScenarioOptions } from '../run/scenario.ts';
import type { ShrinkBudget, StopReason } from './budget.ts';
import { assert, flagIndices, trimTape, type ExplicitInput } from './input.ts';
import { inputKey, scheduleSeed } from './key.ts';
import type { PassContext } from './pass.ts';
import { freshTape, networkOf, reroll } from './schedules.ts';
import { failsSameWay, type ShrinkTarget } from './target.ts';

/** A progress report, after every run the shrinker makes. */
export interface ShrinkProgress {
  runs: number;
  /** Simulated events over every run so far. */
  events: number;
  /** Wall time so far: for display only. */
  elapsedMs: number;
  /** The pass being run (`ops`, `faults`, `tape-flags`, ...). */
  pass: string;
  ops: number;
  faults: number;
  /** Nonzero drop / dup / reorder choices left in the tape. */
  flags: number;
  tapeLength: number;
}

/** Settings a session runs every candidate with. */
export interface SessionSettings {
  /** Fresh tapes tried for a structural change that fails with the old tape (0 = never). */
  retapes: number;
  /** How each candidate's history is checked (its budget must be deterministic for a deterministic shrink). */
  check: Omit<RunSettings, 'recordTrace'>;
  /** The original run's options: fresh schedules use its network. */
  original: ScenarioOptions;
  onProgress?: (p: ShrinkProgress) => void;
}

/** Thrown out of a pass when the budget has run out; the shrink keeps the best input so far. */
export class BudgetExhausted extends Error {
  constructor(readonly reason: Exclude<StopReason, 'fixpoint'>) {
    super(`shrink budget exhausted: ${reason}`);
  }
}

/** Small runs are cheap and a schedule that makes the bug is rarer with few ops: try more. */
const SMALL_RUN_OPS = 50;
const SMALL_RUN_RETAPE_FACTOR = 6;

export class ShrinkSession implements PassContext {
  /** The pass being run, for progress reports. */
  pass = 'original';
  readonly minNodes: number;
  private cur: ExplicitInput;
  private best: RunResult;
  /** Key of every candidate run -> whether it failed the same way. At most 2 entries per run. */
  private readonly tried = new Map<string, boolean>();

  constructor(
    private readonly protocol: ProtocolDef,
    private readonly target: ShrinkTarget,
    start: ExplicitInput,
    startResult: RunResult,
    private readonly budget: ShrinkBudget,
    private readonly settings: SessionSettings,
  ) {
    assert(settings.retapes >= 0 && settings.retapes <= 1000, `retapes ${settings.retapes} out of [0, 1000]`);
    this.minNodes = Math.max(1, protocol.minNodes ?? 1);
    this.cur = start;
    this.best = startResult;
  }

  current(): ExplicitInput {
    return this.cur;
  }

  currentResult(): RunResult {
    return this.best;
  }

  async attempt(c: ExplicitInput): Promise<boolean> {
    // A smaller cluster may allow fewer Byzantine nodes (f of 4 nodes is 1, of 3 is 0): not a run.
    if (byzantinePlanProblem(c.faults, byzantineFOf(this.protocol, c.options.nodes)) !== undefined) return false;
    // Shrinking only shortens and removes churns, so this holds; checked so it can never reach a run.
    if (churnPlanProblem(c.faults, churnBoundsOf(this.protocol)) !== undefined) return false;
    const key = inputKey(c);
    if (this.tried.has(key)) return false;
    const stop = this.budget.stopReason();
    if (stop !== undefined) throw new BudgetExhausted(stop);
    const r = await runScenario(this.protocol, c, this.settings.check);
    this.budget.spend(r);
    // A verdict a safety net decided depends on the machine: going on would make the result too.
    if (hitCheckSafetyNet(r)) throw new BudgetExhausted('check-safety-net');
    const ok = failsSameWay(this.target, r);
    this.tried.set(key, ok);
    if (ok) this.adopt(c, r);
    this.report();
    return ok;
  }

  async attemptStructural(c: ExplicitInput): Promise<boolean> {
    // Removing ops keeps every other op's decisions (the tape is keyed by op), but faults and
    // nodes change timing for all: then a few other schedules of the same shape are tried.
    if (await this.attempt(c)) return true;
    const seed = scheduleSeed(inputKey(c));
    const tries = c.ops.length <= SMALL_RUN_OPS ? this.settings.retapes * SMALL_RUN_RETAPE_FACTOR : this.settings.retapes;
    for (let k = 0; k < tries; k++) {
      // Alternately: the same decisions with new values, and a whole new schedule on the
      // original network (its spread may have been simplified away by now).
      const candidate = k % 2 === 0 ? { ...c, tape: reroll(seed, k, c.options, c.tape) } : this.onOriginalNetwork(c, seed, k);
      if (await this.attempt(candidate)) return true;
    }
    return false;
  }

  async traceCurrent(): Promise<RunResult | undefined> {
    const stop = this.budget.stopReason();
    if (stop !== undefined) throw new BudgetExhausted(stop);
    const r = await runScenario(this.protocol, this.cur, { ...this.settings.check, recordTrace: true });
    this.budget.spend(r);
    this.report();
    // Only the seed-mode original may differ from its tape re-drive (then `current()` is that data).
    return r.sim.fingerprint === this.best.sim.fingerprint ? r : undefined;
  }

  private onOriginalNetwork(c: ExplicitInput, seed: number, k: number): ExplicitInput {
    const options = { ...c.options, ...networkOf(this.settings.original) };
    return { ...c, options, tape: freshTape(seed, k, options, c.ops.length) };
  }

  /** Takes a candidate that failed the same way, with the tape its run actually recorded. */
  private adopt(c: ExplicitInput, r: RunResult): void {
    assert(failsSameWay(this.target, r), 'adopting a candidate that does not fail the same way');
    this.cur = { options: c.options, ops: c.ops, faults: c.faults, tape: trimTape(r.sim.tape) };
    this.tried.set(inputKey(this.cur), true);
    this.best = r;
  }

  private report(): void {
    this.settings.onProgress?.({
      runs: this.budget.runs,
      events: this.budget.events,
      elapsedMs: this.budget.elapsedMs(),
      pass: this.pass,
      ops: this.cur.ops.length,
      faults: this.cur.faults.length,
      flags: flagIndices(this.cur.tape).length,
      tapeLength: this.cur.tape.values.length,
    });
  }
}

/** Whether a check of `r` gave `unknown` because a wall-clock or memory safety net ran out. */
export function hitCheckSafetyNet(r: RunResult): boolean {
  return r.checks.some((c) => {
    const budget = (c.details as { budget?: unknown } | undefined)?.budget;
    return c.verdict === 'unknown' && (budget === 'wall-time' || budget === 'memory');
  });
}
