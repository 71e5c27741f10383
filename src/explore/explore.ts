import type { ScenarioOptions } from '../run/scenario.ts';
import { SeedPool, DEFAULT_WORKER_MEMORY_MB } from './pool.ts';
import { isFailure, type SeedReport, type SeedStatus } from './report.ts';
import { exploreSeed, loadProtocol, type ProtocolRef, type SeedTask } from './seed.ts';
import { seedAt, type SeedPlan } from './seeds.ts';
import { schedulerFor, type SeedScheduler, type StrategyName } from './strategies/index.ts';

export interface ExploreConfig {
  protocol: ProtocolRef;
  base: ScenarioOptions;
  /** Options given explicitly (strategies leave them as given); default none. */
  pinned?: Partial<ScenarioOptions>;
  /** Default `random`. */
  strategy?: StrategyName;
  /** A list of seeds, or a plan (a range, a shard's slice of it, or an endless one for a time budget). */
  seeds: readonly number[] | SeedPlan;
  /** Wall-clock budget: no seed starts after it (the seeds that ran are still a prefix, in order). */
  timeBudgetMs?: number;
  /** Worker threads; 0 runs in this thread (no watchdog, no memory limit). */
  workers: number;
  /** Wall-clock watchdog per seed, in worker mode: a protocol stuck inside one handler ends as `hung`. */
  seedTimeoutMs: number;
  /** Heap limit per worker (default 1024 MB): a seed past it ends `crashed: out of memory`. */
  memoryLimitMb?: number;
  /**
   * A pool to reuse across sweeps (benchmarks, test helpers): saves booting workers each time.
   * Its own settings (workers, watchdog, memory) then apply; the caller closes it.
   */
  pool?: SeedPool;
  /** Run every seed twice and compare fingerprints. */
  checkDeterminism: boolean;
  /** History-check budget per seed in model steps (default: the checker's). */
  checkMaxStates?: number;
  /** Stop at the lowest failing seed (`fail`, `hung` or `crashed`). */
  stopOnFail: boolean;
  /** Called once per seed, in seed order, whatever order the workers finish in. */
  onReport(report: SeedReport): void | Promise<void>;
}

export interface ExploreSummary {
  counts: Record<SeedStatus, number>;
  failingSeeds: number[];
  explored: number;
  elapsedMs: number;
  /** Why the sweep ended. */
  stoppedBy: 'done' | 'failure' | 'time';
}

/**
 * Explores many seeds, in this thread or on a pool of worker threads, reporting in seed order.
 * With `stopOnFail` it stops at the lowest failing seed, whatever the pool's timing, so the
 * reports (and the summary but for `elapsedMs`) are the same for any worker count.
 *
 * @example
 * await explore({ protocol: 'abd', base, seeds: [0, 1, 2], workers: 2, seedTimeoutMs: 60_000,
 *   checkDeterminism: false, stopOnFail: true, onReport: (r) => console.log(r.seed, r.status) });
 */
export async function explore(cfg: ExploreConfig): Promise<ExploreSummary> {
  const t0 = performance.now();
  const summary: ExploreSummary = {
    counts: { pass: 0, fail: 0, unknown: 0, hung: 0, crashed: 0 },
    failingSeeds: [],
    explored: 0,
    elapsedMs: 0,
    stoppedBy: 'done',
  };
  const protocol = await loadProtocol(cfg.protocol);
  const scheduler = schedulerFor(cfg.strategy ?? 'random', protocol, cfg.base, cfg.pinned ?? {});
  const plan = planOf(cfg.seeds, scheduler);
  const taskOf = (seed: number, options: ScenarioOptions): SeedTask => ({
    protocol: cfg.protocol,
    base: cfg.base,
    pinned: cfg.pinned ?? {},
    strategy: cfg.strategy ?? 'random',
    seed,
    checkDeterminism: cfg.checkDeterminism,
    checkMaxStates: cfg.checkMaxStates,
    options,
    ...(scheduler.wantsCoverage ? { coverage: true } : {}),
  });
  const state: SweepState = {
    stopped: false,
    outOfTime: () => cfg.timeBudgetMs !== undefined && performance.now() - t0 >= cfg.timeBudgetMs,
    emit: async (r) => {
      summary.explored++;
      summary.counts[r.status]++;
      if (r.status !== 'pass') summary.failingSeeds.push(r.seed);
      scheduler.feed(r);
      await cfg.onReport(r);
      if (cfg.stopOnFail && isFailure(r.status)) {
        state.stopped = true;
        summary.stoppedBy = 'failure';
      }
    },
  };
  if (cfg.workers <= 0) {
    for (let i = 0; !state.stopped; i++) {
      const seed = seedAt(plan, i);
      if (seed === undefined) break;
      if (state.outOfTime()) {
        summary.stoppedBy = 'time';
        break;
      }
      const planned = scheduler.plan(seed);
      const report = await exploreSeed(taskOf(seed, planned.options));
      await state.emit({ ...report, strategy: planned.strategy });
    }
  } else {
    const pool = cfg.pool ?? new SeedPool({ workers: cfg.workers, seedTimeoutMs: cfg.seedTimeoutMs, memoryLimitMb: cfg.memoryLimitMb ?? DEFAULT_WORKER_MEMORY_MB });
    try {
      const run = async (seed: number) => {
        const planned = scheduler.plan(seed);
        const report = await pool.run(taskOf(seed, planned.options), planned.options);
        return report === null ? null : { ...report, strategy: planned.strategy };
      };
      // Seeds past the lowest failure are not wanted: an owned pool stops them at once (it is torn
      // down anyway); a reused one lets them finish rather than reboot its workers.
      const cancel = cfg.pool === undefined ? () => pool.cancel() : () => {};
      if (await sweepOnPool(plan, pool.workers, run, state, cancel, scheduler)) summary.stoppedBy = 'time';
    } finally {
      if (cfg.pool === undefined) await pool.close();
    }
  }
  summary.elapsedMs = performance.now() - t0;
  return summary;
}

/** The sweep's plan; a feedback strategy's shards take whole campaigns, and a list must be in seed order for it. */
function planOf(seeds: ExploreConfig['seeds'], scheduler: SeedScheduler): SeedPlan {
  if (Array.isArray(seeds)) {
    const list = seeds as readonly number[];
    if (scheduler.wantsCoverage && list.some((s, i) => i > 0 && s <= list[i - 1])) {
      throw new Error('assertion failed: a feedback strategy explores a list of seeds in increasing order');
    }
    return { list };
  }
  const plan = seeds as SeedPlan;
  return 'from' in plan && plan.blockSeeds === undefined && scheduler.blockSeeds > 1 ? { ...plan, blockSeeds: scheduler.blockSeeds } : plan;
}

interface SweepState {
  stopped: boolean;
  outOfTime(): boolean;
  emit(r: SeedReport): Promise<void>;
}

/**
 * `lanes` loops, each taking the next seed in plan order; finished reports wait for every earlier
 * one, so they leave in seed order. A seed whose plan needs earlier seeds' reports (a feedback
 * strategy) waits for them to be emitted first. Returns true if the time budget ended the sweep.
 */
async function sweepOnPool(
  plan: SeedPlan,
  lanes: number,
  run: (seed: number) => Promise<SeedReport | null>,
  state: SweepState,
  cancel: () => void,
  scheduler: SeedScheduler,
): Promise<boolean> {
  const done = new Map<number, SeedReport>();
  let nextToStart = 0;
  let nextToEmit = 0;
  let timeUp = false;
  let emitting = Promise.resolve();
  let waiting: Array<() => void> = [];
  const wake = () => {
    const w = waiting;
    waiting = [];
    for (const resolve of w) resolve();
  };
  const flush = () => {
    emitting = emitting.then(async () => {
      while (!state.stopped && done.has(nextToEmit)) {
        const r = done.get(nextToEmit)!;
        done.delete(nextToEmit++);
        await state.emit(r);
      }
      // Seeds after the lowest failure are no longer wanted: stop them now rather than wait.
      if (state.stopped) cancel();
      wake();
    });
  };
  // Every seed below the bound emitted: the lowest seed not yet emitted is at or past it.
  const ready = (seed: number) => scheduler.dependsOnSeedsBelow(seed) <= (seedAt(plan, nextToEmit) ?? Number.POSITIVE_INFINITY);
  const lane = async () => {
    for (;;) {
      if (state.stopped) return;
      const seed = seedAt(plan, nextToStart);
      if (seed === undefined) return;
      if (state.outOfTime()) {
        timeUp = true;
        return;
      }
      const index = nextToStart++;
      // The seeds it waits for were taken earlier by lanes that do not wait on it: no deadlock.
      while (!state.stopped && !ready(seed)) await new Promise<void>((resolve) => waiting.push(resolve));
      if (state.stopped) return;
      const report = await run(seed);
      if (report === null || state.stopped) return;
      done.set(index, report);
      flush();
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  await emitting;
  return timeUp && !state.stopped;
}
