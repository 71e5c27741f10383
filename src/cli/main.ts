import { protocols } from '../../protocols/index.ts';
import { checkCommand } from './check.ts';
import { exploreCommand } from './explore.ts';
import { mergeCommand } from './merge.ts';
import { CorpusError, listEntries } from '../corpus/corpus.ts';
import { UsageError } from './options.ts';
import { replayCommand } from './replay.ts';
import { shrinkCommand } from './shrink.ts';
import { runCommand } from './run.ts';

const help = `faultline: deterministic simulation testing for distributed protocols

Usage:
  faultline run <protocol> [--variant V] [--seed N | --seeds A..B] [options]
                                 run a protocol under faults, check it, print a summary
  faultline explore <protocol | ./module.ts> [--seeds A..B | --time 10m] [--keep-going] [--strategy S] [--shard K/N]
                                 many seeds on worker threads; failures shrunk and saved, grouped by check
  faultline merge <summary.json>...
                                 join the --json summaries of explore's shards
  faultline check <file>... --model NAME [--format F]
                                 check recorded histories for linearizability
  faultline shrink <entry.json | protocol --variant V --seed N> [--save]
                                 shrink a failing run to a minimal counterexample and tell its story
  faultline replay <entry.json>  replay a corpus entry: story, fingerprint, exit 1 if it still fails
  faultline list                 every bundled protocol and variant: <protocol> <variant> <correct|bug>
  faultline demo                 explore a planted bug until it is found
  faultline maelstrom test -w WORKLOAD --bin PROGRAM [options]
                                 run a Maelstrom node program (any language) under seeded faults
  faultline <command> --help     the options of one command

Exit codes: 0 every check held, 1 a violation was found, 2 bad usage or input, 3 undecided (budget).`;

/** `faultline list`: one line per protocol variant. */
function listCommand(): number {
  for (const p of protocols) {
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
    case 'run':
      return runCommand(rest);
    case 'check':
      return checkCommand(rest);
    case 'explore':
      return exploreCommand(rest);
    case 'merge':
      return mergeCommand(rest);
    case 'shrink':
      return shrinkCommand(rest);
    case 'replay':
      return replayCommand(rest);
    case 'list':
      return listCommand();
    case 'demo':
      return demoCommand(rest);
    case 'maelstrom':
      return (await import('../maelstrom/cli.ts')).maelstromCommand(rest);
    default:
      throw new UsageError(`unknown command '${command}': choose from run, explore, merge, check, shrink, replay, list, demo, maelstrom (faultline --help)`);
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
    if (e instanceof UsageError || e instanceof CorpusError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`faultline: ${(e as Error).message}`);
      process.exitCode = 2;
    } else {
      console.error(e);
      process.exitCode = 70;
    }
  },
);
