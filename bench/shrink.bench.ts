/**
 * Shrinker benchmark: for each planted ABD bug, the failing run's size before and after
 * shrinking, the story's length and the shrink time. Prints figures; asserts nothing.
 * Run: npm run bench:shrink
 */
import { abd } from '../protocols/abd/abd.ts';
import { runScenario } from '../src/run/run.ts';
import { resolveOptions } from '../src/run/scenario.ts';
import { shrink } from '../src/shrink/shrink.ts';
import { tellStory } from '../src/report/story.ts';

const cases: Array<[string, number]> = [
  ['no-write-back', 7],
  ['minority-quorum', 0],
  ['ack-before-sync', 77],
];

async function main(): Promise<void> {
  console.log('variant            seed  original (ops/faults/msgs/flags)  shrunk (ops/faults/msgs/flags)  story steps  runs   time s  exhausted');
  for (const [variant, seed] of cases) {
    const s = await shrink(abd, { options: resolveOptions(abd, { variant, seed }) });
    const story = tellStory(await runScenario(abd, s.input, { recordTrace: true }));
    const a = s.original;
    const b = s.shrunk;
    console.log(
      `${variant.padEnd(18)} ${String(seed).padStart(4)}  ${`${a.ops}/${a.faults}/${a.messages}/${a.flags}`.padEnd(33)} ${`${b.ops}/${b.faults}/${b.messages}/${b.flags}`.padEnd(31)} ${String(story.steps).padStart(11)} ${String(s.runs).padStart(5)} ${(s.elapsedMs / 1000).toFixed(1).padStart(8)}  ${s.exhausted}`,
    );
  }
}

void main();
