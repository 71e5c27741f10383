import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getProtocol, protocols } from '../../protocols/index.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { writeRunDir } from '../run/output.ts';
import { runScenario, type RunResult } from '../run/run.ts';
import { resolveOptions, ScenarioError, type ScenarioOptions } from '../run/scenario.ts';
import { flagsFor, scenarioFlags, scenarioFromFlags, scenarioHelp, seedsFromFlags, UsageError } from './options.ts';

export const runHelp = `faultline run <protocol> [options]

Runs a protocol under the seeded scheduler and nemesis, checks the history, prints a summary.

  --seed N                one seed (default 0)
  --seeds A..B            every seed from A to B
  --out DIR               write summary, history, faults, checks and trace of each run here
                          (failing runs are always written, to out/ unless --out says otherwise)
  --stop-on-fail          stop at the first failing seed
  --check-determinism     run every seed twice and compare fingerprints
  --quiet-pass            with --seeds: print nothing for passing seeds
  --json                  one JSON summary per seed instead of text

${scenarioHelp}

Exit code: 0 every check held, 1 a violation was found, 2 bad usage, 3 a checker ran out of budget.`;

/** `faultline run`: returns the exit code. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...scenarioFlags,
      seed: { type: 'string' },
      seeds: { type: 'string' },
      out: { type: 'string' },
      'stop-on-fail': { type: 'boolean' },
      'check-determinism': { type: 'boolean' },
      'quiet-pass': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(runHelp);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `run takes one protocol name, got ${positionals.length ? positionals.join(' ') : 'none'} (choose from ${protocols.map((p) => p.name).join(', ')})`,
    );
  }
  let protocol: ProtocolDef;
  try {
    protocol = getProtocol(positionals[0]);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const seeds = seedsFromFlags(values.seed, values.seeds);
  const given = scenarioFromFlags(values);
  let base: ScenarioOptions;
  try {
    base = resolveOptions(protocol, { ...given, seed: seeds[0] });
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  const explorer = await explore(protocol, base, seeds, {
    outDir: values.out,
    stopOnFail: values['stop-on-fail'] ?? false,
    checkDeterminism: values['check-determinism'] ?? false,
    quietPass: values['quiet-pass'] ?? seeds.length > 1,
    json: values.json ?? false,
  });
  return explorer;
}

interface ExploreSettings {
  outDir?: string;
  stopOnFail: boolean;
  checkDeterminism: boolean;
  quietPass: boolean;
  json: boolean;
}

/** The command that replays exactly this run. */
export function replayCommand(protocol: ProtocolDef, o: ScenarioOptions): string {
  const defaults = resolveOptions(protocol, { seed: o.seed });
  return ['faultline run', protocol.name, ...flagsFor(o, defaults), '--seed', String(o.seed)].join(' ');
}

async function explore(protocol: ProtocolDef, base: ScenarioOptions, seeds: number[], s: ExploreSettings): Promise<number> {
  const counts = { pass: 0, fail: 0, unknown: 0 };
  const failingSeeds: number[] = [];
  const t0 = performance.now();
  let lastProgress = t0;
  for (const seed of seeds) {
    const options = { ...base, seed };
    const replay = replayCommand(protocol, options);
    let r = await runScenario(protocol, { options }, { recordTrace: s.outDir !== undefined });
    if (s.checkDeterminism) {
      const again = await runScenario(protocol, { options }, { recordTrace: s.outDir !== undefined });
      if (again.sim.fingerprint !== r.sim.fingerprint) {
        r = {
          ...r,
          status: 'fail',
          failing: [...r.failing, 'determinism'],
          checks: [
            ...r.checks,
            {
              checker: 'determinism',
              verdict: 'illegal',
              summary: `the same seed gave two fingerprints (${r.sim.fingerprint}, ${again.sim.fingerprint}): something outside ctx leaks into the protocol`,
            },
          ],
        };
      }
    }
    counts[r.status]++;
    if (r.status !== 'pass') {
      failingSeeds.push(seed);
      // Save before anything else can go wrong: summary first, then the trace from a replay.
      const dir = join(s.outDir ?? 'out', `${protocol.name}-${options.variant}-seed-${seed}`);
      writeRunDir(dir, r, replay, r.sim.trace);
      if (r.sim.trace.length === 0) {
        const traced = await runScenario(protocol, { options }, { recordTrace: true });
        if (traced.sim.fingerprint !== r.sim.fingerprint) {
          console.error(`warning: replaying seed ${seed} with a trace gave another fingerprint: the run is not deterministic`);
        }
        writeRunDir(dir, r, replay, traced.sim.trace);
      }
      print(r, replay, s.json, dir);
      if (s.stopOnFail) break;
    } else {
      if (s.outDir !== undefined) writeRunDir(join(s.outDir, `${protocol.name}-${options.variant}-seed-${seed}`), r, replay, r.sim.trace);
      if (!s.quietPass) print(r, replay, s.json);
    }
    const now = performance.now();
    if (process.stderr.isTTY && seeds.length > 1 && now - lastProgress > 500) {
      lastProgress = now;
      const done = counts.pass + counts.fail + counts.unknown;
      process.stderr.write(`\r  ${done}/${seeds.length} seeds, ${counts.fail} failing, ${((done * 1000) / (now - t0)).toFixed(1)} seeds/s `);
    }
  }
  const elapsedS = (performance.now() - t0) / 1000;
  const done = counts.pass + counts.fail + counts.unknown;
  if (process.stderr.isTTY && seeds.length > 1) process.stderr.write('\r\x1b[K');
  if (seeds.length > 1 && !s.json) {
    console.log(
      `explored ${done} of ${seeds.length} seeds of ${protocol.name}/${base.variant}: ${counts.pass} pass, ${counts.fail} fail, ${counts.unknown} unknown` +
        ` (${(done / elapsedS).toFixed(1)} seeds/s)` +
        (failingSeeds.length ? `; failing seeds: ${failingSeeds.slice(0, 20).join(', ')}${failingSeeds.length > 20 ? ', ...' : ''}` : ''),
    );
  }
  return counts.fail > 0 ? 1 : counts.unknown > 0 ? 3 : 0;
}

function print(r: RunResult, replay: string, json: boolean, savedTo?: string): void {
  if (json) {
    console.log(JSON.stringify({ seed: r.options.seed, status: r.status, failing: r.failing, fingerprint: r.sim.fingerprint, stats: r.sim.stats, replay, savedTo }));
    return;
  }
  const st = r.sim.stats;
  const label = r.status === 'pass' ? 'PASS' : r.status === 'fail' ? 'FAIL' : 'UNKNOWN';
  console.log(`${r.options.protocol}/${r.options.variant} seed ${r.options.seed}: ${label}${r.failing.length ? ` (${r.failing.join(', ')})` : ''}`);
  console.log(`  ops       ${st.ok} ok, ${st.fail} fail, ${st.info} info`);
  console.log(`  messages  ${st.messagesSent} sent, ${st.delivered} delivered, ${st.dropped} dropped, ${st.duplicated} duplicated`);
  console.log(`  faults    ${st.faults}   virtual time ${st.virtualMs} ms   events ${st.steps}`);
  console.log(`  fingerprint ${r.sim.fingerprint}`);
  for (const c of r.checks) console.log(`  ${c.verdict.padEnd(7)} ${c.checker}: ${c.summary}`);
  if (r.sim.error?.stack && r.sim.outcome === 'crashed') console.log(indent(r.sim.error.stack, '    '));
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
