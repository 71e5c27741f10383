/**
 * Runs one in-process Maelstrom test on a worker thread, so the main thread can stop a node
 * program stuck in an endless synchronous loop (`runOnWorker`). The worker beats every few hundred
 * program calls; silence for `hangMs` of wall time during the simulation means hung (a wall-clock
 * safety net only: it decides nothing about a run that finishes; the history checks that follow
 * have budgets of their own and are not watched).
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { MaelstromTest } from './def.ts';
import type { Program, ProgramFactory } from './host.ts';
import { jsProgram } from './jsvm.ts';
import { runMaelstrom, type MaelstromRun, type ProgramSpec } from './runner.ts';

/** Program calls between two heartbeats. */
const BEAT_EVERY_CALLS = 256;

/**
 * Wraps a factory so that every program call counts towards a heartbeat.
 *
 * @example
 * const program = beating(jsProgram('./node.js', []), () => port.postMessage({ beat: true }));
 */
export function beating(factory: ProgramFactory, beat: () => void): ProgramFactory {
  let calls = 0;
  const tick = () => {
    if (++calls % BEAT_EVERY_CALLS === 0) beat();
  };
  return (ctx, id, sink) => {
    tick();
    const p = factory(ctx, id, sink);
    const wrapped: Program = {
      write: (line) => {
        tick();
        p.write(line);
      },
      stop: () => p.stop(),
      fireTimer: (timer) => {
        tick();
        p.fireTimer?.(timer);
      },
    };
    return wrapped;
  };
}

/** Outcome of a run on a worker: the run, or how long it had been silent when it was stopped. */
export type WorkerOutcome = { run: MaelstromRun } | { hungAfterMs: number };

/**
 * Runs the test on a worker thread; stops it after `hangMs` without a heartbeat.
 *
 * @example
 * const out = await runOnWorker(test, spec, 10_000);
 * if ('hungAfterMs' in out) console.log('a node program never returned');
 */
export function runOnWorker(test: MaelstromTest, spec: ProgramSpec, hangMs: number): Promise<WorkerOutcome> {
  // From sources a worker needs tsx registered first; compiled, it starts this module's own .js.
  const fromSources = import.meta.url.endsWith('.ts');
  const boot = new URL(fromSources ? './worker-boot.mjs' : './worker.js', import.meta.url);
  const entry = new URL('./worker.ts', import.meta.url).href;
  return new Promise((resolve, reject) => {
    const w = new Worker(boot, { workerData: { entry, maelstrom: true } });
    let last = Date.now();
    let done = false;
    const timer = setInterval(() => {
      if (Date.now() - last < hangMs) return;
      done = true;
      clearInterval(timer);
      void w.terminate();
      resolve({ hungAfterMs: Date.now() - last });
    }, Math.min(1000, hangMs));
    w.on('message', (m: { beat?: true; checking?: true; run?: MaelstromRun; error?: string }) => {
      last = Date.now();
      if (m.beat) return;
      if (m.checking) {
        // The simulation is over; the history checks have budgets of their own.
        clearInterval(timer);
        return;
      }
      done = true;
      clearInterval(timer);
      void w.terminate();
      if (m.run) resolve({ run: m.run });
      else reject(new Error(m.error));
    });
    w.on('error', (e) => {
      if (done) return;
      clearInterval(timer);
      reject(e);
    });
    w.postMessage({ test, spec });
  });
}

if (parentPort && (workerData as { maelstrom?: boolean } | null)?.maelstrom) {
  const port = parentPort;
  port.on('message', async (msg: { test: MaelstromTest; spec: ProgramSpec }) => {
    try {
      const program = beating(jsProgram(msg.spec.bin, msg.spec.args), () => port.postMessage({ beat: true }));
      const run = await runMaelstrom(msg.test, msg.spec, { recordTrace: true, program, onChecking: () => port.postMessage({ checking: true }) });
      port.postMessage({ run });
    } catch (e) {
      port.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
}
