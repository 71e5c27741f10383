/**
 * The bundled protocols' table (`npm run bench:protocols`), under the default exploration (the
 * strategy `faultline explore` uses without flags; no per-variant settings): for every variant,
 * how fast its seeds run and, for planted bugs, how many seeds it takes to find them and how short
 * the shrunk story is. Prints a markdown table for the README; asserts nothing.
 *
 * - seeds/s: seeds 0..RATE_SEEDS-1 on this thread (one core), the protocol's defaults as the
 *   strategy draws them, every check.
 * - seeds to first failure (planted bugs): from seed 0, seeds until the first failing one (seed 0
 *   failing counts as 1), at most SEARCH_SEEDS (`> SEARCH_SEEDS`: not found), on worker threads.
 *   Correct variants are not searched here: their sweeps are `faultline explore <p> --seeds 0..1999 --keep-going`.
 * - story: the numbered steps (client ops, faults) of the variant's shrunk corpus entry, corpus/<p>/<variant>-*.json.
 *
 * Environment: BENCH_SEARCH_SEEDS (default 1000), BENCH_RATE_SEEDS (default 20), BENCH_PROTOCOLS
 * (comma-separated names; default all but pingpong) to cap a run on a slow machine.
 */
import { protocols } from '../protocols/index.ts';
import { listEntries, loadEntry } from '../src/corpus/corpus.ts';
import { explore } from '../src/explore/explore.ts';
import { defaultWorkers } from '../src/explore/pool.ts';
import { DEFAULT_STRATEGY } from '../src/explore/strategies/index.ts';
import type { ProtocolDef } from '../src/run/protocol.ts';
import { runScenario } from '../src/run/run.ts';
import { resolveOptions } from '../src/run/scenario.ts';
import { tellStory } from '../src/report/story.ts';

const SEARCH_SEEDS = Number(process.env.BENCH_SEARCH_SEEDS ?? 1000);
const RATE_SEEDS = Number(process.env.BENCH_RATE_SEEDS ?? 20);
const ONLY = process.env.BENCH_PROTOCOLS?.split(',').filter((x) => x !== '');

/** Seeds per second on this thread, and how many of those seeds failed. */
async function seedsPerSecond(p: ProtocolDef, variant: string): Promise<{ rate: number; failing: number }> {
  let failing = 0;
  const t0 = performance.now();
  await explore({
    protocol: p.name,
    base: resolveOptions(p, { variant }),
    strategy: DEFAULT_STRATEGY,
    seeds: Array.from({ length: RATE_SEEDS }, (_, i) => i),
    workers: 0,
    seedTimeoutMs: 120_000,
    checkDeterminism: false,
    stopOnFail: false,
    onReport: (r) => void (r.status !== 'pass' && failing++),
  });
  return { rate: (RATE_SEEDS * 1000) / (performance.now() - t0), failing };
}

/** The first failing seed from 0 under the default exploration, or undefined within SEARCH_SEEDS. */
async function firstFailure(p: ProtocolDef, variant: string): Promise<number | undefined> {
  let first: number | undefined;
  await explore({
    protocol: p.name,
    base: resolveOptions(p, { variant }),
    strategy: DEFAULT_STRATEGY,
    seeds: Array.from({ length: SEARCH_SEEDS }, (_, i) => i),
    workers: defaultWorkers(),
    seedTimeoutMs: 120_000,
    checkDeterminism: false,
    stopOnFail: true,
    onReport: (r) => void (r.status !== 'pass' && first === undefined && (first = r.seed)),
  });
  return first;
}

/** `steps (N ops, M faults)` of the variant's shrunk corpus entry, or '' without one. */
async function story(p: ProtocolDef, variant: string, entries: readonly string[]): Promise<string> {
  const file = entries.find((f) => f.includes(`/${p.name}/${variant}-`));
  if (file === undefined) return '';
  const { input } = loadEntry(file, protocols);
  const steps = tellStory(await runScenario(p, input, { recordTrace: true })).steps;
  const ops = input.ops?.length ?? 0;
  const faults = input.faults?.length ?? 0;
  return `${steps} (${ops} op${ops === 1 ? '' : 's'}, ${faults} fault${faults === 1 ? '' : 's'})`;
}

const rows: string[] = [];
rows.push(`| protocol | variant | kind | seeds/s (1 core) | seeds to first failure (of ${SEARCH_SEEDS}) | shrunk story: steps (ops, faults) |`);
rows.push('| --- | --- | --- | --- | --- | --- |');
const entries = listEntries('corpus');
const t0 = performance.now();
for (const p of protocols) {
  if (ONLY ? !ONLY.includes(p.name) : p.name === 'pingpong') continue;
  for (const [variant, v] of Object.entries(p.variants)) {
    const { rate } = await seedsPerSecond(p, variant);
    // Correct variants are swept separately (2,000 seeds each, too long for a table run).
    const first = v.kind === 'correct' ? undefined : await firstFailure(p, variant);
    const found = v.kind === 'correct' ? '' : first === undefined ? `> ${SEARCH_SEEDS}` : String(first + 1);
    const shrunk = v.kind === 'correct' ? '' : await story(p, variant, entries);
    rows.push(`| ${p.name} | ${variant} | ${v.kind} | ${rate.toFixed(1)} | ${found} | ${shrunk} |`);
    console.error(`${p.name}/${variant}: ${rate.toFixed(1)} seeds/s, first failure ${found}, story ${shrunk || '-'} (${((performance.now() - t0) / 1000).toFixed(0)} s so far)`);
  }
}
console.error(`strategy ${DEFAULT_STRATEGY}, ${SEARCH_SEEDS} seeds searched, ${RATE_SEEDS} timed, ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
console.log(rows.join('\n'));
