/**
 * The bundled protocols' table (`npm run bench:protocols`): for every variant, how fast seeds run
 * and, for planted bugs, how many seeds it takes to find them and how short the shrunk story is.
 * Prints a markdown table for the README; asserts nothing.
 *
 * - seeds/s: one thread, the protocol's defaults (5 nodes, 200 ops unless it says otherwise),
 *   every nemesis, all checks, over seeds 0..39.
 * - seeds to first failure: from each start s in 0, 20, ..., 180, how many seeds until the first
 *   failing one (s counts as 1); the median over those 10 starts. Bugs with a `scenario` in their
 *   variant definition run under it (named in the table).
 * - story: the steps of the story of the bug's shrunk corpus entry.
 */
import { protocols } from '../protocols/index.ts';
import { listEntries, loadEntry } from '../src/corpus/corpus.ts';
import { explore } from '../src/explore/explore.ts';
import { defaultWorkers } from '../src/explore/pool.ts';
import { runScenario } from '../src/run/run.ts';
import { resolveOptions } from '../src/run/scenario.ts';
import { tellStory } from '../src/report/story.ts';

const SEARCH = 400;
const STARTS = Array.from({ length: 10 }, (_, i) => i * 20);

async function seedsPerSecond(name: string, variant: string): Promise<{ rate: number; failing: number }> {
  const p = protocols.find((x) => x.name === name)!;
  let failing = 0;
  const t0 = performance.now();
  for (let seed = 0; seed < 40; seed++) {
    const r = await runScenario(p, { options: resolveOptions(p, { seed, variant }) });
    if (r.status !== 'pass') failing++;
  }
  return { rate: 40_000 / (performance.now() - t0), failing };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const rows: string[] = [];
rows.push('| protocol | variant | kind | seeds/s | failing seeds (of 400) | first failing seed | median seeds to first failure | shrunk story (steps) | scenario |');
rows.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
const entries = listEntries('corpus');
for (const p of protocols) {
  if (p.name === 'pingpong') continue;
  for (const [variant, v] of Object.entries(p.variants)) {
    const { rate } = await seedsPerSecond(p.name, variant);
    if (v.kind === 'correct') {
      rows.push(`| ${p.name} | ${variant} | correct | ${rate.toFixed(0)} | | | | | |`);
      console.error(`${p.name}/${variant}: ${rate.toFixed(1)} seeds/s`);
      continue;
    }
    const base = resolveOptions(p, { ...v.scenario, variant });
    const failing: number[] = [];
    await explore({
      protocol: p.name,
      base,
      seeds: Array.from({ length: SEARCH }, (_, i) => i),
      workers: defaultWorkers(),
      seedTimeoutMs: 120_000,
      checkDeterminism: false,
      stopOnFail: false,
      onReport: (r) => {
        if (r.status !== 'pass') failing.push(r.seed);
      },
    });
    const toFailure = STARTS.map((s) => {
      const next = failing.find((f) => f >= s);
      return next === undefined ? Infinity : next - s + 1;
    });
    const med = median(toFailure);
    const file = entries.find((f) => f.includes(`/${p.name}/${variant}-`));
    let story = '';
    if (file) {
      const { input } = loadEntry(file, protocols);
      story = String(tellStory(await runScenario(p, input, { recordTrace: true })).steps);
    }
    const knobs = v.scenario ? Object.entries(v.scenario).map(([k, x]) => `${k}=${Array.isArray(x) ? x.join('+') : x}`).join(', ') : 'defaults';
    rows.push(
      `| ${p.name} | ${variant} | bug | ${rate.toFixed(0)} | ${failing.length} | ${failing[0] ?? 'none'} | ${Number.isFinite(med) ? med : `> ${SEARCH - 180}`} | ${story} | ${knobs} |`,
    );
    console.error(`${p.name}/${variant}: ${failing.length} failing, first ${failing[0]}, median ${med}, story ${story}`);
  }
}
console.log(rows.join('\n'));
