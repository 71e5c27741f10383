/**
 * The shrinker: turns a failing run into a small one that fails the same way.
 *
 * A run is data: scenario options, the client plan (ops), the fault plan and the network's choice
 * tape. The shrinker tries simpler versions of that data, one pass per kind of simplification
 * (`passes/`), and keeps each one that still fails the same way, round after round, until a whole
 * round changes nothing (a fixpoint: 1-minimal) or the budget runs out.
 *
 * Determinism: what to try next depends only on the verdicts of earlier runs, and the budget
 * counts runs and simulated events, never wall time; so the same input shrinks to the same result
 * on every machine at every load. Every run is deterministic, so the cache of tried candidates
 * is exact. A wall-clock limit exists only as an outer safety net, and a result it cut short says
 * `stoppedBy: 'wall-time'`.
 *
 * After every accepted candidate the tape is replaced by the tape that run actually recorded (with
 * trailing zeros trimmed), so the kinds in the final tape describe exactly the decisions of the
 * final run, and replaying the result reproduces it bit for bit.
 */
import type { ProtocolDef } from '../run/protocol.ts';
import { runScenario, type RunResult, type RunSettings } from '../run/run.ts';
import type { RunInput } from '../run/scenario.ts';
import { ShrinkBudget, type ShrinkBudgetLimits, type StopReason } from './budget.ts';
import { assert, cloneFault, trimTape, type ExplicitInput } from './input.ts';
import { passes } from './passes/index.ts';
import { BudgetExhausted, ShrinkSession, type ShrinkProgress } from './session.ts';
import { sizeOf, targetOf, type RunSize, type ShrinkTarget } from './target.ts';

export type { ExplicitInput } from './input.ts';
export { flagIndices, trimTape, withoutOps } from './input.ts';
export { withoutNode } from './passes/nodes.ts';
export type { ShrinkProgress } from './session.ts';
export { failsSameWay, sizeOf, targetOf, type RunSize, type ShrinkTarget } from './target.ts';
export { defaultShrinkBudget, type StopReason } from './budget.ts';

export interface ShrinkSettings extends Partial<ShrinkBudgetLimits> {
  /** Called after every run. */
  onProgress?: (p: ShrinkProgress) => void;
  /** Fresh tapes tried for a structural change that fails with the old tape (default 3; 0 = never). */
  retapes?: number;
  /**
   * How each candidate's history is checked. Leave the checker's budget in deterministic units
   * (search states): a wall-clock check budget would make a candidate's verdict, and so the
   * shrink, depend on machine load.
   */
  check?: Omit<RunSettings, 'recordTrace'>;
  /**
   * Told the original failing run (made explicit) before shrinking starts, so a caller can save
   * it first: whatever happens to the shrink, the failure is not lost.
   */
  onReproduced?: (input: ExplicitInput, result: RunResult) => void;
  /** Reads wall time in ms for the safety net (default `performance.now`; tests pass a fake). */
  wallClock?: () => number;
}

export interface ShrinkResult {
  /** False when the input did not fail at all: nothing was shrunk. */
  reproduced: boolean;
  target: ShrinkTarget | undefined;
  /** The smallest failing input found (the materialised input itself when not reproduced). */
  input: ExplicitInput;
  /** The run of `input`. */
  result: RunResult;
  original: RunSize;
  shrunk: RunSize;
  runs: number;
  /** Simulated events over every run. */
  events: number;
  /** Wall time taken: a figure for people, never an input to the search. */
  elapsedMs: number;
  /** `fixpoint`: 1-minimal. Otherwise the budget that ran out first (a safety net: not reproducible). */
  stoppedBy: StopReason;
  /** The budget ran out before a fixpoint: `input` is the best so far, not necessarily 1-minimal. */
  exhausted: boolean;
}

/** Rounds are bounded by runs (a round that changes something ran a candidate); this is a backstop. */
const MAX_ROUNDS = 100_000;

/**
 * Shrinks a failing run to a 1-minimal one that fails the same way: removing any single op or
 * fault, or zeroing any single drop / dup / reorder choice, makes the failure go away (unless
 * `exhausted`, when the budget ran out first).
 *
 * @example
 * const s = await shrink(abd, { options: resolveOptions(abd, { variant: 'no-write-back', seed: 7 }) });
 * s.shrunk.ops; // a handful
 * s.stoppedBy; // 'fixpoint'
 */
export async function shrink(protocol: ProtocolDef, given: RunInput, settings: ShrinkSettings = {}): Promise<ShrinkResult> {
  const budget = new ShrinkBudget(settings, settings.wallClock);
  const check = settings.check ?? {};
  const first = await runScenario(protocol, given, check);
  budget.spend(first);
  const materialised = materialise(given, first);
  const target = targetOf(first);
  const original = sizeOf(materialised, first);
  if (target === undefined) {
    return { reproduced: false, target, input: materialised, result: first, original, shrunk: original, ...spent(budget), stoppedBy: 'fixpoint', exhausted: false };
  }
  settings.onReproduced?.(materialised, first);
  const session = new ShrinkSession(protocol, target, materialised, first, budget, {
    retapes: settings.retapes ?? 3,
    check,
    original: given.options,
    onProgress: settings.onProgress,
  });
  const stoppedBy = await runRounds(session, budget);
  const best = session.current();
  // `options.ops` only sizes a seed-drawn plan; with explicit ops it is a label, so keep it
  // honest. The run is unaffected, so the result of `best` is the result of `input`.
  const input: ExplicitInput = { ...best, options: { ...best.options, ops: best.ops.length } };
  const result = session.currentResult();
  return { reproduced: true, target, input, result, original, shrunk: sizeOf(input, result), ...spent(budget), stoppedBy, exhausted: stoppedBy !== 'fixpoint' };
}

/** Runs every pass, round after round, to a fixpoint or until the budget stops it. */
async function runRounds(session: ShrinkSession, budget: ShrinkBudget): Promise<StopReason> {
  try {
    // Re-driving from the tape should reproduce the seed-mode run; if it does not fail the same
    // way, the session keeps the seed-mode data and shrinks from there.
    await session.attempt(session.current());
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let changed = false;
      for (const p of passes) {
        session.pass = p.name;
        if (await p.run(session)) changed = true;
      }
      if (!changed) return 'fixpoint';
      assert(round < budget.runs, 'a round changed the input without running a candidate');
    }
    assert(false, `no fixpoint after ${MAX_ROUNDS} rounds`);
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) throw e;
    return e.reason;
  }
}

/** The given input with every plan the first run drew made explicit (deep copies). */
function materialise(given: RunInput, first: RunResult): ExplicitInput {
  return {
    options: { ...given.options },
    ops: first.ops.map((o) => ({ ...o })),
    faults: first.faults.map(cloneFault),
    tape: trimTape(first.sim.tape),
  };
}

function spent(b: ShrinkBudget): { runs: number; events: number; elapsedMs: number } {
  return { runs: b.runs, events: b.events, elapsedMs: b.elapsedMs() };
}
