/**
 * What "fails the same way" means, and the size figures of a run before and after shrinking.
 */
import type { RunResult } from '../run/run.ts';
import type { RunOutcome } from '../sim/simulator.ts';
import { flagIndices, type ExplicitInput } from './input.ts';

/** What "fails the same way" means: the same simulator outcome, and this checker still failing. */
export interface ShrinkTarget {
  outcome: RunOutcome;
  /** The first failing checker of the original run (a checker name or a sim outcome like `crashed`). */
  checker: string;
}

/** Sizes of a run, for reports: before and after shrinking. */
export interface RunSize {
  ops: number;
  faults: number;
  messages: number;
  tapeLength: number;
  /** Nonzero drop / dup / reorder choices. */
  flags: number;
  nodes: number;
  clients: number;
  virtualMs: number;
}

/**
 * Whether `r` fails the way `target` says: same simulator outcome, and the target checker among
 * the failing ones (an `unknown` verdict does not count: the failure must be decided).
 *
 * @example
 * failsSameWay({ outcome: 'completed', checker: 'linearizable(register)' }, await runScenario(abd, c));
 */
export function failsSameWay(target: ShrinkTarget, r: RunResult): boolean {
  if (r.status !== 'fail' || r.sim.outcome !== target.outcome) return false;
  return r.checks.some((c) => c.checker === target.checker && c.verdict === 'illegal');
}

/**
 * The target a failing run defines: its outcome and its first failing checker.
 *
 * @example
 * targetOf(passingRun); // undefined: nothing to shrink
 */
export function targetOf(r: RunResult): ShrinkTarget | undefined {
  if (r.status !== 'fail') return undefined;
  const first = r.checks.find((c) => c.verdict === 'illegal');
  return first ? { outcome: r.sim.outcome, checker: first.checker } : undefined;
}

/**
 * The size figures of a run.
 *
 * @example
 * sizeOf(s.input, s.result).ops; // planned ops left
 */
export function sizeOf(input: ExplicitInput, r: RunResult): RunSize {
  return {
    ops: input.ops.length,
    faults: input.faults.length,
    messages: r.sim.stats.messagesSent,
    tapeLength: input.tape.values.length,
    flags: flagIndices(input.tape).length,
    nodes: input.options.nodes,
    clients: input.options.clients,
    virtualMs: r.sim.stats.virtualMs,
  };
}
