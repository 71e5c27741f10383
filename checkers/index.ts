/**
 * Checkers over histories. `checkHistory` runs several history checkers over one history; the
 * run-time checkers (`always`, `eventually`) are fed by the simulator event by event.
 */
import type { History } from '../src/history/types.ts';
import { getModel, type Model } from '../models/index.ts';
import { checkCounter } from './counter.ts';
import { HistoryError } from './history-error.ts';
import { checkLinearizability } from './linearizability.ts';
import type { CheckerResult } from './result.ts';
import { checkSet, checkSetFull } from './set.ts';
import { checkTotalQueue } from './total-queue.ts';
import { checkUniqueIds } from './unique-ids.ts';
import { runCustomChecker, type CustomHistoryChecker } from './custom.ts';
import { checkTransactional, type TxnWorkload } from './transactional/index.ts';

export { combineResults, type CheckerResult, type Verdict } from './result.ts';
export { checkLinearizability, describeCounterexample, DEFAULT_MAX_STATES, type CheckBudget, type LinearizabilityResult, type LinearizabilityOptions, type PartitionCounterexample, type LinearizablePrefix, type OpRef } from './linearizability.ts';
export { HistoryError, type HistorySource } from './history-error.ts';
export { pairOps, type PairedOp } from './ops.ts';
export { checkSet, checkSetFull } from './set.ts';
export { checkCounter } from './counter.ts';
export { checkUniqueIds } from './unique-ids.ts';
export { checkTotalQueue } from './total-queue.ts';
export { always, type AlwaysChecker, type EventAt, type PredicateResult } from './invariant.ts';
export { eventually, pendingOpsComplete, type EventuallyChecker } from './liveness.ts';
export { runCustomChecker, type CustomHistoryChecker } from './custom.ts';
export { checkTransactional, explainAnomalies, consistencyModels, CONSISTENCY_MODELS, ANOMALY_MEANING, type TransactionalOptions, type TransactionalDetails, type Anomaly, type AnomalyType, type TxnWorkload } from './transactional/index.ts';
export { checkFinalState, counterBounds, finalReads, updateOutcomes, type FinalStateSpec, type UpdateOutcomes } from './final-reads.ts';
export { readHistory, detectFormat, toJsonLines, toEdn, parseEdn, writeEdn, historyFormats, type HistoryFormat, type ReadResult } from './formats/index.ts';

export type HistoryCheckerSpec =
  | { kind: 'linearizable'; model: string | Model; initial?: unknown }
  | { kind: 'set' }
  | { kind: 'set-full' }
  | { kind: 'counter' }
  | { kind: 'unique-ids' }
  | { kind: 'total-queue' }
  /** Isolation anomalies of txn histories (list-append or rw-register), judged against a model (default serializable). */
  | { kind: 'transactional'; workload: TxnWorkload; consistency?: string }
  /** A protocol's own check: `{ name, check(history) }` (see CustomHistoryChecker). */
  | CustomHistoryChecker;

export interface CheckHistoryOptions {
  /** Search budget (model steps) for each linearizability check: decides `unknown`, load-independent. */
  maxStates?: number;
  /** Wall-clock safety net for each linearizability check; its `unknown` says `wall-time`. */
  timeoutMs?: number;
  maxMemoryMb?: number;
  partition?: boolean;
}

/**
 * Runs every checker in `specs` over one history, one CheckerResult each (combine them with
 * `combineResults`). A malformed history is reported as an `unknown` result naming the record,
 * not thrown, so the other results survive.
 *
 * @example
 * const results = checkHistory(run.history, [{ kind: 'linearizable', model: 'kv' }, { kind: 'unique-ids' }], { maxStates: 1_000_000 });
 * combineResults(results).failing; // e.g. ['linearizable(kv)']
 */
export function checkHistory(history: History, specs: HistoryCheckerSpec[], opts: CheckHistoryOptions = {}): CheckerResult[] {
  return specs.map((spec) => {
    if (isCustom(spec)) return runCustomChecker(history, spec);
    const name =
      spec.kind === 'linearizable'
        ? `linearizable(${typeof spec.model === 'string' ? spec.model : spec.model.name})`
        : spec.kind === 'transactional'
          ? `transactional(${spec.workload}, ${spec.consistency ?? 'serializable'})`
          : spec.kind;
    try {
      return runOne(history, spec, name, opts);
    } catch (e) {
      if (e instanceof HistoryError) return { checker: name, verdict: 'unknown', summary: `bad history: ${e.message}`, details: { error: e.message, line: e.line, record: e.record } };
      throw e;
    }
  });
}

function isCustom(spec: HistoryCheckerSpec): spec is CustomHistoryChecker {
  return typeof (spec as { check?: unknown }).check === 'function';
}

function runOne(history: History, spec: Exclude<HistoryCheckerSpec, CustomHistoryChecker>, name: string, opts: CheckHistoryOptions): CheckerResult {
  switch (spec.kind) {
    case 'linearizable': {
      const model = typeof spec.model === 'string' ? getModel(spec.model, { initial: spec.initial }) : spec.model;
      const r = checkLinearizability(history, model, opts);
      return { checker: name, verdict: r.verdict, summary: r.summary, details: r };
    }
    case 'set':
      return checkSet(history);
    case 'set-full':
      return checkSetFull(history);
    case 'counter':
      return checkCounter(history);
    case 'unique-ids':
      return checkUniqueIds(history);
    case 'total-queue':
      return checkTotalQueue(history);
    case 'transactional':
      return checkTransactional(history, { workload: spec.workload, consistency: spec.consistency });
    default:
      // Plain data from a user's module may name no checker we know: say so, do not crash.
      return { checker: String((spec as { kind?: unknown }).kind ?? 'checker'), verdict: 'illegal', summary: `misconfigured checker: kind ${JSON.stringify(String((spec as { kind?: unknown }).kind))} with no check function (use a bundled kind: linearizable, set, set-full, counter, unique-ids, total-queue, or { name, check(history) })` };
  }
}
