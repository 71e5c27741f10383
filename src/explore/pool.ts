import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ScenarioOptions } from '../run/scenario.ts';
import { lostReport, type SeedReport } from './report.ts';
import type { SeedTask } from './seed.ts';

/** The default worker count: every core, since seeds are independent. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** A worker's heap limit by default: far above any bundled protocol's need, far below the machine's. */
export const DEFAULT_WORKER_MEMORY_MB = 1024;

export interface PoolSettings {
  workers: number;
  /** Wall-clock watchdog per seed: past it the worker is terminated and the seed ends `hung`. */
  seedTimeoutMs: number;
  /** Old-generation heap limit of each worker (worker `resourceLimits`): past it the seed ends `crashed`. */
  memoryLimitMb: number;
}

/** A harness error inside a worker (not the protocol's fault): the sweep stops with exit 70. */
export class WorkerHarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerHarnessError';
  }
}

/** Extra wall time a seed's worker may take to boot (load tsx and the protocol) before the watchdog starts. */
const BOOT_ALLOWANCE_MS = 120_000;

// From sources (tsx, vitest) a worker registers tsx first, then loads the TypeScript task;
// compiled, it starts the JavaScript task directly.
const fromSources = import.meta.url.endsWith('.ts');
const bootUrl = new URL(fromSources ? './worker-boot.mjs' : './worker.js', import.meta.url).href;
const workerEntry = new URL('./worker.ts', import.meta.url).href;

/**
 * Seeds on worker threads (piscina). Each seed gets a verdict, whatever its worker does: a seed
 * past the watchdog is aborted (piscina terminates that worker and starts a fresh one) and ends
 * `hung`; a worker that dies under a seed (out of memory, process.exit) is replaced the same way
 * and the seed ends `crashed`. Only a harness error stops the sweep.
 *
 * @example
 * const pool = new SeedPool({ workers: 2, seedTimeoutMs: 60_000, memoryLimitMb: 1024 });
 * const report = await pool.run(task, options);
 * await pool.close();
 */
export class SeedPool {
  private readonly piscina: Piscina;
  private readonly inFlight = new Set<AbortController>();
  private poolError: WorkerHarnessError | undefined;

  constructor(private readonly settings: PoolSettings) {
    if (!(settings.workers >= 1)) throw new Error(`assertion failed: a pool needs at least one worker, got ${settings.workers}`);
    this.piscina = new Piscina({
      filename: bootUrl,
      workerData: { entry: workerEntry },
      minThreads: settings.workers,
      maxThreads: settings.workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: settings.memoryLimitMb },
    });
    this.piscina.on('error', (e: unknown) => this.onPoolError(e));
  }

  /**
   * Piscina reports on the pool, not on a task, a result that reaches it for a task it no longer
   * tracks: a seed aborted (watchdog, cancel) whose worker had already answered. That seed already
   * has its verdict, so the late answer is dropped; any other pool error is a harness error, thrown
   * by the next `run` (unhandled, it would kill the whole process).
   */
  private onPoolError(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (message.startsWith('Unexpected message from Worker')) return;
    this.poolError ??= new WorkerHarnessError(`the worker pool failed: ${message}`);
  }

  /** How many seeds it runs at once. */
  get workers(): number {
    return this.settings.workers;
  }

  /**
   * Runs one seed; `options` are the seed's options (for the report of a seed the pool lost).
   * Resolves `null` when `cancel()` stopped it.
   */
  async run(task: SeedTask, options: ScenarioOptions): Promise<SeedReport | null> {
    if (this.poolError !== undefined) throw this.poolError;
    const abort = new AbortController();
    this.inFlight.add(abort);
    // The watchdog times the seed, not a worker's boot (tsx, imports): it starts when the worker
    // says it took the task. A worker that never boots is caught by the outer, longer limit.
    const started = new MessageChannel();
    let watchdog = setTimeout(() => abort.abort('hung'), this.settings.seedTimeoutMs + BOOT_ALLOWANCE_MS);
    started.port1.once('message', () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => abort.abort('hung'), this.settings.seedTimeoutMs);
    });
    try {
      const answer = (await this.piscina.run({ ...task, started: started.port2 }, { signal: abort.signal, transferList: [started.port2] })) as {
        report?: SeedReport;
        error?: string;
      };
      if (answer.error !== undefined) throw new WorkerHarnessError(answer.error);
      return answer.report!;
    } catch (e) {
      if (e instanceof WorkerHarnessError) throw e;
      if (abort.signal.aborted) return abort.signal.reason === 'hung' ? this.hung(options) : null;
      return this.lost(options, e as NodeJS.ErrnoException);
    } finally {
      clearTimeout(watchdog);
      started.port1.close();
      this.inFlight.delete(abort);
    }
  }

  /** Stops every seed in flight (their `run` resolves `null`); their workers are replaced. */
  cancel(): void {
    for (const a of this.inFlight) a.abort('cancelled');
  }

  /** Terminates every worker. */
  async close(): Promise<void> {
    this.cancel();
    await this.piscina.destroy();
  }

  private hung(options: ScenarioOptions): SeedReport {
    const ms = this.settings.seedTimeoutMs;
    return lostReport(options, 'hung', 'hung', `no verdict after ${ms} ms of wall time: protocol code never returned from a handler (an infinite loop?)`);
  }

  private lost(options: ScenarioOptions, e: NodeJS.ErrnoException): SeedReport {
    if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      const mb = this.settings.memoryLimitMb;
      return lostReport(options, 'crashed', 'out-of-memory', `crashed: out of memory: the run passed the worker's ${mb} MB heap limit (unbounded allocation in the protocol? --worker-memory raises the limit)`);
    }
    return lostReport(options, 'crashed', 'worker-died', `crashed: the worker thread running this seed died: ${e.message}`);
  }
}
