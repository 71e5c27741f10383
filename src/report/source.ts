/**
 * Where a report's run comes from: a run in memory, a run directory (`summary.json`,
 * `history.jsonl`, `trace.jsonl`, `checks.json`, `faults.json`), a `summary.json`, or a corpus
 * entry (replayed with a trace). Files are parsed as data, never evaluated.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CheckerResult } from '../../checkers/result.ts';
import { loadEntry } from '../corpus/corpus.ts';
import type { HistoryOp } from '../history/types.ts';
import type { Fault } from '../faults/index.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { runScenario, type RunResult } from '../run/run.ts';
import { resolveOptions, type ScenarioOptions } from '../run/scenario.ts';
import type { ReportSource } from './data.ts';

/** Input a report cannot be made from; the message names the file, the problem and the fix. */
export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

/**
 * A run in memory as a report source (record it with `{ recordTrace: true }` for the diagram).
 *
 * @example
 * const r = await runScenario(raft, input, { recordTrace: true });
 * writeReport(sourceFromRun(r, 'faultline run raft --seed 3'), 'out/raft-3.html');
 */
export function sourceFromRun(r: RunResult, replay?: string, origin?: string): ReportSource {
  return {
    options: r.options as unknown as ReportSource['options'],
    status: r.status,
    failing: r.failing,
    outcome: r.sim.outcome,
    error: r.sim.error,
    fingerprint: r.sim.fingerprint,
    replay,
    stats: r.sim.stats as unknown as Record<string, number>,
    checks: r.checks,
    faults: r.faults,
    history: r.sim.history,
    trace: r.sim.trace,
    origin,
  };
}

/**
 * Loads a report source from a path: a run directory, its `summary.json`, or a corpus entry.
 * Throws ReportInputError for anything else.
 *
 * @example
 * const src = await loadReportSource('out/raft-stale-local-read-seed-9', protocols);
 */
export async function loadReportSource(path: string, protocols: readonly ProtocolDef[]): Promise<ReportSource> {
  if (!existsSync(path)) throw new ReportInputError(`${path}: no such file or directory (give a run directory, its summary.json, or a corpus entry)`);
  if (statSync(path).isDirectory()) {
    if (!existsSync(join(path, 'summary.json'))) throw new ReportInputError(`${path}: no summary.json in this directory: not a run directory (faultline run --out DIR writes them)`);
    return loadRunDir(path, protocols);
  }
  const raw = readJson(path);
  if (raw !== null && typeof raw === 'object' && 'version' in raw) {
    const { entry, protocol, input, settings } = loadEntry(path, protocols);
    const r = await runScenario(protocol, input, { ...settings, recordTrace: true });
    return sourceFromRun(r, `faultline replay ${path}`, `${path} (corpus entry, replayed${r.sim.fingerprint === entry.fingerprint ? '' : '; the fingerprint now DIFFERS from the recorded one'})`);
  }
  if (basename(path) === 'summary.json' || isSummary(raw)) return loadRunDir(dirname(path), protocols, path);
  throw new ReportInputError(`${path}: neither a corpus entry (no 'version') nor a run summary (no 'options' and 'status'): give a run directory, its summary.json, or a corpus entry`);
}

function isSummary(raw: unknown): boolean {
  return raw !== null && typeof raw === 'object' && 'options' in raw && 'status' in raw;
}

async function loadRunDir(dir: string, protocols: readonly ProtocolDef[], summaryPath = join(dir, 'summary.json')): Promise<ReportSource> {
  const summary = readJson(summaryPath);
  if (!isSummary(summary)) throw new ReportInputError(`${summaryPath}: not a run summary (it needs 'options' and 'status'); faultline run --out DIR writes one`);
  const s = summary as Record<string, unknown>;
  const options = s.options as ReportSource['options'];
  if (options === null || typeof options !== 'object') throw new ReportInputError(`${summaryPath}: 'options' is not an object`);
  const historyPath = join(dir, 'history.jsonl');
  if (!existsSync(historyPath)) return rerun(summaryPath, s, protocols);
  const history = (await readJsonLines(historyPath)) as HistoryOp[];
  history.forEach((h, i) => checkHistoryRecord(h, historyPath, i + 1));
  const tracePath = join(dir, 'trace.jsonl');
  const checksPath = join(dir, 'checks.json');
  const faultsPath = join(dir, 'faults.json');
  return {
    options,
    status: String(s.status),
    failing: Array.isArray(s.failing) ? s.failing.map(String) : [],
    outcome: typeof s.outcome === 'string' ? s.outcome : undefined,
    error: s.error && typeof s.error === 'object' ? (s.error as ReportSource['error']) : undefined,
    fingerprint: typeof s.fingerprint === 'string' ? s.fingerprint : undefined,
    replay: typeof s.replay === 'string' ? s.replay : undefined,
    stats: s.stats && typeof s.stats === 'object' ? (s.stats as Record<string, number>) : undefined,
    checks: existsSync(checksPath) ? arrayOf<CheckerResult>(readJson(checksPath), checksPath) : arrayOf<CheckerResult>(s.checks ?? [], summaryPath),
    faults: existsSync(faultsPath) ? arrayOf<Fault>(readJson(faultsPath), faultsPath) : [],
    history,
    trace: existsSync(tracePath) ? await readJsonLines(tracePath) : [],
    origin: `${dir} (run directory)`,
  };
}

/** A summary without its history (a hung run, or one not saved in full): run it again, traced. */
async function rerun(summaryPath: string, s: Record<string, unknown>, protocols: readonly ProtocolDef[]): Promise<ReportSource> {
  const o = s.options as Partial<ScenarioOptions>;
  const protocol = protocols.find((p) => p.name === o.protocol);
  if (!protocol) throw new ReportInputError(`${summaryPath}: no history.jsonl beside it, and protocol '${String(o.protocol)}' is not one this faultline knows, so the run cannot be re-run`);
  let options: ScenarioOptions;
  try {
    options = resolveOptions(protocol, o);
  } catch (e) {
    throw new ReportInputError(`${summaryPath}: its options do not make a valid scenario: ${(e as Error).message}`);
  }
  const r = await runScenario(protocol, { options }, { recordTrace: true });
  return sourceFromRun(r, typeof s.replay === 'string' ? s.replay : undefined, `${summaryPath} (re-run from its options: no history.jsonl beside it)`);
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ReportInputError(`${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ReportInputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** JSON Lines, streamed (a long run's trace is larger than one string may be). */
async function readJsonLines(path: string): Promise<unknown[]> {
  const out: unknown[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line));
    } catch (e) {
      lines.close();
      throw new ReportInputError(`${path} line ${n}: not valid JSON (${(e as Error).message}); each line must be one JSON record`);
    }
  }
  return out;
}

function arrayOf<T>(v: unknown, path: string): T[] {
  if (!Array.isArray(v)) throw new ReportInputError(`${path}: expected a JSON array`);
  return v as T[];
}

function checkHistoryRecord(h: unknown, path: string, line: number): void {
  const o = h as Record<string, unknown>;
  const ok =
    o !== null && typeof o === 'object' && typeof o.time === 'number' && typeof o.process === 'number' && typeof o.f === 'string' &&
    typeof o.index === 'number' && ['invoke', 'ok', 'fail', 'info'].includes(o.type as string);
  if (!ok) throw new ReportInputError(`${path} line ${line}: not a history record (needs index, time, type invoke|ok|fail|info, process, f)`);
}
