import { parseArgs } from 'node:util';
import { protocols } from '../../protocols/index.ts';
import { loadEntry } from '../corpus/corpus.ts';
import { runScenario } from '../run/run.ts';
import { tellStory } from '../report/story.ts';
import { UsageError } from './options.ts';

export const replayHelp = `faultline replay <entry.json> [--quiet]

Replays a corpus entry bit for bit: prints its story and fingerprint, and whether the fingerprint
matches the recorded one.

  --quiet                 print only the verdict line and the fingerprint (no story)

Exit code: 1 the entry still fails, 0 it now passes, 2 bad usage or a bad corpus file.`;

/** `faultline replay`: returns the exit code. */
export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(replayHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('replay takes one corpus file (faultline replay corpus/<protocol>/<variant>-<seed>.json)');
  const { entry, protocol, input } = loadEntry(positionals[0], protocols);
  const r = await runScenario(protocol, input, { recordTrace: !values.quiet });
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
  return r.status === 'fail' ? 1 : 0;
}
