// Commands load on demand, so `faultline --help` does not load the simulator and every protocol.
import { CorpusError } from '../corpus/corpus.ts';
import { ProtocolLoadError } from '../run/load.ts';
import { UsageError } from './options.ts';

const help = `faultline: deterministic simulation testing for distributed protocols

Usage:
  faultline init                 start testing your own protocol in this npm project
  faultline run <protocol> [--variant V] [--seed N | --seeds A..B] [options]
                                 run a protocol under faults, check it, print a summary
  faultline check <file>... --model NAME [--format F]
                                 check recorded histories for linearizability
  faultline shrink <entry.json | protocol --variant V --seed N> [--save]
                                 shrink a failing run to a minimal counterexample and tell its story
  faultline replay <entry.json>  replay a corpus entry: story, fingerprint, exit 1 if it still fails
  faultline replay <dir>         replay every entry under dir (CI): exit 1 if a fixed bug is back
  faultline list [<protocol>]    every protocol and variant: <protocol> <variant> <correct|bug>
  faultline demo                 explore a planted bug until it is found
  faultline <command> --help     the options of one command

<protocol> is a bundled protocol's name (faultline list), a name your faultline.config.ts lists,
or your module: ./path/to/protocol.ts (also .js, .mjs; #exportName picks an export).

Exit codes: 0 every check held, 1 a violation was found, 2 bad usage or input, 3 undecided (budget).`;

/** `faultline list [protocol]`: one line per protocol variant (the project's, then the bundled ones). */
async function listCommand(argv: string[]): Promise<number> {
  const { loadConfig, configProtocols, resolveProtocolArg } = await import('../run/load.ts');
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('faultline list [<protocol>]: one line per variant, <protocol> <variant> <correct|bug>; every protocol of the project config and every bundled one, or just <protocol>');
    return 0;
  }
  if (argv.length > 1 || argv[0]?.startsWith('-')) throw new UsageError(`list takes at most one protocol, got '${argv.join(' ')}' (faultline list --help)`);
  const list = [];
  if (argv.length === 1) list.push((await resolveProtocolArg(argv[0], process.cwd())).protocol);
  else {
    const config = await loadConfig(process.cwd());
    if (config) list.push(...(await configProtocols(config)).map((c) => c.protocol));
    list.push(...(await import('../../protocols/index.ts')).protocols);
  }
  for (const p of list) {
    for (const [name, v] of Object.entries(p.variants)) console.log(`${p.name} ${name} ${v.kind}`);
  }
  return 0;
}

/** `faultline demo` (`npm start`): a planted Raft bug found, shrunk, saved and told as a story. */
async function demoCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('faultline demo: explores raft/stale-local-read over seeds 0..199, shrinks the first failure,');
    console.log('saves it under out/corpus/ and prints its story and replay command.');
    return 0;
  }
  console.log('Exploring a Raft key-value store with a planted bug: the leader answers reads from its own state');
  console.log('without confirming it is still the leader. Every seed runs 5 nodes, 5 clients and 200 ops under');
  console.log('partitions, crashes, pauses, clock faults, loss, duplication and reordering, then checks the');
  console.log('history for linearizability and Raft\'s invariants after every event.\n');
  const { runCommand } = await import('./run.ts');
  const { replayCommand } = await import('./replay.ts');
  const { listEntries } = await import('../corpus/corpus.ts');
  const code = await runCommand(['raft', '--variant', 'stale-local-read', '--seeds', '0..199', '--stop-on-fail', '--save', '--corpus', 'out/corpus']);
  // Finding the planted bug is the demo working; not finding it is the failure.
  if (code !== 1) {
    console.log('The planted bug was not found in 200 seeds: that is a regression in Faultline.');
    return 1;
  }
  const saved = listEntries('out/corpus').find((f) => f.includes('stale-local-read'));
  if (saved) {
    console.log('\nThe shrunk counterexample, as a story:\n');
    await replayCommand([saved]);
  }
  console.log('\nThe correct variant holds over the same seeds:  npx faultline run raft --seeds 0..199');
  console.log('Every protocol and planted bug:                  npx faultline list');
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(help);
      return command === undefined ? 2 : 0;
    case '--version':
    case '-v':
      console.log((await import('./version.ts')).version());
      return 0;
    case 'init':
      return (await import('./init.ts')).initCommand(rest);
    case 'run':
      return (await import('./run.ts')).runCommand(rest);
    case 'check':
      return (await import('./check.ts')).checkCommand(rest);
    case 'shrink':
      return (await import('./shrink.ts')).shrinkCommand(rest);
    case 'replay':
      return (await import('./replay.ts')).replayCommand(rest);
    case 'list':
      return listCommand(rest);
    case 'demo':
      return demoCommand(rest);
    default:
      throw new UsageError(`unknown command '${command}': choose from init, run, check, shrink, replay, list, demo (faultline --help)`);
  }
}

// `faultline list | head`: a reader that stops early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof CorpusError || e instanceof ProtocolLoadError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`faultline: ${(e as Error).message}`);
      process.exitCode = 2;
    } else {
      console.error(e);
      process.exitCode = 70;
    }
  },
);
