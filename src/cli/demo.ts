import { listEntries } from '../corpus/corpus.ts';
import { commandHelp, parseFlags } from './flags.ts';
import { replayCommand } from './replay.ts';
import { runCommand } from './run.ts';

/**
 * `faultline demo` (`npm start`): a planted Raft bug found, shrunk, saved and told as a story.
 *
 * @example
 * process.exitCode = await demoCommand([]);
 */
export async function demoCommand(argv: string[]): Promise<number> {
  if (parseFlags('demo', argv).values.help) {
    console.log(commandHelp('demo'));
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
