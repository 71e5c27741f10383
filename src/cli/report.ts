import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { protocols } from '../../protocols/index.ts';
import { writeReport } from '../report/html.ts';
import { loadReportSource, ReportInputError } from '../report/source.ts';
import { UsageError } from './options.ts';

export const reportHelp = `faultline report <run dir | summary.json | corpus entry> [-o report.html]

Writes one self-contained HTML file (no network, opens from disk): the message diagram, the
client timeline, what went wrong (the op that cannot be linearized and the longest linearizable
prefix, or the causal past of a broken invariant), the run's summary and figures.

  -o, --out FILE          where to write it (default: report.html in the run directory, or
                          out/<entry>.html for a corpus entry)

A run directory is what 'faultline run --out DIR' (or any failing run) writes; a corpus entry is
replayed with a trace first. 'run', 'replay', 'shrink' and 'explore' also take --report.

Exit code: 0 written, 2 bad usage or input.`;

/** `faultline report`: returns the exit code. */
export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(reportHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('report takes one run directory, summary.json or corpus entry (faultline report --help)');
  const target = positionals[0];
  let source;
  try {
    source = await loadReportSource(target, protocols);
  } catch (e) {
    if (e instanceof ReportInputError) throw new UsageError(e.message);
    throw e;
  }
  const out = values.out ?? defaultOut(target);
  console.log(`report ${writeReport(source, out)}`);
  return 0;
}

function defaultOut(target: string): string {
  if (existsSync(target) && statSync(target).isDirectory()) return join(target, 'report.html');
  if (basename(target) === 'summary.json') return join(dirname(target), 'report.html');
  return join('out', `${basename(target).replace(/\.json$/, '')}.html`);
}
