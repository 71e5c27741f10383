import { promiseHooks } from 'node:v8';

/**
 * Exact settling of async protocol code. While a run is in progress, V8 promise hooks count the
 * promises created or settled and the promise jobs run. After an event whose handling created a promise (an
 * async handler, a fire-and-forget async call, `ctx.sleep`, `ctx.call`) or resolved one, the
 * simulator calls `settle()`: a marker microtask re-queues itself behind whatever the round's jobs
 * queued, until a round runs no job at all. Then the microtask queue is empty: every continuation
 * the event caused has run at the event's virtual time, however deep its await chain. Callback-style
 * protocols create no promises, so they never pay for it.
 *
 * @example
 * const stop = trackMicrotasks();
 * const before = promisesCreated;
 * await settle(1_000_000); // true: the queue is empty
 * stop();
 */

/** Promises created or settled while tracking (a live binding: compare it before and after protocol code). */
export let promisesCreated = 0;
/** Promise jobs (and tracked `queueMicrotask` callbacks) run while tracking. */
let jobsRun = 0;
let users = 0;
let stopHooks: Array<Function> = [];

const realQueueMicrotask = globalThis.queueMicrotask;

/** Starts counting (nested runs share one install); returns the function that stops it. */
export function trackMicrotasks(): () => void {
  if (users++ === 0) {
    stopHooks = [
      promiseHooks.onInit(() => {
        promisesCreated++;
      }),
      promiseHooks.onBefore(() => {
        jobsRun++;
      }),
      // A sync handler that calls a stored `resolve` creates no promise but queues the awaiting
      // continuation: a settlement is promise activity too, so it triggers settling.
      promiseHooks.onSettled(() => {
        promisesCreated++;
      }),
    ];
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (--users === 0) {
      for (const stop of stopHooks) (stop as () => void)();
      stopHooks = [];
    }
  };
}

/** Marks that protocol code queued a microtask the promise hooks cannot see (`queueMicrotask`). */
export function noteMicrotaskQueued(): void {
  promisesCreated++;
}

/** Counts a tracked microtask as it runs (see the guard's `queueMicrotask`). */
export function noteMicrotaskRun(): void {
  jobsRun++;
}

/**
 * Resolves once the microtask queue is empty, with the number of rounds it took, or -1 if jobs were
 * still running after `maxRounds` rounds (an endless async loop: the caller ends the run).
 */
export function settle(maxRounds: number): Promise<number> {
  if (users === 0) throw new Error('assertion failed: settle() needs trackMicrotasks() first (it counts promise jobs)');
  if (!(maxRounds >= 1)) throw new Error(`assertion failed: settle bound ${maxRounds}`);
  return new Promise((resolve) => {
    let seen = jobsRun;
    let rounds = 0;
    const marker = (): void => {
      if (jobsRun === seen) {
        resolve(rounds);
      } else if (++rounds > maxRounds) {
        resolve(-1);
      } else {
        seen = jobsRun;
        realQueueMicrotask(marker);
      }
    };
    realQueueMicrotask(marker);
  });
}
