import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadProtocol as loadRef, type ProtocolRef as LoadRef } from './load.ts';
import type { SimResult, SimStats } from '../sim/simulator.ts';
import type { ProtocolDef } from './protocol.ts';
import { runScenario, type RunResult, type Status } from './run.ts';
import type { ScenarioOptions } from './scenario.ts';

/** What one explored seed came to, as plain data (it crosses from worker threads). */
export interface SeedReport {
  seed: number;
  /** `hung`: the seed ran past its wall-clock watchdog (a handler that never returns). */
  status: Status | 'hung';
  failing: string[];
  fingerprint: string;
  outcome: SimResult['outcome'] | 'hung';
  error?: SimResult['error'];
  stats?: SimStats;
  checks: Array<{ checker: string; verdict: string; summary: string }>;
}

/**
 * Where a worker finds the protocol (plain data, see `load.ts`); a bare string is a bundled
 * protocol's name.
 */
export type ProtocolRef = string | LoadRef;

export interface ExploreConfig {
  protocol: ProtocolRef;
  base: ScenarioOptions;
  seeds: readonly number[];
  /** Worker threads; 0 runs in this thread (no watchdog). */
  workers: number;
  /** Wall-clock watchdog per seed, in worker mode: a protocol stuck inside one handler ends as `hung`. */
  seedTimeoutMs: number;
  /** Run every seed twice and compare fingerprints. */
  checkDeterminism: boolean;
  stopOnFail: boolean;
  /** Called once per seed, in seed order, whatever order the workers finish in. */
  onReport(report: SeedReport): void | Promise<void>;
}

export interface ExploreSummary {
  counts: Record<SeedReport['status'], number>;
  failingSeeds: number[];
  explored: number;
  elapsedMs: number;
}

/** The default worker count: every core, since seeds are independent. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Runs one seed in this thread and reduces it to a report (optionally twice, for determinism).
 *
 * @example
 * const report = await exploreSeed('abd', options, false);
 */
export async function exploreSeed(ref: ProtocolRef, options: ScenarioOptions, checkDeterminism: boolean): Promise<SeedReport> {
  const protocol = await loadProtocol(ref);
  const r = await runScenario(protocol, { options });
  const report = reportOf(r);
  if (checkDeterminism) {
    const again = await runScenario(protocol, { options });
    if (again.sim.fingerprint !== r.sim.fingerprint) {
      report.status = 'fail';
      report.failing.push('determinism');
      report.checks.push({
        checker: 'determinism',
        verdict: 'illegal',
        summary: `the same seed gave two fingerprints (${r.sim.fingerprint}, ${again.sim.fingerprint}): something outside ctx leaks into the protocol`,
      });
    }
  }
  return report;
}

/** Resolves a protocol reference (a registry name or a module export). */
export async function loadProtocol(ref: ProtocolRef): Promise<ProtocolDef> {
  return loadRef(typeof ref === 'string' ? { bundled: ref } : ref);
}

export function reportOf(r: RunResult): SeedReport {
  return {
    seed: r.options.seed,
    status: r.status,
    failing: [...r.failing],
    fingerprint: r.sim.fingerprint,
    outcome: r.sim.outcome,
    error: r.sim.error,
    stats: r.sim.stats,
    checks: r.checks.map((c) => ({ checker: c.checker, verdict: c.verdict, summary: c.summary })),
  };
}

/**
 * Explores many seeds, in this thread or on a pool of worker threads, reporting in seed order.
 * With `stopOnFail` it stops at the lowest failing seed, whatever the pool's timing.
 *
 * @example
 * await explore({ protocol: 'abd', base, seeds: [0, 1, 2], workers: 2, seedTimeoutMs: 60_000,
 *   checkDeterminism: false, stopOnFail: true, onReport: (r) => console.log(r.seed, r.status) });
 */
export async function explore(cfg: ExploreConfig): Promise<ExploreSummary> {
  const t0 = performance.now();
  const summary: ExploreSummary = {
    counts: { pass: 0, fail: 0, unknown: 0, hung: 0 },
    failingSeeds: [],
    explored: 0,
    elapsedMs: 0,
  };
  let stopped = false;
  const emit = async (r: SeedReport) => {
    summary.explored++;
    summary.counts[r.status]++;
    if (r.status !== 'pass') summary.failingSeeds.push(r.seed);
    await cfg.onReport(r);
    if (r.status !== 'pass' && r.status !== 'unknown' && cfg.stopOnFail) stopped = true;
  };
  if (cfg.workers <= 0) {
    for (const seed of cfg.seeds) {
      if (stopped) break;
      await emit(await exploreSeed(cfg.protocol, { ...cfg.base, seed }, cfg.checkDeterminism));
    }
  } else {
    await explorePool(cfg, emit, () => stopped);
  }
  summary.elapsedMs = performance.now() - t0;
  return summary;
}

// From sources (tsx, vitest) a worker registers tsx first, then loads the TypeScript worker;
// compiled, it starts the JavaScript worker directly.
const fromSources = import.meta.url.endsWith('.ts');
const bootUrl = fromSources ? new URL('./explore-worker-boot.mjs', import.meta.url) : new URL('./explore-worker.js', import.meta.url);
const workerEntry = new URL('./explore-worker.ts', import.meta.url).href;

async function explorePool(cfg: ExploreConfig, emit: (r: SeedReport) => Promise<void>, stopped: () => boolean): Promise<void> {
  const seeds = cfg.seeds;
  const done = new Map<number, SeedReport>();
  let nextToAssign = 0;
  let nextToEmit = 0;
  let emitting = Promise.resolve();
  let finish!: () => void;
  let fail!: (e: unknown) => void;
  const finished = new Promise<void>((res, rej) => {
    finish = res;
    fail = rej;
  });
  const pool = new Set<Worker>();

  // Reports leave in seed order: a finished seed waits for every earlier one.
  const flush = () => {
    emitting = emitting.then(async () => {
      while (nextToEmit < seeds.length && done.has(nextToEmit) && !stopped()) {
        const r = done.get(nextToEmit)!;
        done.delete(nextToEmit++);
        await emit(r);
      }
      if (stopped() || nextToEmit === seeds.length) {
        for (const w of pool) void w.terminate();
        pool.clear();
        finish();
      }
    }, fail);
  };

  const start = () => {
    const w = new Worker(bootUrl, { workerData: { entry: workerEntry } });
    pool.add(w);
    let current = -1;
    let watchdog: NodeJS.Timeout | undefined;
    const assign = () => {
      if (stopped() || nextToAssign >= seeds.length) {
        pool.delete(w);
        void w.terminate();
        return;
      }
      current = nextToAssign++;
      w.postMessage({ protocol: cfg.protocol, options: { ...cfg.base, seed: seeds[current] }, checkDeterminism: cfg.checkDeterminism });
      watchdog = setTimeout(() => {
        // Stuck inside protocol code: only killing the thread stops it. The seed gets its verdict.
        done.set(current, hungReport(seeds[current], cfg.seedTimeoutMs));
        pool.delete(w);
        void w.terminate();
        flush();
        if (!stopped()) start();
      }, cfg.seedTimeoutMs);
    };
    w.on('message', (msg: { report?: SeedReport; error?: string }) => {
      clearTimeout(watchdog);
      if (msg.error !== undefined) {
        fail(new Error(msg.error));
        return;
      }
      done.set(current, msg.report!);
      flush();
      assign();
    });
    w.on('error', (e) => {
      clearTimeout(watchdog);
      fail(e);
    });
    assign();
  };

  const n = Math.min(cfg.workers, seeds.length);
  if (n === 0) return;
  for (let i = 0; i < n; i++) start();
  try {
    await finished;
    await emitting;
  } finally {
    for (const w of pool) void w.terminate();
  }
}

function hungReport(seed: number, timeoutMs: number): SeedReport {
  const message = `no verdict after ${timeoutMs} ms of wall time: protocol code never returned from a handler (an infinite loop?)`;
  return {
    seed,
    status: 'hung',
    failing: ['hung'],
    fingerprint: '',
    outcome: 'hung',
    error: { message, timeMs: -1 },
    checks: [{ checker: 'hung', verdict: 'illegal', summary: message }],
  };
}
