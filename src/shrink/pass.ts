/**
 * The interface between the shrink loop and its passes. A pass knows one way to simplify a run
 * (fewer ops, weaker faults, plainer network decisions, ...); it builds candidates from
 * `current()` and offers them to `attempt`, which runs each and adopts it when it still fails the
 * same way. A pass never runs a simulation itself and keeps no state between calls, so the order
 * of candidates, and with it the result, depends only on earlier runs' verdicts.
 */
import type { RunResult } from '../run/run.ts';
import type { ExplicitInput } from './input.ts';

export interface PassContext {
  /** The protocol's smallest cluster: no candidate has fewer nodes. */
  readonly minNodes: number;
  /** The smallest failing input so far. */
  current(): ExplicitInput;
  /** The run of `current()`. */
  currentResult(): RunResult;
  /** Runs a candidate; true (and adopted as `current()`) when it fails the same way. */
  attempt(c: ExplicitInput): Promise<boolean>;
  /**
   * For a change of shape (fewer ops, faults, nodes): when the candidate with its tape passes, a
   * few other schedules of the same shape are tried too, because a concurrency bug needs *a*
   * schedule, not necessarily this one.
   */
  attemptStructural(c: ExplicitInput): Promise<boolean>;
  /**
   * `current()` run again with its trace (one run of the budget), or undefined when that run is
   * not the one `currentResult()` holds (a seed-mode original its tape does not re-drive).
   */
  traceCurrent(): Promise<RunResult | undefined>;
}

/** One way to simplify a failing run. */
export interface ShrinkPass {
  /** Shown in progress reports (`ops`, `faults`, `tape-flags`, ...). */
  readonly name: string;
  /** Offers candidates until this pass finds nothing more; true if at least one was adopted. */
  run(ctx: PassContext): Promise<boolean>;
}
