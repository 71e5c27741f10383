import type { MessagePort } from 'node:worker_threads';
import { exploreSeed, type SeedTask } from './seed.ts';
import type { SeedReport } from './report.ts';

/**
 * The pool's task: one seed in, its report out. A harness error (not the protocol's: those end
 * as the run's verdict) comes back as `{ error }`, so the sweep stops with exit 70 instead of
 * blaming the seed; a worker that dies (out of memory, exit) is the pool's to report.
 */
export default async function runSeedTask(task: SeedTask & { started?: MessagePort }): Promise<{ report?: SeedReport; error?: string }> {
  // Tell the pool its watchdog may start now: this worker has booted and taken the seed.
  task.started?.postMessage(0);
  task.started?.close();
  try {
    return { report: await exploreSeed(task) };
  } catch (e) {
    return { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}
