import { join, relative } from 'node:path';
import type { ProtocolDef } from '../run/protocol.ts';
import { resolveProtocolArg, type ProtocolRef } from '../run/load.ts';
import { definedOnly, moduleField, projectScenario } from './entry.ts';
import { mkdirSync } from 'node:fs';
import { explore as exploreSeeds } from '../explore/explore.ts';
import { defaultWorkers } from '../explore/pool.ts';
import type { SeedReport } from '../explore/report.ts';
import { writeAtomic, writeRunDir } from '../run/output.ts';
import { writeReport } from '../report/html.ts';
import { sourceFromRun } from '../report/source.ts';
import { runScenario } from '../run/run.ts';
import { resolveOptions, ScenarioError, type ScenarioOptions } from '../run/scenario.ts';
import { describeShrink } from '../shrink/counterexample.ts';
import { shrinkBudgetFromFlags, shrinkWithProgress, writeShrunkReport } from './shrink.ts';
import { checkDir, commandHelp, parseFlags } from './flags.ts';
import { flagsFor, scenarioFromFlags, seedsFromFlags, UsageError } from './options.ts';

/** `faultline run`: returns the exit code. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('run', argv);
  if (values.help) {
    console.log(commandHelp('run'));
    return 0;
  }
  const resolved = await resolveProtocolArg(positionals[0], process.cwd());
  const protocol = resolved.protocol;
  // Failing runs are written to out/ even without --out: a file in its way is bad input, said now.
  if (values.out === undefined) checkDir('out', 'out');
  const seeds = seedsFromFlags(values.seed, values.seeds);
  const given = scenarioFromFlags(values);
  let base: ScenarioOptions;
  try {
    base = resolveOptions(protocol, { ...projectScenario(resolved.config?.config.scenario, protocol), ...definedOnly(given), seed: seeds[0] });
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  const failed: number[] = [];
  // How to name this protocol again in printed commands: what the user typed works from here.
  const as = 'bundled' in resolved.ref ? protocol.name : positionals[0];
  const corpusDir = values.corpus ?? (resolved.config ? relative(process.cwd(), join(resolved.config.dir, resolved.config.config.corpus ?? 'corpus')) || '.' : 'corpus');
  const explorer = await explore({ protocol, ref: resolved.ref, as }, base, seeds, {
    onFail: (seed) => failed.push(seed),
    outDir: values.out,
    stopOnFail: values['stop-on-fail'] ?? false,
    checkDeterminism: values['check-determinism'] ?? false,
    checkMaxStates: values['max-states'],
    quietPass: values['quiet-pass'] ?? seeds.length > 1,
    // Even one seed runs on a worker: only there can the watchdog stop a handler that never returns.
    workers: values.workers ?? Math.min(defaultWorkers(), seeds.length),
    seedTimeoutMs: 1000 * (values['seed-timeout'] ?? 60),
    json: values.json ?? false,
    report: values.report ?? false,
  });
  if (values.save && failed.length > 0) {
    // --save: shrink the first failure to a minimal counterexample and write its corpus entry.
    const seed = Math.min(...failed);
    const report = await shrinkWithProgress(protocol, { options: { ...base, seed } }, {
      corpusDir,
      budget: shrinkBudgetFromFlags(values),
      check: values['max-states'] === undefined ? {} : { checkMaxStates: values['max-states'] },
      createdBy: `faultline run ${argv.join(' ')}`,
      module: moduleField(resolved.ref, corpusDir),
    });
    if (report.saved) {
      console.log(`\nshrunk seed ${seed}: ${describeShrink(report.shrunk)}`);
      console.log(`saved  ${report.saved}`);
      console.log(`replay ${report.replay}`);
      if (values.report) console.log(`report ${await writeShrunkReport(protocol, report)}`);
    } else {
      console.log(`\nseed ${seed} did not fail again when shrinking (nothing saved)`);
    }
  }
  return explorer;
}

/** Without --out, a sweep saves this many failing runs to out/ and lists the rest. */
const MAX_SAVED_WITHOUT_OUT = 10;

interface ExploreSettings {
  /** Told the seed of every failing run. */
  onFail?: (seed: number) => void;
  outDir?: string;
  workers: number;
  seedTimeoutMs: number;
  stopOnFail: boolean;
  checkDeterminism: boolean;
  checkMaxStates?: number;
  quietPass: boolean;
  json: boolean;
  /** Write report.html into each saved failing run's directory. */
  report?: boolean;
}

/** The command that replays exactly this run (`as`: how to name the protocol, default its name). */
export function replayCommand(protocol: ProtocolDef, o: ScenarioOptions, as = protocol.name, checkMaxStates?: number): string {
  const defaults = resolveOptions(protocol, { seed: o.seed });
  // The check budget decides the verdict (`unknown` under a small one), so it is part of the run.
  const budget = checkMaxStates === undefined ? [] : ['--max-states', String(checkMaxStates)];
  return ['faultline run', as, ...flagsFor(o, defaults), ...budget, '--seed', String(o.seed)].join(' ');
}

async function explore(
  target: { protocol: ProtocolDef; ref: ProtocolRef; as: string },
  base: ScenarioOptions,
  seeds: number[],
  s: ExploreSettings,
): Promise<number> {
  const protocol = target.protocol;
  const t0 = performance.now();
  let lastProgress = t0;
  let done = 0;
  let failing = 0;
  const summary = await exploreSeeds({
    protocol: target.ref,
    base,
    seeds,
    workers: s.workers,
    seedTimeoutMs: s.seedTimeoutMs,
    checkDeterminism: s.checkDeterminism,
    checkMaxStates: s.checkMaxStates,
    stopOnFail: s.stopOnFail,
    onReport: async (report) => {
      done++;
      const options = { ...base, seed: report.seed };
      const replay = replayCommand(protocol, options, target.as, s.checkMaxStates);
      const dir = join(s.outDir ?? 'out', `${protocol.name}-${options.variant}-seed-${report.seed}`);
      if (report.status !== 'pass') {
        failing++;
        if (report.status === 'fail') s.onFail?.(report.seed);
        if (s.outDir === undefined && failing > MAX_SAVED_WITHOUT_OUT) {
          if (failing === MAX_SAVED_WITHOUT_OUT + 1) console.log(`  (further failing seeds are listed but not saved to out/: give --out DIR to keep them all)`);
          if (s.json) print(report, `${protocol.name}/${base.variant}`, replay, true);
          else console.log(`${protocol.name}/${base.variant} seed ${report.seed}: ${report.status.toUpperCase()} (${report.failing.join(', ')})  replay: ${replay}`);
          return;
        }
        // Save before anything else can go wrong: the summary first, then the rest from a traced replay.
        mkdirSync(dir, { recursive: true });
        writeAtomic(join(dir, 'summary.json'), JSON.stringify({ ...report, replay, options }, null, 2) + '\n');
        if (report.status !== 'hung' && report.status !== 'crashed') {
          const traced = await runScenario(protocol, { options }, { recordTrace: true });
          if (traced.sim.fingerprint !== report.fingerprint) {
            console.error(`warning: replaying seed ${report.seed} with a trace gave another fingerprint: the run is not deterministic`);
          }
          writeRunDir(dir, traced, replay, traced.sim.trace);
          if (s.report) writeReport(sourceFromRun(traced, replay, `${dir} (run directory)`), join(dir, 'report.html'));
          if (report.failing.includes('determinism')) writeAtomic(join(dir, 'summary.json'), JSON.stringify({ ...report, replay, options }, null, 2) + '\n');
        }
        print(report, `${protocol.name}/${base.variant}`, replay, s.json, dir);
      } else {
        if (s.outDir !== undefined) {
          const traced = await runScenario(protocol, { options }, { recordTrace: true });
          writeRunDir(dir, traced, replay, traced.sim.trace);
        }
        if (!s.quietPass) print(report, `${protocol.name}/${base.variant}`, replay, s.json);
      }
      const now = performance.now();
      if (process.stderr.isTTY && seeds.length > 1 && now - lastProgress > 500) {
        lastProgress = now;
        process.stderr.write(`\r  ${done}/${seeds.length} seeds, ${failing} failing, ${((done * 1000) / (now - t0)).toFixed(1)} seeds/s `);
      }
    },
  });
  const { counts, failingSeeds } = summary;
  if (process.stderr.isTTY && seeds.length > 1) process.stderr.write('\r\x1b[K');
  if (seeds.length > 1 && !s.json) {
    console.log(
      `explored ${summary.explored} of ${seeds.length} seeds of ${protocol.name}/${base.variant}: ${counts.pass} pass, ${counts.fail} fail, ` +
        `${counts.unknown} unknown${counts.hung ? `, ${counts.hung} hung` : ''}${counts.crashed ? `, ${counts.crashed} crashed` : ''}` +
        ` (${((summary.explored * 1000) / summary.elapsedMs).toFixed(1)} seeds/s${s.workers > 0 ? ` on ${s.workers} worker threads` : ''})` +
        (failingSeeds.length ? `; failing seeds: ${failingSeeds.slice(0, 20).join(', ')}${failingSeeds.length > 20 ? ', ...' : ''}` : ''),
    );
  }
  return counts.fail + counts.hung + counts.crashed > 0 ? 1 : counts.unknown > 0 ? 3 : 0;
}

function print(r: SeedReport, name: string, replay: string, json: boolean, savedTo?: string): void {
  if (json) {
    console.log(JSON.stringify({ seed: r.seed, status: r.status, failing: r.failing, fingerprint: r.fingerprint, stats: r.stats, replay, savedTo }));
    return;
  }
  const label = r.status === 'pass' ? 'PASS' : r.status === 'fail' ? 'FAIL' : r.status.toUpperCase();
  console.log(`${name} seed ${r.seed}: ${label}${r.failing.length ? ` (${r.failing.join(', ')})` : ''}`);
  const st = r.stats;
  if (st) {
    console.log(`  ops       ${st.ok} ok, ${st.fail} fail, ${st.info} info`);
    console.log(`  messages  ${st.messagesSent} sent, ${st.delivered} delivered, ${st.dropped} dropped, ${st.duplicated} duplicated`);
    console.log(`  faults    ${st.faults}   virtual time ${st.virtualMs} ms   events ${st.steps}`);
    console.log(`  fingerprint ${r.fingerprint}`);
  }
  for (const c of r.checks) console.log(`  ${c.verdict.padEnd(7)} ${c.checker}: ${c.summary}`);
  if (r.error?.stack && r.outcome === 'crashed') console.log(indent(r.error.stack, '    '));
  if (r.status !== 'pass') {
    console.log(`  replay    ${replay}`);
    if (savedTo) console.log(`  saved     ${savedTo}/ (summary.json, history.jsonl, trace.jsonl, faults.json)`);
  }
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .slice(0, 12)
    .map((l) => pad + l)
    .join('\n');
}
