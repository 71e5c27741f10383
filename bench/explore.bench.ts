/**
 * The bug-finding benchmark (`npm run bench:explore`): for every planted bug of every bundled
 * protocol, under each strategy, how many seeds (and how many seconds) until the first failure,
 * from a few fixed starting points; then seeds/s on 1 vs 2 workers. No per-bug settings: every
 * bug runs under its protocol's defaults (a variant's hand-tuned `scenario` is NOT applied).
 * Prints markdown tables for the README; asserts nothing.
 *
 * - seeds to first failure: from each start s in STARTS, explore s, s+1, ... (stop at the first
 *   failure, at most CAP seeds; the failing seed counts); median and worst over the starts.
 *   "> CAP" means not found within CAP seeds from that start. Seeds are deterministic; the
 *   seconds beside them depend on the machine and its load.
 * - workers: seeds/s of one fixed range on 1 and 2 worker threads, and the ratio.
 *
 * Env: BENCH_CAP (default 1000), BENCH_STARTS (default 3), BENCH_ONLY=protocol[/variant] (skips
 * the worker figures), BENCH_ONLY=workers (only the worker figures).
 */
import { protocols } from '../protocols/index.ts';
import { explore } from '../src/explore/explore.ts';
import { defaultWorkers, SeedPool } from '../src/explore/pool.ts';
import { strategyNames, type StrategyName } from '../src/explore/strategies/index.ts';
import { resolveOptions } from '../src/run/scenario.ts';

const CAP = Number(process.env.BENCH_CAP ?? 1000);
const STARTS = Array.from({ length: Number(process.env.BENCH_STARTS ?? 3) }, (_, i) => i * 100_000);
const ONLY = process.env.BENCH_ONLY;
const workers = Math.max(2, defaultWorkers());
// One pool for every sweep: booting workers (tsx, imports) would otherwise dominate short sweeps.
const pool = new SeedPool({ workers, seedTimeoutMs: 120_000, memoryLimitMb: 1024 });

/** Seeds until the first failure from `start` (Infinity past CAP), and the wall seconds it took. */
async function toFirstFailure(name: string, variant: string, strategy: StrategyName, start: number): Promise<{ seeds: number; seconds: number }> {
  const p = protocols.find((x) => x.name === name)!;
  const base = resolveOptions(p, { variant });
  let found = Infinity;
  const s = await explore({
    protocol: name,
    base,
    strategy,
    seeds: { from: start, to: start + CAP - 1, shard: { index: 1, count: 1 } },
    workers,
    pool,
    seedTimeoutMs: 120_000,
    checkDeterminism: false,
    stopOnFail: true,
    onReport: (r) => {
      if (r.status === 'fail' && found === Infinity) found = r.seed - start + 1;
    },
  });
  return { seeds: found, seconds: s.elapsedMs / 1000 };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const show = (n: number) => (Number.isFinite(n) ? String(n) : `> ${CAP}`);

const rows: string[] = [];
rows.push(`| protocol | bug | ${strategyNames.map((s) => `${s}: median seeds | ${s}: worst | ${s}: median s`).join(' | ')} |`);
rows.push(`| --- | --- | ${strategyNames.map(() => '--- | --- | ---').join(' | ')} |`);
const medians = Object.fromEntries(strategyNames.map((s) => [s, [] as number[]])) as Record<StrategyName, number[]>;
const missed = Object.fromEntries(strategyNames.map((s) => [s, [] as string[]])) as Record<StrategyName, string[]>;
for (const p of protocols) {
  for (const [variant, v] of Object.entries(p.variants)) {
    if (v.kind !== 'bug' || (ONLY && !`${p.name}/${variant}`.startsWith(ONLY))) continue;
    if (ONLY === 'workers') continue;
    const cells: string[] = [];
    for (const strategy of strategyNames) {
      const runs = [];
      for (const start of STARTS) runs.push(await toFirstFailure(p.name, variant, strategy, start));
      const seeds = runs.map((r) => r.seeds);
      const med = median(seeds);
      medians[strategy].push(med);
      if (!Number.isFinite(med) || Math.max(...seeds) === Infinity) missed[strategy].push(`${p.name}/${variant}`);
      cells.push(show(med), show(Math.max(...seeds)), median(runs.map((r) => r.seconds)).toFixed(1));
      console.error(`${p.name}/${variant} ${strategy}: seeds to first failure ${seeds.map(show).join(', ')}`);
    }
    rows.push(`| ${p.name} | ${variant} | ${cells.join(' | ')} |`);
  }
}

/** Seeds/s on n booted workers (a warm-up sweep first, so boot time is not counted). */
async function seedsPerSecond(n: number): Promise<number> {
  const p = protocols.find((x) => x.name === 'raft')!;
  const own = new SeedPool({ workers: n, seedTimeoutMs: 120_000, memoryLimitMb: 1024 });
  const sweep = (from: number, to: number) =>
    explore({ protocol: 'raft', base: resolveOptions(p, {}), strategy: 'random', seeds: { from, to, shard: { index: 1, count: 1 } }, workers: n, pool: own, seedTimeoutMs: 120_000, checkDeterminism: false, stopOnFail: false, onReport: () => {} });
  await sweep(1000, 1000 + 2 * n - 1);
  const s = await sweep(0, 59);
  await own.close();
  return (s.explored * 1000) / s.elapsedMs;
}

if (ONLY !== 'workers') {
  console.log(`\nSeeds to first failure (from ${STARTS.length} starts: ${STARTS.join(', ')}; at most ${CAP} seeds each; ${workers} workers):\n`);
  console.log(rows.join('\n'));
  for (const s of strategyNames) {
    // Over the bugs both strategies found (a ratio with "not found" in it means nothing).
    const ratio = median(medians[s].map((m, i) => m / medians.random[i]).filter((x) => Number.isFinite(x)));
    console.log(`\n${s}: median over bugs of median seeds ${show(median(medians[s]))}; median ratio to random ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'}; not found from every start within ${CAP} seeds: ${missed[s].join(', ') || 'none'}`);
  }
}
await pool.close();
if (!ONLY || ONLY === 'workers') {
  const one = await seedsPerSecond(1);
  const two = await seedsPerSecond(2);
  console.log(`\nraft/correct, seeds 0..59: ${one.toFixed(1)} seeds/s on 1 worker, ${two.toFixed(1)} on 2 workers: ${(two / one).toFixed(2)}x (machine load affects both)`);
}
