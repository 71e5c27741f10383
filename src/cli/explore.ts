import { parseArgs } from 'node:util';
import { explore } from '../explore/explore.ts';
import { defaultWorkers, DEFAULT_WORKER_MEMORY_MB } from '../explore/pool.ts';
import { formatDuration, Progress } from '../explore/progress.ts';
import type { SeedReport } from '../explore/report.ts';
import { parseDuration, parseShard, planSize, WHOLE, type SeedPlan, type Shard } from '../explore/seeds.ts';
import { DEFAULT_STRATEGY, isStrategy, optionsFor, strategyNames, type StrategyName } from '../explore/strategies/index.ts';
import { SummaryBuilder, type ExploreSummaryJson, type FailureGroup } from '../explore/summary.ts';
import { describeRef, ProtocolLoadError, resolveProtocolArg, type ProtocolRef } from '../run/load.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { resolveOptions, ScenarioError, type ScenarioOptions } from '../run/scenario.ts';
import { flagsFor, scenarioFlags, scenarioFromStrings, scenarioHelp, UsageError } from './options.ts';
import { defaultShrinkBudget } from '../shrink/budget.ts';
import { describeShrink, shrinkAndSave } from '../shrink/counterexample.ts';

export const exploreHelp = `faultline explore <protocol | ./module.ts[#export]> [options]

Runs many seeds on worker threads, stops at the first failure (or goes on), shrinks each distinct
failure (one per violated check) and saves it to the corpus, and prints a summary table.

  --seeds A..B            the seeds to run (default 0..999)
  --time D                a time budget (60s, 10m, 1h): seeds run in order from A (or 0) until it
                          is spent. How many seeds fit depends on the machine and its load; each
                          seed's verdict does not.
  --keep-going            do not stop at the first failure
  --strategy S            how a seed becomes a scenario: ${strategyNames.join(' | ')} (default ${DEFAULT_STRATEGY});
                          random: the same scenario, only the seed changes; swarm: each seed also
                          draws its cluster size, clients, fault kinds, cadence, latency and rates
                          (flags given explicitly stay as given). The corpus entry stores the
                          options, so a replay needs no flag.
  --shard K/N             run only slice K of N (seeds s with s mod N = K-1); each shard gets the
                          whole --time budget. Join the --json summaries with faultline merge.
  --workers N             worker threads (default: one per core; 0 = this thread, no watchdog)
  --seed-timeout S        a seed with no verdict after S seconds of wall time ends 'hung' (default 60)
  --worker-memory MB      heap limit per worker; a seed past it ends 'crashed: out of memory' (default ${DEFAULT_WORKER_MEMORY_MB})
  --check-determinism     run every seed twice and compare fingerprints
  --corpus DIR            where shrunk failures are saved (default corpus)
  --no-shrink             report failures without shrinking or saving them
  --shrink-runs N         run budget per shrink (default ${defaultShrinkBudget.maxRuns}); past it the best so far is saved
  --json                  print the summary as JSON on stdout (the input of faultline merge)

${scenarioHelp}

Exit code: 0 every seed passed, 1 a failure was found, 2 bad usage, 3 a checker ran out of budget.`;

const flags = {
  ...scenarioFlags,
  seeds: { type: 'string' },
  time: { type: 'string' },
  'keep-going': { type: 'boolean' },
  strategy: { type: 'string' },
  shard: { type: 'string' },
  workers: { type: 'string' },
  'seed-timeout': { type: 'string' },
  'worker-memory': { type: 'string' },
  'check-determinism': { type: 'boolean' },
  corpus: { type: 'string' },
  'no-shrink': { type: 'boolean' },
  'shrink-runs': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Everything `faultline explore` was asked to do, checked. */
interface ExploreArgs {
  protocol: ProtocolDef;
  ref: ProtocolRef;
  refText: string;
  base: ScenarioOptions;
  pinned: Partial<ScenarioOptions>;
  strategy: StrategyName;
  plan: SeedPlan & { from: number };
  shard: Shard;
  timeBudgetMs?: number;
  workers: number;
  seedTimeoutMs: number;
  memoryLimitMb: number;
  stopOnFail: boolean;
  checkDeterminism: boolean;
  shrink: boolean;
  shrinkRuns: number;
  corpusDir: string;
  json: boolean;
}

/** `faultline explore`: returns the exit code. */
export async function exploreCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: flags });
  if (values.help) {
    console.log(exploreHelp);
    return 0;
  }
  const a = await argsOf(values, positionals);
  const summary = await sweep(a);
  if (a.shrink) await shrinkGroups(a, summary.failures, argv);
  if (a.json) console.log(JSON.stringify(summary, null, 2));
  else printSummary(a, summary);
  const failures = summary.counts.fail + summary.counts.hung + summary.counts.crashed;
  return failures > 0 ? 1 : summary.counts.unknown > 0 ? 3 : 0;
}

async function argsOf(values: ReturnType<typeof parseArgs<{ options: typeof flags; allowPositionals: true }>>['values'], positionals: string[]): Promise<ExploreArgs> {
  if (positionals.length !== 1) throw new UsageError(`explore takes one protocol name or module path, got ${positionals.length ? positionals.join(' ') : 'none'} (faultline list shows the bundled ones)`);
  let resolved: Awaited<ReturnType<typeof resolveProtocolArg>>;
  try {
    resolved = await resolveProtocolArg(positionals[0], process.cwd());
  } catch (e) {
    if (e instanceof ProtocolLoadError) throw new UsageError(e.message);
    throw e;
  }
  const strategy = values.strategy ?? DEFAULT_STRATEGY;
  if (!isStrategy(strategy)) throw new UsageError(`unknown strategy '${strategy}': choose from ${strategyNames.join(', ')} (--strategy)`);
  const pinned = Object.fromEntries(Object.entries(scenarioFromStrings(values)).filter(([, v]) => v !== undefined)) as Partial<ScenarioOptions>;
  let base: ScenarioOptions;
  try {
    base = resolveOptions(resolved.protocol, { ...resolved.config?.config.scenario, ...pinned });
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  const shard = values.shard === undefined ? WHOLE : parseShard(values.shard);
  if (typeof shard === 'string') throw new UsageError(shard);
  const timeBudgetMs = values.time === undefined ? undefined : parseDuration(values.time);
  if (typeof timeBudgetMs === 'string') throw new UsageError(timeBudgetMs);
  const plan = planOf(values.seeds, timeBudgetMs !== undefined, shard);
  const workers = values.workers === undefined ? Math.max(1, Math.min(defaultWorkers(), planSize(plan))) : whole('workers', values.workers, 0, 256);
  if (workers === 0 && values['seed-timeout'] !== undefined) {
    throw new UsageError('--seed-timeout needs worker threads: with --workers 0 seeds run in this thread, where no watchdog can stop them (drop --seed-timeout, or give --workers 1 or more)');
  }
  if (workers === 0 && values['worker-memory'] !== undefined) throw new UsageError('--worker-memory needs worker threads (give --workers 1 or more, or drop --worker-memory)');
  return {
    protocol: resolved.protocol,
    ref: resolved.ref,
    refText: describeRef(resolved.ref, process.cwd()),
    base,
    pinned,
    strategy,
    plan,
    shard,
    timeBudgetMs,
    workers,
    seedTimeoutMs: 1000 * whole('seed-timeout', values['seed-timeout'] ?? '60', 1, 86_400),
    memoryLimitMb: whole('worker-memory', values['worker-memory'] ?? String(DEFAULT_WORKER_MEMORY_MB), 16, 1_048_576),
    stopOnFail: !(values['keep-going'] ?? false),
    checkDeterminism: values['check-determinism'] ?? false,
    shrink: !(values['no-shrink'] ?? false),
    shrinkRuns: whole('shrink-runs', values['shrink-runs'] ?? String(defaultShrinkBudget.maxRuns), 1, 10_000_000),
    corpusDir: values.corpus ?? resolved.config?.config.corpus ?? 'corpus',
    json: values.json ?? false,
  };
}

function planOf(seeds: string | undefined, timed: boolean, shard: Shard): SeedPlan & { from: number } {
  if (seeds === undefined) return timed ? { from: 0, shard } : { from: 0, to: 999, shard };
  const m = /^(\d+)\.\.(\d+)$/.exec(seeds.trim());
  if (!m) throw new UsageError(`--seeds takes a range A..B of non-negative integers (e.g. 0..9999), got '${seeds}'`);
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new UsageError(`--seeds ${seeds}: seeds are at most ${Number.MAX_SAFE_INTEGER}`);
  if (to < from) throw new UsageError(`--seeds ${seeds}: the range is empty (B must be >= A)`);
  return { from, to, shard };
}

function whole(flag: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${flag} takes a whole number from ${min} to ${max}, got '${v}'`);
  return Number(v);
}

/** The command that re-runs one seed exactly as explored (its options, as the strategy drew them). */
function runCommandFor(a: ExploreArgs, o: ScenarioOptions): string {
  const defaults = resolveOptions(a.protocol, { seed: o.seed });
  return ['faultline run', a.refText, ...flagsFor(o, defaults), '--seed', String(o.seed)].join(' ');
}

async function sweep(a: ExploreArgs): Promise<ExploreSummaryJson> {
  const { seed: _seed, ...options } = a.base;
  const builder = new SummaryBuilder(
    {
      protocol: a.protocol.name,
      module: 'module' in a.ref ? a.refText : null,
      variant: a.base.variant,
      strategy: a.strategy,
      options,
      checkDeterminism: a.checkDeterminism,
      seeds: { from: a.plan.from, to: 'to' in a.plan ? (a.plan.to ?? null) : null },
      timeBudgetMs: a.timeBudgetMs ?? null,
      stopAtFirstFailure: a.stopOnFail,
      shard: a.shard,
    },
    (r) => runCommandFor(a, r.options),
  );
  const total = planSize(a.plan);
  const progress = new Progress({ total, timeBudgetMs: a.timeBudgetMs, tty: process.stderr.isTTY === true, write: (s) => process.stderr.write(s) });
  const say = (line: string) => {
    progress.end();
    if (a.json) console.error(line);
    else console.log(line);
  };
  say(`exploring ${a.refText}/${a.base.variant} with strategy ${a.strategy}: ${describePlan(a)}, ${a.workers ? `${a.workers} worker threads` : 'in this thread'}, ${a.stopOnFail ? 'stopping at the first failure' : 'keeping going past failures'}`);
  let failing = 0;
  const result = await explore({
    protocol: a.ref,
    base: a.base,
    pinned: a.pinned,
    strategy: a.strategy,
    seeds: a.plan,
    timeBudgetMs: a.timeBudgetMs,
    workers: a.workers,
    seedTimeoutMs: a.seedTimeoutMs,
    memoryLimitMb: a.memoryLimitMb,
    checkDeterminism: a.checkDeterminism,
    stopOnFail: a.stopOnFail,
    onReport: (r: SeedReport) => {
      const fresh = builder.add(r);
      if (r.status !== 'pass' && r.status !== 'unknown') failing++;
      if (fresh) say(`  seed ${r.seed}: ${r.status.toUpperCase()} ${fresh.check}: ${fresh.summary.split('\n')[0].slice(0, 160)}`);
      progress.update(builder.explored(), failing);
    },
  });
  progress.end();
  return builder.finish({ stoppedBy: result.stoppedBy, elapsedMs: result.elapsedMs });
}

function describePlan(a: ExploreArgs): string {
  const range = 'to' in a.plan && a.plan.to !== undefined ? `seeds ${a.plan.from}..${a.plan.to}` : `seeds from ${a.plan.from}`;
  const shard = a.shard.count > 1 ? ` (shard ${a.shard.index}/${a.shard.count}: seeds s with s mod ${a.shard.count} = ${a.shard.index - 1})` : '';
  const time = a.timeBudgetMs !== undefined ? ` for ${formatDuration(a.timeBudgetMs)}` : '';
  return range + shard + time;
}

/** Shrinks each group's first seed and saves it; the pool's verdicts (hung, crashed) cannot be re-run safely here. */
async function shrinkGroups(a: ExploreArgs, groups: FailureGroup[], argv: string[]): Promise<void> {
  const say = (line: string) => (a.json ? console.error(line) : console.log(line));
  for (const g of groups) {
    if (g.status !== 'fail') continue;
    const seed = g.seeds[0].seed;
    const options = optionsFor(a.strategy, a.protocol, a.base, a.pinned, seed);
    const report = await shrinkAndSave(a.protocol, { options }, { maxRuns: a.shrinkRuns, corpusDir: a.corpusDir, createdBy: `faultline explore ${argv.join(' ')} [strategy ${a.strategy}, seed ${seed}]` });
    if (report.saved) {
      g.corpus = report.saved;
      g.replay = report.replay ?? g.replay;
      say(`  ${g.check}: seed ${seed} ${describeShrink(report.shrunk)}; saved ${report.saved}`);
    } else {
      say(`  ${g.check}: seed ${seed} did not fail again when shrinking (nothing saved; replay: ${g.replay})`);
    }
  }
}

function printSummary(a: ExploreArgs, s: ExploreSummaryJson): void {
  const c = s.counts;
  const extra = (c.hung ? `, ${c.hung} hung` : '') + (c.crashed ? `, ${c.crashed} crashed` : '');
  console.log(
    `\nexplored ${s.explored} seeds${s.lastSeed !== null ? ` (up to seed ${s.lastSeed})` : ''} of ${s.protocol}/${s.variant}: ${c.pass} pass, ${c.fail} fail, ${c.unknown} unknown${extra}` +
      ` (${s.seedsPerSecond.toFixed(1)} seeds/s, ${formatDuration(s.elapsedMs)})`,
  );
  if (a.timeBudgetMs !== undefined) {
    console.log(`time budget ${formatDuration(a.timeBudgetMs)}: how many seeds fit depends on this machine and its load; each seed's verdict does not (seeds ran in order, from ${a.plan.from})`);
  }
  if (s.stoppedBy === 'failure') console.log('stopped at the first failure (--keep-going explores further)');
  if (s.failures.length > 0) {
    console.log('\nfailures by violated check:');
    const rows = s.failures.map((g) => [g.check, g.status, String(g.seeds.length), String(g.seeds[0].seed), g.corpus ?? g.replay]);
    printTable(['check', 'verdict', 'seeds', 'first', 'corpus entry / replay'], rows);
  }
  if (s.sometimes.length > 0) {
    console.log('\nsometimes (situations the protocol expects exploration to reach):');
    printTable(['', 'name', 'seeds', 'times'], s.sometimes.map((x) => [x.seeds > 0 ? 'reached' : 'NEVER', x.name, String(x.seeds), String(x.hits)]));
  }
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((x, i) => (i === cells.length - 1 ? x : x.padEnd(widths[i]))).join('  ')}`;
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}
