/**
 * Runs one Maelstrom test end to end, in-process (JavaScript) or with processes, and gathers
 * what Maelstrom users expect besides the verdict: net stats and latency quantiles.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { pairOps } from '../../checkers/ops.ts';
import { runScenario, type RunResult } from '../run/run.ts';
import { shrink, type ShrinkResult } from '../shrink/shrink.ts';
import { tellStory, type Story } from '../report/story.ts';
import { maelstromInput, maelstromProtocol, type MaelstromTest } from './def.ts';
import type { MaelstromEntry } from './entry.ts';
import type { ProgramFactory } from './host.ts';
import { jsProgram } from './jsvm.ts';
import { ProcessControlObserver, ProcessPool, type ProcessOptions } from './process.ts';
import type { RunState } from './runstate.ts';
import { workloadByName } from './workloads.ts';

export type HostMode = 'in-process' | 'process';

export interface ProgramSpec {
  bin: string;
  args: string[];
  mode: HostMode;
}

export interface NetStats {
  /** Messages between nodes, between clients and nodes, and to and from services. */
  serverMsgs: number;
  clientMsgs: number;
  serviceMsgs: number;
  /** Server messages per client op that completed `ok`. */
  msgsPerOp: number;
  /** Protocol problems in the nodes' output. */
  problems: number;
}

export interface MaelstromRun {
  result: RunResult;
  mode: HostMode;
  net: NetStats;
  /** Latency (virtual ms) of `ok` ops: [quantile, ms] pairs, 0 to 1. */
  latency: Array<[number, number]>;
  /** Process mode: how many processes ran and which signals the nemesis sent. */
  processes?: { started: number; kill: number; stop: number; cont: number };
}

/** Bad input for a Maelstrom test (exit 2): a missing program, an impossible option. */
export class MaelstromUsageError extends Error {}


/**
 * The default host for a program: JavaScript files in-process, anything else as processes.
 *
 * @example
 * defaultMode('./node.py'); // 'process'
 */
export function defaultMode(bin: string): HostMode {
  return /\.(js|mjs|cjs)$/.test(bin) ? 'in-process' : 'process';
}

/**
 * Checks that `bin` can run in `mode`, or throws MaelstromUsageError naming the fix.
 *
 * @example
 * checkProgram({ bin: './node.py', args: [], mode: 'process' }); // throws if missing or not executable
 */
export function checkProgram(spec: ProgramSpec): void {
  const file = spec.bin;
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new MaelstromUsageError(`--bin ${file}: no such file (give the path to your node program, e.g. --bin ./node.py)`);
  }
  if (!isFile) throw new MaelstromUsageError(`--bin ${file}: not a file`);
  if (spec.mode === 'process') {
    try {
      accessSync(file, constants.X_OK);
    } catch {
      throw new MaelstromUsageError(`--bin ${file}: not executable (chmod +x ${file}, and start it with a #! line)`);
    }
  } else if (!/\.(js|mjs|cjs)$/.test(file)) {
    throw new MaelstromUsageError(`--bin ${file}: in-process mode runs JavaScript (.js, .mjs, .cjs) only; drop --in-process to run it as a process`);
  }
}

/**
 * Runs a test. Process mode always reaps its children, whatever happens.
 *
 * @example
 * const run = await runMaelstrom({ ...defaultTest, workload: 'echo' }, { bin: 'echo.js', args: [], mode: 'in-process' });
 * run.result.status; // 'pass' | 'fail' | 'unknown'
 */
export async function runMaelstrom(
  test: MaelstromTest,
  spec: ProgramSpec,
  opts: { recordTrace?: boolean; process?: ProcessOptions; program?: ProgramFactory; onChecking?: () => void } = {},
): Promise<MaelstromRun> {
  const workload = workloadByName(test.workload);
  if (spec.mode === 'in-process') {
    const def = maelstromProtocol({ workload, program: opts.program ?? jsProgram(spec.bin, spec.args), test, onChecking: opts.onChecking });
    const result = await runScenario(def, maelstromInput(def, test), { recordTrace: opts.recordTrace });
    return summarise(result, spec.mode, def.conduct()?.runState());
  }
  const pool = new ProcessPool(path.resolve(spec.bin), spec.args, opts.process ?? {});
  try {
    const def = maelstromProtocol({ workload, program: pool.factory, test, observers: () => [new ProcessControlObserver(pool)] });
    const result = await runScenario(def, maelstromInput(def, test), { recordTrace: opts.recordTrace, pace: pool.pace });
    const run = summarise(result, spec.mode, def.conduct()?.runState());
    run.processes = { started: pool.started, ...pool.signals };
    return run;
  } finally {
    await pool.close();
  }
}

function summarise(result: RunResult, mode: HostMode, run: RunState | undefined): MaelstromRun {
  const oks = result.sim.stats.ok;
  const net: NetStats = {
    serverMsgs: run?.serverMsgs ?? 0,
    clientMsgs: run?.clientMsgs ?? 0,
    serviceMsgs: run?.serviceMsgs ?? 0,
    msgsPerOp: oks > 0 ? (run?.serverMsgs ?? 0) / oks : 0,
    problems: run?.problemCount ?? 0,
  };
  return { result, mode, net, latency: latencyQuantiles(result) };
}

/**
 * Quantiles of `ok` op latency (virtual ms).
 *
 * @example
 * latencyQuantiles(run.result); // [[0, 2], [0.5, 2], [0.95, 7], [0.99, 9], [1, 12]]
 */
export function latencyQuantiles(r: RunResult): Array<[number, number]> {
  const ms = pairOps(r.sim.history)
    .filter((p) => p.outcome === 'ok')
    .map((p) => p.completion!.time - p.invoke.time)
    .sort((a, b) => a - b);
  const q = (x: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(x * ms.length))] : 0);
  return [0, 0.5, 0.95, 0.99, 1].map((x) => [x, q(x)]);
}

/**
 * Shrinks a failing in-process test to a minimal run that fails the same way, and tells its story.
 * Budgets: `maxRuns` runs, and `maxMs` of wall time as an outer safety net.
 *
 * @example
 * const { shrunk, story } = await shrinkMaelstrom(test, spec, { maxRuns: 500 });
 * console.log(story.text);
 */
export async function shrinkMaelstrom(test: MaelstromTest, spec: ProgramSpec, budget: { maxRuns: number; maxMs: number }): Promise<{ shrunk: ShrinkResult; story: Story | undefined }> {
  if (spec.mode !== 'in-process') throw new Error('only in-process runs shrink: a process run does not replay exactly');
  const def = maelstromProtocol({ workload: workloadByName(test.workload), program: jsProgram(spec.bin, spec.args), test });
  const shrunk = await shrink(def, maelstromInput(def, test), { maxRuns: budget.maxRuns, wallLimitMs: budget.maxMs });
  if (!shrunk.reproduced) return { shrunk, story: undefined };
  const traced = await runScenario(def, shrunk.input, { recordTrace: true });
  return { shrunk, story: tellStory(traced, `shrunk ${test.workload} failure, seed ${test.seed}`) };
}

/**
 * Replays an entry's explicit input (plans and tape): the fingerprint matches the recorded one
 * unless the program or Faultline changed.
 *
 * @example
 * const { run, same } = await replayEntry(loadEntry('entry.json'));
 */
export async function replayEntry(loaded: { entry: MaelstromEntry; spec: ProgramSpec }, recordTrace = false): Promise<{ result: RunResult; same: boolean }> {
  const { entry, spec } = loaded;
  const def = maelstromProtocol({ workload: workloadByName(entry.test.workload), program: jsProgram(spec.bin, spec.args), test: entry.test });
  const result = await runScenario(def, entry.input, { recordTrace });
  return { result, same: result.sim.fingerprint === entry.expected.fingerprint };
}
