/**
 * `faultline maelstrom test`: Maelstrom's command line (same flag names and meanings where they
 * exist), run under Faultline's seeded simulation. Prints each checker's `:valid?`, net stats,
 * latency quantiles, availability, the seed and the replay command; writes the history, faults,
 * checks and trace under --out.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONSISTENCY_MODELS } from '../../checkers/index.ts';
import { describeFault } from '../faults/index.ts';
import { writeAtomic, writeRunDir } from '../run/output.ts';
import { UsageError } from '../cli/flags.ts';
import { defaultTest, parseMaelstromNemesis, maelstromNemeses, type MaelstromTest } from './def.ts';
import { EntryError, loadEntry, makeEntry } from './entry.ts';
import { checkProgram, defaultMode, MaelstromUsageError, replayEntry, runMaelstrom, shrinkMaelstrom, type MaelstromRun, type ProgramSpec } from './runner.ts';
import { makeTopology, topologyNames } from './topology.ts';
import { StallError } from './process.ts';
import { runOnWorker } from './worker.ts';
import { refusedWorkloads, workloadByName, workloads } from './workloads.ts';

export const maelstromHelp = `faultline maelstrom test -w WORKLOAD --bin PROGRAM [options] [-- PROGRAM ARGS...]
faultline maelstrom replay ENTRY.json      re-run an in-process run from its recorded plans and tape

Runs a Maelstrom node program (unmodified) under Faultline's seeded network and nemesis.
JavaScript programs (.js, .mjs, .cjs) run in-process by default: fully deterministic, a seed
replays the run bit for bit. Any other program runs as one process per node (--process forces it):
deliveries, drops and faults still come from the seed, but a process's own timers and threads are
outside Faultline's control, so a process run reproduces the schedule of deliveries, not every
internal interleaving.

Maelstrom's options:
  -w, --workload NAME     ${Object.keys(workloads).join(', ')}
  --bin PATH              the node program (its own arguments go after --)
  --node-count N          nodes n0..n{N-1} (default ${defaultTest.nodeCount})
  --time-limit S          seconds of client ops before the final heal (default ${defaultTest.timeLimitS})
  --rate R                client ops per second, all clients together (default ${defaultTest.rate})
  --concurrency N|Kn      client count, e.g. 4 or 2n (= 2 x node count) (default ${defaultTest.concurrency})
  --latency MS            mean one-way latency between nodes (default 0)
  --latency-dist D        uniform (0..2 x latency, default) or constant
  --nemesis LIST          ${Object.keys(maelstromNemeses).join(', ')} (or Faultline's fault names)
  --nemesis-interval S    mean seconds between faults (default ${defaultTest.nemesisIntervalS})
  --topology T            broadcast topology: ${topologyNames.join(', ')} (default grid)
  --consistency-models M txn workloads: the model to check (default strict-serializable; one of
                          ${Object.keys(CONSISTENCY_MODELS).join(', ')})
  --availability A        fail unless at least this fraction of ops succeed (0..1, or total = 1)
  --log-stderr            print the nodes' stderr lines
  --seed N                the run's seed (default 0)
Faultline's options:
  --process | --in-process   how to host the program (default: in-process for JavaScript)
  --op-timeout MS         a client op unanswered this long is recorded as info (default ${defaultTest.opTimeoutMs})
  --final-wait MS         wait after the heal before the final reads (default ${defaultTest.finalWaitMs})
  --out DIR               where to write summary, history, faults, checks, trace (default out/maelstrom/WORKLOAD-seed-N)
  --json                  print the summary as JSON
  --hang-timeout S        in-process: stop a run when no node program call has returned for S
                          seconds of wall time during the simulation (an endless loop) and report
                          it hung (default 10; the history checks after it are not watched)
  --no-shrink             in-process: do not shrink a failing run (by default it is shrunk,
                          within 500 runs or 60 s, and its story printed)

Exit codes: 0 valid, 1 invalid (a checker failed or a node misbehaved), 2 bad usage, 3 unknown.`;

const flags = {
  workload: { type: 'string', short: 'w' },
  bin: { type: 'string' },
  'node-count': { type: 'string' },
  'time-limit': { type: 'string' },
  rate: { type: 'string' },
  concurrency: { type: 'string' },
  latency: { type: 'string' },
  'latency-dist': { type: 'string' },
  nemesis: { type: 'string' },
  'nemesis-interval': { type: 'string' },
  topology: { type: 'string' },
  availability: { type: 'string' },
  'log-stderr': { type: 'boolean' },
  seed: { type: 'string' },
  process: { type: 'boolean' },
  'in-process': { type: 'boolean' },
  'op-timeout': { type: 'string' },
  'final-wait': { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  'no-shrink': { type: 'boolean' },
  'hang-timeout': { type: 'string' },
  'consistency-models': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function num(flag: string, v: string | undefined, fallback: number, min: number, integer: boolean): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag} takes ${integer ? 'a whole number' : 'a number'} >= ${min}, got '${v}'`);
  }
  return n;
}

/**
 * Parses the command line into a test and a program, or throws UsageError.
 *
 * @example
 * parseTestArgs(['test', '-w', 'echo', '--bin', './echo.js']); // { test, spec, values }
 */
export function parseTestArgs(argv: string[]): { test: MaelstromTest; spec: ProgramSpec; values: Record<string, unknown> } | 'help' {
  // Program arguments that look like flags go after `--`.
  const dashes = argv.indexOf('--');
  const programArgs = dashes >= 0 ? argv.slice(dashes + 1) : [];
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: typeof flags }>>;
  try {
    parsed = parseArgs({ args: dashes >= 0 ? argv.slice(0, dashes) : argv, allowPositionals: true, strict: true, options: flags });
  } catch (e) {
    // A program's own flags go after `--`; anything else unknown is a usage error.
    throw new UsageError(`maelstrom test: ${(e as Error).message.split('\n')[0]} (program arguments go after --; faultline maelstrom test --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals[0] !== 'test') throw new UsageError(`maelstrom takes the subcommand 'test' or 'replay', got ${positionals[0] ? `'${positionals[0]}'` : 'none'} (faultline maelstrom test --help)`);
  if (!values.workload) throw new UsageError(`maelstrom test needs -w WORKLOAD: choose from ${Object.keys(workloads).join(', ')}`);
  if (values.workload in refusedWorkloads || !(values.workload in workloads)) {
    try {
      workloadByName(values.workload);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (!values.bin) throw new UsageError('maelstrom test needs --bin PATH: the node program to run');
  const nodeCount = num('node-count', values['node-count'], defaultTest.nodeCount, 1, true);
  if (nodeCount > 100) throw new UsageError(`--node-count ${nodeCount} is more than 100 nodes`);
  const conc = values.concurrency;
  let concurrency = defaultTest.concurrency;
  if (conc !== undefined) {
    const m = /^(\d+)(n?)$/.exec(conc.trim());
    if (!m || Number(m[1]) < 1) throw new UsageError(`--concurrency takes a count (4) or a multiple of the node count (2n), got '${conc}'`);
    concurrency = Number(m[1]) * (m[2] ? nodeCount : 1);
  }
  const dist = values['latency-dist'] ?? 'uniform';
  if (dist !== 'uniform' && dist !== 'constant') throw new UsageError(`--latency-dist '${dist}' is not supported: choose from uniform, constant`);
  const topology = values.topology ?? defaultTest.topology;
  const test: MaelstromTest = {
    workload: values.workload,
    nodeCount,
    timeLimitS: num('time-limit', values['time-limit'], defaultTest.timeLimitS, 0.001, false),
    rate: num('rate', values.rate, defaultTest.rate, 0.001, false),
    concurrency,
    latencyMs: num('latency', values.latency, defaultTest.latencyMs, 0, true),
    latencyDist: dist,
    nemesis: [],
    nemesisIntervalS: num('nemesis-interval', values['nemesis-interval'], defaultTest.nemesisIntervalS, 0.001, false),
    topology,
    seed: num('seed', values.seed, 0, 0, true),
    opTimeoutMs: num('op-timeout', values['op-timeout'], defaultTest.opTimeoutMs, 1, true),
    finalWaitMs: num('final-wait', values['final-wait'], defaultTest.finalWaitMs, 0, true),
    consistency: values['consistency-models'] ?? defaultTest.consistency,
  };
  if (!(test.consistency in CONSISTENCY_MODELS)) throw new UsageError(`unknown consistency model '${test.consistency}': choose from ${Object.keys(CONSISTENCY_MODELS).join(', ')}`);
  try {
    test.nemesis = parseMaelstromNemesis(values.nemesis ?? '');
    makeTopology(topology, nodeCount);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.process && values['in-process']) throw new UsageError('give --process or --in-process, not both');
  const mode = values.process ? 'process' : values['in-process'] ? 'in-process' : defaultMode(values.bin);
  const spec: ProgramSpec = { bin: values.bin, args: [...positionals.slice(1), ...programArgs], mode };
  if (mode === 'process' && test.nemesis.some((n) => n.startsWith('clock'))) {
    throw new UsageError('--nemesis clock cannot reach a process\'s own clock (it reads the real one): drop clock, or run a JavaScript node in-process');
  }
  try {
    checkProgram(spec);
  } catch (e) {
    if (e instanceof MaelstromUsageError) throw new UsageError(e.message);
    throw e;
  }
  return { test, spec, values };
}

/**
 * The command line that replays a test.
 *
 * @example
 * replayLine(test, spec); // 'faultline maelstrom test -w echo --bin ./echo.js ... --seed 0'
 */
export function replayLine(test: MaelstromTest, spec: ProgramSpec): string {
  const parts = ['faultline maelstrom test', '-w', test.workload, '--bin', spec.bin];
  parts.push('--node-count', String(test.nodeCount), '--time-limit', String(test.timeLimitS), '--rate', String(test.rate));
  parts.push('--concurrency', String(test.concurrency), '--latency', String(test.latencyMs));
  if (test.latencyDist !== 'uniform') parts.push('--latency-dist', test.latencyDist);
  if (test.nemesis.length) parts.push('--nemesis', test.nemesis.join(','), '--nemesis-interval', String(test.nemesisIntervalS));
  if (test.topology !== defaultTest.topology) parts.push('--topology', test.topology);
  if (test.opTimeoutMs !== defaultTest.opTimeoutMs) parts.push('--op-timeout', String(test.opTimeoutMs));
  if (test.finalWaitMs !== defaultTest.finalWaitMs) parts.push('--final-wait', String(test.finalWaitMs));
  if (test.consistency !== defaultTest.consistency) parts.push('--consistency-models', test.consistency);
  if (spec.mode !== defaultMode(spec.bin)) parts.push(spec.mode === 'process' ? '--process' : '--in-process');
  parts.push('--seed', String(test.seed));
  if (spec.args.length) parts.push('--', ...spec.args);
  return parts.join(' ');
}

/** Availability: the fraction of ops that completed `ok`. */
function availabilityOf(run: MaelstromRun): number {
  const s = run.result.sim.stats;
  const total = s.ok + s.fail + s.info;
  return total === 0 ? 1 : s.ok / total;
}

/** Faultline node ids (`n1..`) in a text, as the Maelstrom ids (`n0..`) of the nodes they host. */
function maelstromNames(text: string): string {
  return text.replace(/\bn(\d+)\b/g, (_m, d: string) => `n${Number(d) - 1}`);
}

/** `faultline maelstrom replay FILE`: re-runs an entry; exit 1 if it fails, 70 if it no longer matches. */
async function replayCommand(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0].startsWith('-')) throw new UsageError('maelstrom replay takes one entry file, e.g. faultline maelstrom replay out/maelstrom/echo-seed-0/entry.json');
  let loaded: ReturnType<typeof loadEntry>;
  try {
    loaded = loadEntry(argv[0]);
    checkProgram(loaded.spec);
    workloadByName(loaded.entry.test.workload);
  } catch (e) {
    if (e instanceof EntryError || e instanceof MaelstromUsageError || e instanceof Error) throw new UsageError((e as Error).message);
    throw e;
  }
  const { result, same } = await replayEntry(loaded, true);
  for (const c of result.checks) console.log(`  ${c.checker.padEnd(20)} :valid? ${(c.verdict === 'ok' ? 'true' : c.verdict === 'illegal' ? 'false' : ':unknown').padEnd(8)} ${c.summary}`);
  console.log(`  fingerprint ${result.sim.fingerprint} ${same ? '(same as recorded)' : `(recorded ${loaded.entry.expected.fingerprint}: the program or Faultline changed)`}`);
  console.log(result.status === 'pass' ? 'valid' : result.status === 'fail' ? `INVALID: ${result.failing.join(', ')}` : 'unknown');
  return result.status === 'pass' ? 0 : result.status === 'fail' ? 1 : 3;
}

/**
 * `faultline maelstrom ...`: returns the exit code.
 *
 * @example
 * process.exitCode = await maelstromCommand(['test', '-w', 'echo', '--bin', './echo.js']);
 */
export async function maelstromCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'replay') return replayCommand(argv.slice(1));
  const parsed = parseTestArgs(argv);
  if (parsed === 'help') {
    console.log(maelstromHelp);
    return 0;
  }
  const { test, spec, values } = parsed;
  const wanted = values.availability === undefined ? undefined : values.availability === 'total' ? 1 : num('availability', values.availability as string, 0, 0, false);
  if (wanted !== undefined && wanted > 1) throw new UsageError(`--availability takes a fraction in [0, 1] or 'total', got '${values.availability}'`);
  if (spec.mode === 'process') {
    console.error('note: process mode: deliveries and faults come from the seed, but each process\'s own timers and threads are outside Faultline\'s control.');
  }
  let run: MaelstromRun;
  if (spec.mode === 'in-process') {
    // On a worker thread, so a node program in an endless loop can be stopped.
    const hangS = num('hang-timeout', values['hang-timeout'] as string | undefined, 10, 0.1, false);
    const out = await runOnWorker(test, spec, hangS * 1000);
    if ('hungAfterMs' in out) {
      console.log(`maelstrom ${test.workload}: ${spec.bin} on ${test.nodeCount} nodes (in-process), seed ${test.seed}`);
      console.log(`  hung: a node program did not return for ${(out.hungAfterMs / 1000).toFixed(1)} s of wall time (an endless loop?); the run was stopped`);
      console.log(`  replay     ${replayLine(test, spec)}`);
      console.log('INVALID: hung');
      return 1;
    }
    run = out.run;
  } else {
    try {
      run = await runMaelstrom(test, spec, { recordTrace: true });
    } catch (e) {
      if (!(e instanceof StallError)) throw e;
      console.log(`maelstrom ${test.workload}: ${spec.bin} on ${test.nodeCount} nodes (process), seed ${test.seed}`);
      console.log(`  stalled: ${e.message}; every process was killed`);
      console.log(`  replay     ${replayLine(test, spec)}`);
      console.log('INVALID: stalled');
      return 1;
    }
  }
  const availability = availabilityOf(run);
  if (wanted !== undefined) {
    run.result.checks.push({
      checker: 'availability',
      verdict: availability >= wanted ? 'ok' : 'illegal',
      summary: `${(availability * 100).toFixed(1)}% of ops succeeded (wanted at least ${(wanted * 100).toFixed(1)}%)`,
    });
    if (availability < wanted && run.result.status !== 'fail') {
      run.result.status = 'fail';
      run.result.failing.push('availability');
    }
  }
  const replay = replayLine(test, spec);
  const outDir = (values.out as string | undefined) ?? join('out', 'maelstrom', `${test.workload}-seed-${test.seed}`);
  writeRunDir(outDir, run.result, replay, run.result.sim.trace);
  if (spec.mode === 'in-process') {
    const file = join(outDir, 'entry.json');
    writeAtomic(file, `${JSON.stringify(makeEntry(file, test, spec, run.result))}\n`);
  }
  if (values.json) console.log(JSON.stringify({ status: run.result.status, failing: run.result.failing, mode: run.mode, net: run.net, latency: Object.fromEntries(run.latency.map(([q, ms]) => [`p${q * 100}`, ms])), availability, processes: run.processes, seed: test.seed, fingerprint: run.result.sim.fingerprint, replay, out: outDir, checks: run.result.checks.map((c) => ({ checker: c.checker, valid: c.verdict === 'ok' ? true : c.verdict === 'illegal' ? false : 'unknown', summary: c.summary })) }, null, 2));
  else printRun(run, test, spec, availability, replay, outDir, values['log-stderr'] === true);
  if (run.result.status === 'fail' && spec.mode === 'in-process' && !values['no-shrink'] && !values.json) await printShrunk(test, spec, outDir);
  return run.result.status === 'pass' ? 0 : run.result.status === 'fail' ? 1 : 3;
}

async function printShrunk(test: MaelstromTest, spec: ProgramSpec, outDir: string): Promise<void> {
  console.log('\nshrinking the failing run (at most 500 runs or 60 s; --no-shrink skips this) ...');
  const { shrunk, story } = await shrinkMaelstrom(test, spec, { maxRuns: 500, maxMs: 60_000 });
  if (!story) {
    console.log('  it did not fail again when re-run from its plans: nothing to shrink');
    return;
  }
  const o = shrunk.original;
  const n = shrunk.shrunk;
  console.log(`  ${o.ops} ops -> ${n.ops}, ${o.faults} faults -> ${n.faults}, ${o.messages} messages -> ${n.messages} in ${shrunk.runs} runs${shrunk.exhausted ? ' (budget ran out: not minimal)' : ''}`);
  const file = join(outDir, 'shrunk.json');
  writeAtomic(file, `${JSON.stringify(makeEntry(file, test, spec, shrunk.result))}\n`);
  console.log(`  saved ${file}; replay: faultline maelstrom replay ${file}`);
  // The story names Faultline's nodes; show Maelstrom's ids, except inside message bodies (theirs).
  console.log(`\n${story.text.split('\n').map((l) => (l.startsWith('VIOLATION') ? l : l.replace(/^[^{]*/, (head) => maelstromNames(head)))).join('\n')}`);
}

function printRun(run: MaelstromRun, test: MaelstromTest, spec: ProgramSpec, availability: number, replay: string, outDir: string, logStderr: boolean): void {
  const r = run.result;
  const s = r.sim.stats;
  console.log(`maelstrom ${test.workload}: ${spec.bin} on ${test.nodeCount} nodes (${run.mode}), ${test.concurrency} clients, seed ${test.seed}`);
  if (r.sim.outcome !== 'completed') console.log(`  the run ended early: ${r.sim.outcome}: ${r.sim.error?.message ?? ''}`);
  for (const c of r.checks) {
    const valid = c.verdict === 'ok' ? 'true' : c.verdict === 'illegal' ? 'false' : ':unknown';
    console.log(`  ${c.checker.padEnd(20)} :valid? ${valid.padEnd(8)} ${c.summary}`);
  }
  console.log(`  ops        ${s.ok} ok, ${s.fail} fail, ${s.info} info; availability ${(availability * 100).toFixed(1)}%`);
  console.log(`  net        ${run.net.serverMsgs} server msgs (${run.net.msgsPerOp.toFixed(2)} msgs/op), ${run.net.clientMsgs} client msgs, ${run.net.serviceMsgs} service msgs; ${s.dropped} dropped, ${s.duplicated} duplicated`);
  const q = run.latency;
  console.log(`  latency    ${q.map(([k, v]) => `p${k * 100}=${v}`).join(' ')} (virtual ms, ok ops)`);
  const stable = (r.checks.find((c) => c.checker === 'broadcast')?.details as { stableLatencyMs?: Record<string, number> } | undefined)?.stableLatencyMs;
  if (stable) console.log(`  stable     ${Object.entries(stable).map(([k, v]) => `${k}=${v}`).join(' ')} (virtual ms from a broadcast until every read has it)`);
  console.log(`  faults     ${r.faults.length === 0 ? 'none' : r.faults.slice(0, 5).map((f) => maelstromNames(describeFault(f))).map((d) => (d.length > 60 ? `${d.slice(0, 60)}...` : d)).join('; ')}${r.faults.length > 5 ? `; ... ${r.faults.length} in all` : ''}`);
  if (run.processes) console.log(`  processes  ${run.processes.started} started; ${run.processes.kill} killed, ${run.processes.stop} paused (SIGSTOP), ${run.processes.cont} resumed (SIGCONT)`);
  if (run.mode === 'process') console.log('  note       each process\'s own timers and threads are outside Faultline\'s control: a seed reproduces the schedule of deliveries and faults, not every internal interleaving');
  if (logStderr) for (const e of r.sim.trace) if (e.kind === 'log' && e.detail?.includes('stderr]')) console.log(`  ${e.timeMs} ms ${e.detail}`);
  console.log(`  seed ${test.seed}, fingerprint ${r.sim.fingerprint}`);
  console.log(`  replay     ${replay}`);
  console.log(`  files      ${outDir}/ (summary.json, history.jsonl, faults.json, checks.json, trace.jsonl${run.mode === 'in-process' ? ', entry.json' : ''})`);
  if (run.mode === 'in-process') console.log(`  replay     faultline maelstrom replay ${join(outDir, 'entry.json')}  (from the recorded plans and tape)`);
  console.log(r.status === 'pass' ? 'valid' : r.status === 'fail' ? `INVALID: ${r.failing.join(', ')}` : `unknown: ${r.failing.join(', ')}`);
}
