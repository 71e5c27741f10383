import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { protocols } from '../../protocols/index.ts';
import { writeReport } from '../report/html.ts';
import type { ReportSource } from '../report/data.ts';
import { loadReportSource, ReportInputError, sourceFromRun } from '../report/source.ts';
import { runScenario } from '../run/run.ts';
import { loadEntryWithProtocol } from './entry.ts';
import { commandHelp, parseFlags, UsageError } from './flags.ts';

/** `faultline report`: returns the exit code. */
export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('report', argv);
  if (values.help) {
    console.log(commandHelp('report'));
    return 0;
  }
  const target = positionals[0];
  let source;
  try {
    source = (await entrySource(target)) ?? (await loadReportSource(target, protocols));
  } catch (e) {
    if (e instanceof ReportInputError) throw new UsageError(e.message);
    throw e;
  }
  const out = values.out ?? defaultOut(target);
  console.log(`report ${writeReport(source, out)}`);
  return 0;
}

/**
 * A corpus entry's report, its protocol found the way `replay` finds it (the module path the entry
 * records, or the project config), so an entry of the user's own protocol works too; undefined
 * when `target` is not a corpus entry (loadReportSource then explains what it is).
 */
async function entrySource(target: string | undefined): Promise<ReportSource | undefined> {
  if (target === undefined || !existsSync(target) || statSync(target).isDirectory() || basename(target) === 'summary.json') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(target, 'utf8'));
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || !('version' in raw)) return undefined;
  const { entry, protocol, input, settings } = await loadEntryWithProtocol(target);
  const r = await runScenario(protocol, input, { ...settings, recordTrace: true });
  const differs = r.sim.fingerprint === entry.fingerprint ? '' : '; the fingerprint now DIFFERS from the recorded one';
  return sourceFromRun(r, `faultline replay ${target}`, `${target} (corpus entry, replayed${differs})`);
}

function defaultOut(target: string): string {
  if (existsSync(target) && statSync(target).isDirectory()) return join(target, 'report.html');
  if (basename(target) === 'summary.json') return join(dirname(target), 'report.html');
  return join('out', `${basename(target).replace(/\.json$/, '')}.html`);
}
