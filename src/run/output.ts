import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryOp } from '../history/types.ts';
import type { TraceEvent } from '../sim/trace.ts';
import type { RunResult } from './run.ts';

/**
 * Writes a file atomically: a temp file beside it, then a rename, so an interrupted write never
 * leaves half a file where a reader expects a whole one.
 *
 * @example
 * writeAtomic('out/summary.json', JSON.stringify(summary));
 */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** One record per line. */
export function jsonLines(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
}

/** The summary of a run as plain data (what `summary.json` holds). */
export function summaryOf(r: RunResult, replay: string) {
  return {
    protocol: r.options.protocol,
    variant: r.options.variant,
    seed: r.options.seed,
    status: r.status,
    failing: r.failing,
    outcome: r.sim.outcome,
    error: r.sim.error,
    fingerprint: r.sim.fingerprint,
    stats: r.sim.stats,
    checks: r.checks.map((c) => ({ checker: c.checker, verdict: c.verdict, summary: c.summary })),
    replay,
    options: r.options,
  };
}

/**
 * Writes a run's summary first (so the seed and replay command survive whatever happens next),
 * then its history, faults, and trace when there is one.
 *
 * @example
 * writeRunDir('out/abd-seed-7', result, 'faultline run abd --seed 7');
 */
export function writeRunDir(dir: string, r: RunResult, replay: string, trace?: readonly TraceEvent[]): void {
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, 'summary.json'), JSON.stringify(summaryOf(r, replay), null, 2) + '\n');
  writeAtomic(join(dir, 'history.jsonl'), jsonLines(r.sim.history as HistoryOp[]));
  writeAtomic(join(dir, 'faults.json'), JSON.stringify(r.faults, null, 2) + '\n');
  writeAtomic(join(dir, 'checks.json'), JSON.stringify(r.checks, null, 2) + '\n');
  if (trace && trace.length) writeAtomic(join(dir, 'trace.jsonl'), jsonLines(trace));
}
