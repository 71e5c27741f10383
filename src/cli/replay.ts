import { protocols } from '../../protocols/index.ts';
import { loadEntry } from '../corpus/corpus.ts';
import { runScenario } from '../run/run.ts';
import { tellStory } from '../report/story.ts';
import { basename, join } from 'node:path';
import { writeReport } from '../report/html.ts';
import { sourceFromRun } from '../report/source.ts';
import { commandHelp, parseFlags } from './flags.ts';

/** `faultline replay`: returns the exit code. */
export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('replay', argv);
  if (values.help) {
    console.log(commandHelp('replay'));
    return 0;
  }
  const { entry, protocol, input } = loadEntry(positionals[0], protocols);
  const r = await runScenario(protocol, input, { recordTrace: !values.quiet || values.report === true });
  if (!values.quiet) {
    console.log(tellStory(r).text);
    console.log('');
  }
  const same = r.sim.fingerprint === entry.fingerprint;
  const expected = entry.expected.status === 'fail' ? `fail (${entry.expected.failing.join(', ')})` : 'pass';
  console.log(
    `${positionals[0]}: ${r.status.toUpperCase()}${r.failing.length ? ` (${r.failing.join(', ')})` : ''}; recorded ${expected}`,
  );
  console.log(`fingerprint ${r.sim.fingerprint} ${same ? 'matches the recorded one' : `DIFFERS from the recorded ${entry.fingerprint} (the protocol or the simulator changed since the entry was made)`}`);
  if (values.report) {
    const path = join('out', `${basename(positionals[0]).replace(/\.json$/, '')}.html`);
    console.log(`report ${writeReport(sourceFromRun(r, `faultline replay ${positionals[0]}`, `${positionals[0]} (corpus entry, replayed)`), path)}`);
  }
  return r.status === 'fail' ? 1 : 0;
}
