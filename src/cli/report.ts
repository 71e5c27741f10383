import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { protocols } from '../../protocols/index.ts';
import { writeReport } from '../report/html.ts';
import { loadReportSource, ReportInputError } from '../report/source.ts';
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
