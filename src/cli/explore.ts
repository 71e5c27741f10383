import { explore } from '../explore/explore.ts';
import { defaultWorkers, DEFAULT_WORKER_MEMORY_MB } from '../explore/pool.ts';
import { formatDuration, Progress } from '../explore/progress.ts';
import type { SeedReport } from '../explore/report.ts';
import { planSize, WHOLE, type SeedPlan, type Shard } from '../explore/seeds.ts';
import { blockSeedsOf, DEFAULT_STRATEGY, isStrategy, type StrategyName } from '../explore/strategies/index.ts';
import type { StrategyRecord } from '../corpus/schema.ts';
import { SummaryBuilder, type ExploreSummaryJson, type FailureGroup } from '../explore/summary.ts';
import { describeRef, ProtocolLoadError, resolveProtocolArg, type ProtocolRef } from '../run/load.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { resolveOptions, ScenarioError, type ScenarioOptions } from '../run/scenario.ts';
import { commandHelp, parseFlags, type Parsed, type Range } from './flags.ts';
import { scenarioFromFlags, UsageError } from './options.ts';
import { replayCommand } from './run.ts';
import { defaultShrinkBudget } from '../shrink/budget.ts';
import { describeShrink, shrinkAndSave } from '../shrink/counterexample.ts';
import { writeShrunkReport } from './shrink.ts';

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
  /** History-check budget per seed (and per shrink candidate) in model steps. */
  checkMaxStates?: number;
  shrink: boolean;
  shrinkRuns: number;
  corpusDir: string;
  json: boolean;
  /** Write an HTML report of each saved failure. */
  report: boolean;
}

/** `faultline explore`: returns the exit code. */
export async function exploreCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('explore', argv);
  if (values.help) {
    console.log(commandHelp('explore'));
    return 0;
  }
  const a = await argsOf(values, positionals);
  const { summary, planned } = await sweep(a);
  if (a.shrink) await shrinkGroups(a, summary.failures, planned, argv);
  if (a.json) console.log(JSON.stringify(summary, null, 2));
  else printSummary(a, summary);
  const failures = summary.counts.fail + summary.counts.hung + summary.counts.crashed;
  return failures > 0 ? 1 : summary.counts.unknown > 0 ? 3 : 0;
}

async function argsOf(values: Parsed<'explore'>['values'], positionals: string[]): Promise<ExploreArgs> {
  let resolved: Awaited<ReturnType<typeof resolveProtocolArg>>;
  try {
    resolved = await resolveProtocolArg(positionals[0], process.cwd());
  } catch (e) {
    if (e instanceof ProtocolLoadError) throw new UsageError(e.message);
    throw e;
  }
  const strategy = values.strategy ?? DEFAULT_STRATEGY;
  if (!isStrategy(strategy)) throw new UsageError(`unknown strategy '${strategy}' (--strategy)`);
  const pinned = Object.fromEntries(Object.entries(scenarioFromFlags(values)).filter(([, v]) => v !== undefined)) as Partial<ScenarioOptions>;
  let base: ScenarioOptions;
  try {
    base = resolveOptions(resolved.protocol, { ...resolved.config?.config.scenario, ...pinned });
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  const shard = values.shard ?? WHOLE;
  const timeBudgetMs = values.time;
  const plan = planOf(values.seeds, timeBudgetMs !== undefined, shard, blockSeedsOf(strategy));
  const workers = values.workers ?? Math.max(1, Math.min(defaultWorkers(), planSize(plan)));
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
    seedTimeoutMs: 1000 * (values['seed-timeout'] ?? 60),
    memoryLimitMb: values['worker-memory'] ?? DEFAULT_WORKER_MEMORY_MB,
    stopOnFail: !(values['keep-going'] ?? false),
    checkDeterminism: values['check-determinism'] ?? false,
    checkMaxStates: values['max-states'],
    shrink: !(values['no-shrink'] ?? false),
    shrinkRuns: values['shrink-runs'] ?? defaultShrinkBudget.maxRuns,
    corpusDir: values.corpus ?? resolved.config?.config.corpus ?? 'corpus',
    json: values.json ?? false,
    report: values.report ?? false,
  };
}

function planOf(seeds: Range | undefined, timed: boolean, shard: Shard, blockSeeds: number): SeedPlan & { from: number } {
  if (seeds === undefined) return timed ? { from: 0, shard, blockSeeds } : { from: 0, to: 999, shard, blockSeeds };
  return { from: seeds.min, to: seeds.max, shard, blockSeeds };
}

/** The command that re-runs one seed exactly as explored (its options, as the strategy drew them). */
function runCommandFor(a: ExploreArgs, o: ScenarioOptions): string {
  return replayCommand(a.protocol, o, a.refText, a.checkMaxStates);
}

async function sweep(a: ExploreArgs): Promise<{ summary: ExploreSummaryJson; planned: Planned }> {
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
  const planned = new Map<number, { options: ScenarioOptions; strategy?: StrategyRecord }>();
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
    checkMaxStates: a.checkMaxStates,
    stopOnFail: a.stopOnFail,
    onReport: (r: SeedReport) => {
      const fresh = builder.add(r);
      if (fresh) planned.set(r.seed, { options: r.options, strategy: r.strategy });
      if (r.status !== 'pass' && r.status !== 'unknown') failing++;
      if (fresh) say(`  seed ${r.seed}: ${r.status.toUpperCase()} ${fresh.check}: ${fresh.summary.split('\n')[0].slice(0, 160)}`);
      progress.update(builder.explored(), failing);
    },
  });
  progress.end();
  return { summary: builder.finish({ stoppedBy: result.stoppedBy, elapsedMs: result.elapsedMs }), planned };
}

function describePlan(a: ExploreArgs): string {
  const range = 'to' in a.plan && a.plan.to !== undefined ? `seeds ${a.plan.from}..${a.plan.to}` : `seeds from ${a.plan.from}`;
  const block = 'blockSeeds' in a.plan ? (a.plan.blockSeeds ?? 1) : 1;
  const slice = block > 1 ? `the ${a.strategy} campaigns of ${block} seeds numbered b = floor(s / ${block}) with b mod ${a.shard.count} = ${a.shard.index - 1}` : `seeds s with s mod ${a.shard.count} = ${a.shard.index - 1}`;
  const shard = a.shard.count > 1 ? ` (shard ${a.shard.index}/${a.shard.count}: ${slice})` : '';
  const time = a.timeBudgetMs !== undefined ? ` for ${formatDuration(a.timeBudgetMs)}` : '';
  return range + shard + time;
}

/** Each failure group's first seed: the options it ran under and the strategy record that drew them. */
type Planned = Map<number, { options: ScenarioOptions; strategy?: StrategyRecord }>;

/**
 * Shrinks each group's first seed, from the options it ran under (a feedback strategy's depend on
 * the sweep), and saves it with its strategy record; the pool's verdicts (hung, crashed) cannot be
 * re-run safely here.
 */
async function shrinkGroups(a: ExploreArgs, groups: FailureGroup[], planned: Planned, argv: string[]): Promise<void> {
  const say = (line: string) => (a.json ? console.error(line) : console.log(line));
  for (const g of groups) {
    if (g.status !== 'fail') continue;
    const seed = g.seeds[0].seed;
    const first = planned.get(seed);
    if (first === undefined) throw new Error(`assertion failed: no options recorded for seed ${seed}`);
    const report = await shrinkAndSave(a.protocol, { options: first.options }, {
      maxRuns: a.shrinkRuns,
      check: a.checkMaxStates === undefined ? {} : { checkMaxStates: a.checkMaxStates },
      corpusDir: a.corpusDir,
      createdBy: `faultline explore ${argv.join(' ')} [strategy ${a.strategy}, seed ${seed}]`,
      ...(first.strategy ? { strategy: first.strategy } : {}),
    });
    if (report.saved) {
      g.corpus = report.saved;
      g.replay = report.replay ?? g.replay;
      say(`  ${g.check}: seed ${seed} ${describeShrink(report.shrunk)}; saved ${report.saved}`);
      if (a.report) say(`  report ${await writeShrunkReport(a.protocol, report)}`);
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
