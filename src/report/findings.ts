/**
 * What went wrong, read from the checkers' results: linearizability counterexamples (the longest
 * linearizable prefix per key, the op that cannot be placed, the state before it) and the
 * violations of invariants, liveness checks and crashes, each tied to the trace events it broke at.
 */
import type { LinearizabilityResult } from '../../checkers/linearizability.ts';
import type { CheckerResult } from '../../checkers/result.ts';
import type { LinCounterexample, ReportSource, Violation } from './data.ts';
import type { PairedClientOp } from './stats.ts';
import { laneOf, type ReportEvent } from './trace-events.ts';

/** Events a node handles (the moments an invariant can start to fail). */
const STEPS = new Set(['deliver', 'timer', 'wake', 'call-timeout', 'arrive', 'invoke', 'complete', 'crash', 'restart', 'pause', 'resume', 'fault', 'heal', 'drop']);

/**
 * The linearizability counterexamples among the checks, one per illegal partition (key).
 *
 * @example
 * linCounterexamples(run.checks)[0]?.op; // history index of the op that cannot be placed
 */
export function linCounterexamples(checks: readonly CheckerResult[]): LinCounterexample[] {
  const out: LinCounterexample[] = [];
  for (const c of checks) {
    if (c.verdict !== 'illegal') continue;
    const d = c.details as Partial<LinearizabilityResult> | undefined;
    if (!Array.isArray(d?.counterexamples)) continue;
    for (const ce of d.counterexamples) {
      const p = ce.prefixes?.[0];
      out.push({
        checker: c.checker,
        partition: ce.partition ?? null,
        op: ce.op ? ce.op.index : null,
        opText: ce.op ? `${ce.op.description} by process ${ce.op.process}` : 'an op',
        prefix: p ? p.ops.map((x) => x.index) : [],
        prefixText: p ? p.ops.map((x) => x.description) : [],
        state: p ? p.state : '(initial)',
        prefixesFound: ce.prefixes?.length ?? 0,
      });
    }
  }
  return out;
}

/**
 * Every failing check as a violation, with the trace events it broke at where the check says
 * when (an invariant's time, a crash's node and time, a linearizability op's completion).
 */
export function violationsOf(src: ReportSource, lin: readonly LinCounterexample[], ops: readonly PairedClientOp[], events: readonly ReportEvent[]): Violation[] {
  const out: Violation[] = [];
  const completionOf = new Map<number, number>();
  const invokeEventOf = new Map<number, number>();
  const opByIndex = new Map(ops.map((o) => [o.index, o]));
  for (const e of events) {
    if (e.historyIndex === undefined) continue;
    if (e.kind === 'invoke') invokeEventOf.set(e.historyIndex, e.index);
    if (e.kind === 'complete') completionOf.set(e.historyIndex, e.index);
  }
  const endEventOfOp = new Map<number, number>();
  for (const op of ops) {
    const ev = op.endIndex === undefined ? undefined : completionOf.get(op.endIndex);
    if (ev !== undefined) endEventOfOp.set(op.index, ev);
  }
  for (const c of src.checks) {
    if (c.verdict === 'ok') continue;
    const d = c.details as Record<string, unknown> | undefined;
    const mine = lin.filter((l) => l.checker === c.checker);
    if (mine.length > 0) {
      const evs = mine.flatMap((l) => (l.op === null ? [] : [endEventOfOp.get(l.op) ?? invokeEventOf.get(l.op)])).filter((x): x is number => x !== undefined);
      const t = mine[0].op === null ? undefined : opByIndex.get(mine[0].op)?.endMs;
      out.push({ checker: c.checker, summary: c.summary, kind: 'linearizability', timeMs: t, events: evs });
    } else if (typeof d?.timeMs === 'number' || invariantTimeInSummary(c) !== undefined) {
      const t = typeof d?.timeMs === 'number' ? d.timeMs : invariantTimeInSummary(c)!;
      // A check that names the exact trace event it broke after pins it; else the instant's steps.
      const exact = d?.traceIndex;
      const pinned = Number.isInteger(exact) && (exact as number) >= 0 && (exact as number) < events.length;
      out.push({ checker: c.checker, summary: c.summary, kind: 'invariant', timeMs: t, events: pinned ? [exact as number] : stepsAt(events, t), exact: pinned });
    } else if (Array.isArray(d?.stuck)) {
      const stuck = (d.stuck as { index: number }[]).map((x) => x.index);
      out.push({ checker: c.checker, summary: c.summary, kind: 'liveness', ops: stuck, events: stuck.map((i) => invokeEventOf.get(i)).filter((x): x is number => x !== undefined) });
    } else if (c.checker === 'crashed' || c.checker === 'step-budget' || c.checker === 'nondeterminism') {
      const t = src.error?.timeMs;
      const evs = t === undefined ? [] : lastOn(events, src.error?.node, t);
      out.push({ checker: c.checker, summary: c.summary, kind: 'crash', timeMs: t, events: evs });
    } else {
      const healed = typeof d?.healedAt === 'number' ? d.healedAt : undefined;
      out.push({ checker: c.checker, summary: c.summary, kind: healed === undefined ? 'other' : 'liveness', timeMs: typeof d?.deadline === 'number' ? d.deadline : healed });
    }
  }
  return out;
}

/**
 * An invariant observer that keeps no `details.timeMs` still says when, in the words `always()`
 * uses ('event #24 at 835ms: ...'); read the time from there.
 */
function invariantTimeInSummary(c: CheckerResult): number | undefined {
  if (!c.checker.startsWith('always(')) return undefined;
  const m = /^event #\d+ at (\d+) ?ms\b/.exec(c.summary);
  return m ? Number(m[1]) : undefined;
}

/**
 * The node steps at exactly `timeMs`: an always-checker observes after every step and names the
 * time of the first that broke it, so the breaking step is one of these. With none at that time,
 * the last step before it.
 */
function stepsAt(events: readonly ReportEvent[], timeMs: number): number[] {
  const at = events.filter((e) => e.timeMs === timeMs && STEPS.has(e.kind)).map((e) => e.index);
  if (at.length > 0) return at;
  for (let i = events.length - 1; i >= 0; i--) if (events[i].timeMs <= timeMs && STEPS.has(events[i].kind)) return [i];
  return [];
}

function lastOn(events: readonly ReportEvent[], node: string | undefined, timeMs: number): number[] {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.timeMs <= timeMs && (node === undefined || laneOf(e) === node)) return [i];
  }
  return [];
}

/** Where the report opens its diagram: the failing op, the violation, or the start. */
export function focusTime(violations: readonly Violation[], lin: readonly LinCounterexample[], ops: readonly PairedClientOp[]): number {
  const bad = lin.find((l) => l.op !== null);
  if (bad) {
    const op = ops.find((o) => o.index === bad.op);
    if (op) return op.invokeMs;
  }
  for (const v of violations) if (v.timeMs !== undefined) return v.timeMs;
  return 0;
}
