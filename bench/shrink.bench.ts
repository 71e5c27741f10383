/**
 * Shrinker benchmark: for each planted ABD bug, the failing run's size before and after
 * shrinking, the story's length, the runs and simulated events spent (the deterministic budget),
 * why the shrink stopped, and the wall time (a figure only). Then the causal story's length for
 * every corpus entry. Prints figures; asserts nothing.
 * Run: npm run bench:shrink
 */
import { abd } from '../protocols/abd/abd.ts';
import { protocols } from '../protocols/index.ts';
import { listEntries, loadEntry } from '../src/corpus/corpus.ts';
import { tellStory } from '../src/report/story.ts';
import { runScenario } from '../src/run/run.ts';
import { resolveOptions } from '../src/run/scenario.ts';
import { shrink } from '../src/shrink/shrink.ts';

const cases: Array<[string, number]> = [
  ['no-write-back', 7],
  ['minority-quorum', 0],
  ['ack-before-sync', 77],
];

async function shrinks(): Promise<void> {
  console.log('variant            seed  original (ops/faults/msgs/flags)  shrunk (ops/faults/msgs/flags)  story steps  runs   events     stopped by  wall s');
  for (const [variant, seed] of cases) {
    const s = await shrink(abd, { options: resolveOptions(abd, { variant, seed }) });
    const story = tellStory(await runScenario(abd, s.input, { recordTrace: true }));
    const a = s.original;
    const b = s.shrunk;
    console.log(
      `${variant.padEnd(18)} ${String(seed).padStart(4)}  ${`${a.ops}/${a.faults}/${a.messages}/${a.flags}`.padEnd(33)} ${`${b.ops}/${b.faults}/${b.messages}/${b.flags}`.padEnd(31)} ${String(story.steps).padStart(11)} ${String(s.runs).padStart(5)} ${String(s.events).padStart(8)} ${s.stoppedBy.padStart(13)} ${(s.elapsedMs / 1000).toFixed(1).padStart(7)}`,
    );
  }
}

async function stories(): Promise<void> {
  console.log('\ncorpus entry                                      trace events  story steps');
  for (const file of listEntries('corpus')) {
    const { protocol, input } = loadEntry(file, protocols);
    const r = await runScenario(protocol, input, { recordTrace: true });
    console.log(`${file.padEnd(50)} ${String(r.sim.trace.length).padStart(12)} ${String(tellStory(r).steps).padStart(12)}`);
  }
}

await shrinks();
await stories();
