/**
 * Final-read helpers for custom checkers: what the last reads of a run must show given which
 * updates were acknowledged (`ok`), which may or may not have happened (`info`, or never
 * returned) and which certainly did not (`fail`). Meant for convergent objects (CRDTs, gossip,
 * counters) whose updates commute, so the order they were applied in does not matter.
 */
import type { History, HistoryOp } from '../src/history/types.ts';
import { equalValue, showValue } from '../models/value.ts';
import { pairOps, type PairedOp } from './ops.ts';
import type { CheckerResult } from './result.ts';

/** The updates of a history split by what is known of them. */
export interface UpdateOutcomes {
  /** Acknowledged: certainly took effect. */
  acknowledged: HistoryOp[];
  /** Timed out or never returned: may or may not have taken effect. */
  uncertain: HistoryOp[];
}

/**
 * Splits the non-read ops into acknowledged and uncertain (their invoke records); `fail` ops did
 * not happen and are left out.
 *
 * @example
 * updateOutcomes(history, (f) => f === 'read').acknowledged.length;
 */
export function updateOutcomes(history: History, isRead: (f: string) => boolean = (f) => f === 'read'): UpdateOutcomes {
  const out: UpdateOutcomes = { acknowledged: [], uncertain: [] };
  for (const p of pairOps(history)) {
    if (isRead(p.invoke.f) || p.outcome === 'fail') continue;
    (p.outcome === 'ok' ? out.acknowledged : out.uncertain).push(p.invoke);
  }
  return out;
}

/**
 * The final reads: `ok` reads invoked after every update had completed (after `afterTime`, when
 * given, instead). These are the reads a converged system must answer from the whole state.
 *
 * @example
 * finalReads(history).map((op) => op.value); // the values the last reads returned
 */
export function finalReads(history: History, opts: { isRead?: (f: string) => boolean; afterTime?: number } = {}): HistoryOp[] {
  const isRead = opts.isRead ?? ((f: string) => f === 'read');
  const pairs = pairOps(history);
  let lastUpdateEnd = -1;
  for (const p of pairs) {
    if (isRead(p.invoke.f) || p.outcome === 'fail') continue;
    lastUpdateEnd = Math.max(lastUpdateEnd, p.outcome === 'ok' ? p.returnPos : p.callPos);
  }
  return pairs
    .filter((p) => isRead(p.invoke.f) && p.outcome === 'ok' && (opts.afterTime !== undefined ? p.invoke.time >= opts.afterTime : p.callPos > lastUpdateEnd))
    .map((p) => p.completion!);
}

/**
 * The range a counter's final value may take: every acknowledged delta, plus any subset of the
 * uncertain ones. Deltas are the update's numeric value (1 when absent).
 *
 * @example
 * counterBounds(history); // { lower: 5, upper: 8 }
 */
export function counterBounds(history: History, opts: { initial?: number; isRead?: (f: string) => boolean } = {}): { lower: number; upper: number } {
  const { acknowledged, uncertain } = updateOutcomes(history, opts.isRead);
  const delta = (op: HistoryOp) => (typeof op.value === 'number' ? op.value : 1);
  let lower = opts.initial ?? 0;
  for (const op of acknowledged) lower += delta(op);
  let upper = lower;
  for (const op of uncertain) {
    if (delta(op) < 0) lower += delta(op);
    else upper += delta(op);
  }
  return { lower, upper };
}

/** What `checkFinalState` needs to know about the object. */
export interface FinalStateSpec<S> {
  /** Name of the resulting CheckerResult. */
  name?: string;
  init(): S;
  /** Applies one update (its invoke record) to a state; updates must commute. */
  apply(state: S, update: HistoryOp): S;
  /** Does a read's returned value show this state? Default: structural equality. */
  shows?(state: S, value: unknown): boolean;
  isRead?(f: string): boolean;
  /** Only reads invoked at or after this time count as final (default: after every update completed). */
  afterTime?: number;
  /** How many uncertain updates to try all subsets of (default 12); more gives `unknown`. */
  maxUncertain?: number;
}

/**
 * "The final state agrees with the acknowledged ops": every final read must show the state that
 * all acknowledged updates plus some subset of the uncertain ones produce. `unknown` when there is
 * no final read or too many uncertain updates to try.
 *
 * @example
 * checkFinalState(history, {
 *   name: 'g-set converges',
 *   init: () => [] as number[],
 *   apply: (s, op) => [...new Set([...s, op.value as number])].sort((a, b) => a - b),
 *   shows: (s, v) => Array.isArray(v) && JSON.stringify([...v].sort((a, b) => a - b)) === JSON.stringify(s),
 * });
 */
export function checkFinalState<S>(history: History, spec: FinalStateSpec<S>): CheckerResult {
  const checker = spec.name ?? 'final-state';
  const isRead = spec.isRead ?? ((f: string) => f === 'read');
  const shows = spec.shows ?? ((s: S, v: unknown) => equalValue(s, v));
  const reads = finalReads(history, { isRead, afterTime: spec.afterTime });
  if (reads.length === 0) return { checker, verdict: 'unknown', summary: 'no final read (a read invoked after every update completed), so nothing can be said' };
  const { acknowledged, uncertain } = updateOutcomes(history, isRead);
  const maxUncertain = spec.maxUncertain ?? 12;
  if (uncertain.length > maxUncertain) return { checker, verdict: 'unknown', summary: `${uncertain.length} uncertain updates: more than the ${maxUncertain} whose subsets are tried` };
  let base = spec.init();
  for (const op of acknowledged) base = spec.apply(base, op);
  const possible: S[] = [];
  for (let mask = 0; mask < 1 << uncertain.length; mask++) {
    let s = base;
    uncertain.forEach((op, i) => {
      if (mask & (1 << i)) s = spec.apply(s, op);
    });
    possible.push(s);
  }
  const bad = reads.filter((r) => !possible.some((s) => shows(s, r.value)));
  const details = { finalReads: reads.length, acknowledged: acknowledged.length, uncertain: uncertain.length, disagreeing: bad.map((r) => ({ index: r.index, process: r.process, value: r.value })) };
  if (bad.length > 0) {
    const r = bad[0];
    const summary = `${bad.length} of ${reads.length} final reads disagree with the ${acknowledged.length} acknowledged updates; first: #${r.index} process ${r.process} read ${showValue(r.value)}, expected ${showValue(base)}${uncertain.length ? ` (plus any of ${uncertain.length} uncertain)` : ''}`;
    return { checker, verdict: 'illegal', summary, details };
  }
  return { checker, verdict: 'ok', summary: `all ${reads.length} final reads agree with the ${acknowledged.length} acknowledged updates`, details };
}

