/**
 * The bug-finding benchmark (`npm run bench:explore`): for every planted bug of every bundled
 * protocol, under each strategy (every entry of the strategy table, so a new strategy shows up
 * here by itself), how many seeds (and how many seconds) until the first failure, from a few fixed
 * starting points; then seeds/s on 1 vs 2 workers, measured in the same run. No per-bug settings:
 * every bug runs under its protocol's defaults (a variant's hand-tuned `scenario` is NOT applied).
 * Prints markdown tables for the README, with the date and the machine's load; asserts nothing.
 *
 * - seeds to first failure: from each start s in STARTS, explore s, s+1, ... (stop at the first
 *   failure, at most CAP seeds; the failing seed counts); median and worst over the starts.
 *   "> CAP" means not found within CAP seeds from that start. Seeds are deterministic; the
 *   seconds beside them depend on the machine and its load.
 * - workers: seeds/s of one fixed range on 1 and 2 worker threads, alternated (1, 2, 1, 2, ...)
 *   so a change in the machine's load hits both; the ratio of the medians.
 *
 * Env: BENCH_CAP (default 1000), BENCH_STARTS (default 3), BENCH_STRATEGIES=a,b (default all),
 * BENCH_ONLY=protocol[/variant][,protocol...] (skips the worker figures), BENCH_ONLY=workers (only
 * the worker figures), BENCH_ROUNDS (worker rounds, default 3).
 */
import { loadavg } from 'node:os';
import { protocols } from '../protocols/index.ts';
import { explore } from '../src/explore/explore.ts';
import { SeedPool } from '../src/explore/pool.ts';
import { isFailure } from '../src/explore/report.ts';
import { isStrategy, strategyNames, type StrategyName } from '../src/explore/strategies/index.ts';
import { resolveOptions } from '../src/run/scenario.ts';

const CAP = Number(process.env.BENCH_CAP ?? 1000);
const STARTS = Array.from({ length: Number(process.env.BENCH_STARTS ?? 3) }, (_, i) => i * 100_000);
const ONLY = process.env.BENCH_ONLY?.split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STRATEGIES: StrategyName[] = (process.env.BENCH_STRATEGIES?.split(',') ?? [...strategyNames]).map((s) => {
  if (!isStrategy(s)) throw new Error(`BENCH_STRATEGIES: unknown strategy '${s}' (known: ${strategyNames.join(', ')})`);
  return s;
});
const WORKERS = 2;
const load = () => loadavg().map((x) => x.toFixed(1)).join(', ');
const startedAt = new Date().toISOString().slice(0, 16).replace('T', ' ');
const loadBefore = load();

/** Seeds until the first failure from `start` (Infinity past CAP), and the wall seconds it took. */
async function toFirstFailure(pool: SeedPool, name: string, variant: string, strategy: StrategyName, start: number): Promise<{ seeds: number; seconds: number }> {
  const p = protocols.find((x) => x.name === name)!;
  const base = resolveOptions(p, { variant });
  let found = Infinity;
  const s = await explore({
    protocol: name,
    base,
    strategy,
    seeds: { from: start, to: start + CAP - 1, shard: { index: 1, count: 1 } },
    workers: WORKERS,
    pool,
    seedTimeoutMs: 120_000,
    checkDeterminism: false,
    stopOnFail: true,
    onReport: (r) => {
      if (isFailure(r.status) && found === Infinity) found = r.seed - start + 1;
    },
  });
  return { seeds: found, seconds: s.elapsedMs / 1000 };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const show = (n: number) => (Number.isFinite(n) ? String(n) : `> ${CAP}`);
const wanted = (id: string) => ONLY === undefined || ONLY.some((o) => o !== 'workers' && (id === o || id.startsWith(`${o}/`)));

/** One row per planted bug; per strategy: median and worst seeds over the starts, median seconds. */
async function bugTable(): Promise<string[]> {
  const pool = new SeedPool({ workers: WORKERS, seedTimeoutMs: 120_000, memoryLimitMb: 1024 });
  const rows = [
    `| protocol | planted bug | ${STRATEGIES.map((s) => `${s}: median | ${s}: worst | ${s}: median s`).join(' | ')} |`,
    `| --- | --- | ${STRATEGIES.map(() => '--- | --- | ---').join(' | ')} |`,
  ];
  const medians = new Map<StrategyName, number[]>(STRATEGIES.map((s) => [s, []]));
  const missed = new Map<StrategyName, string[]>(STRATEGIES.map((s) => [s, []]));
  try {
    for (const p of protocols) {
      for (const [variant, v] of Object.entries(p.variants)) {
        if (v.kind !== 'bug' || !wanted(`${p.name}/${variant}`)) continue;
        const cells: string[] = [];
        for (const strategy of STRATEGIES) {
          const runs = [];
          for (const start of STARTS) runs.push(await toFirstFailure(pool, p.name, variant, strategy, start));
          const seeds = runs.map((r) => r.seeds);
          medians.get(strategy)!.push(median(seeds));
          if (Math.max(...seeds) === Infinity) missed.get(strategy)!.push(`${p.name}/${variant}`);
          cells.push(show(median(seeds)), show(Math.max(...seeds)), median(runs.map((r) => r.seconds)).toFixed(1));
          console.error(`${p.name}/${variant} ${strategy}: seeds to first failure ${seeds.map(show).join(', ')} (load ${load()})`);
        }
        rows.push(`| ${p.name} | ${variant} | ${cells.join(' | ')} |`);
      }
    }
  } finally {
    await pool.close();
  }
  rows.push('');
  for (const s of STRATEGIES) rows.push(summaryLine(s, medians, missed));
  return rows;
}

/**
 * A strategy's summary: the median over bugs of its median seeds, the median ratio to random's
 * (over the bugs both found, by median: a ratio with "not found" in it means nothing), the bugs
 * not found from every start.
 */
function summaryLine(s: StrategyName, medians: Map<StrategyName, number[]>, missed: Map<StrategyName, string[]>): string {
  const mine = medians.get(s)!;
  const random = medians.get('random');
  const ratios = random === undefined ? [] : mine.flatMap((m, i) => (Number.isFinite(m) && Number.isFinite(random[i]) ? [m / random[i]] : []));
  const ratio = ratios.length === 0 ? 'n/a' : median(ratios).toFixed(2);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + (Number.isFinite(b) ? b : CAP), 0);
  return `- ${s}: median over bugs of median seeds ${show(median(mine))}; median ratio to random ${ratio}; sum of medians (not found = ${CAP}) ${sum(mine)}; not found from every start within ${CAP} seeds: ${missed.get(s)!.join(', ') || 'none'}`;
}

/** Seeds/s on `n` booted workers over a fixed range (boot and warm-up not counted). */
async function seedsPerSecond(pool: SeedPool, n: number): Promise<number> {
  const p = protocols.find((x) => x.name === 'raft')!;
  const s = await explore({ protocol: 'raft', base: resolveOptions(p, {}), strategy: 'random', seeds: { from: 0, to: 59, shard: { index: 1, count: 1 } }, workers: n, pool, seedTimeoutMs: 120_000, checkDeterminism: false, stopOnFail: false, onReport: () => {} });
  return (s.explored * 1000) / s.elapsedMs;
}

/** 1 vs 2 workers, alternated for ROUNDS rounds; the median of each and their ratio. */
async function workerLine(): Promise<string> {
  const pools = new Map([1, 2].map((n) => [n, new SeedPool({ workers: n, seedTimeoutMs: 120_000, memoryLimitMb: 1024 })]));
  const rates = new Map<number, number[]>([[1, []], [2, []]]);
  try {
    for (const [n, pool] of pools) await explore({ protocol: 'raft', base: resolveOptions(protocols.find((x) => x.name === 'raft')!, {}), strategy: 'random', seeds: [1000, 1001, 1002, 1003], workers: n, pool, seedTimeoutMs: 120_000, checkDeterminism: false, stopOnFail: false, onReport: () => {} });
    for (let r = 0; r < ROUNDS; r++) for (const [n, pool] of pools) rates.get(n)!.push(await seedsPerSecond(pool, n));
  } finally {
    for (const pool of pools.values()) await pool.close();
  }
  const one = median(rates.get(1)!);
  const two = median(rates.get(2)!);
  const each = (n: number) => rates.get(n)!.map((x) => x.toFixed(1)).join(', ');
  return `raft/correct, seeds 0..59, ${ROUNDS} alternated rounds: ${one.toFixed(1)} seeds/s on 1 worker (${each(1)}), ${two.toFixed(1)} on 2 workers (${each(2)}): ${(two / one).toFixed(2)}x (load average during it: ${load()})`;
}

const out: string[] = [];
if (ONLY === undefined || ONLY.some((o) => o !== 'workers')) {
  out.push(`Seeds to first failure, ${startedAt} UTC, from ${STARTS.length} starts (${STARTS.join(', ')}), at most ${CAP} seeds each, ${WORKERS} workers; load average at the start ${loadBefore}:`, '');
  out.push(...(await bugTable()));
}
if (ONLY === undefined || ONLY.includes('workers')) out.push('', await workerLine());
out.push('', `load average at the end: ${load()}`);
console.log(out.join('\n'));
