import { join, relative } from 'node:path';
import { CorpusError, type EntryModule } from '../corpus/corpus.ts';
import { resolveProtocolArg } from '../run/load.ts';
import { writeReport } from '../report/html.ts';
import { sourceFromRun } from '../report/source.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { runScenario, type RunSettings } from '../run/run.ts';
import { resolveOptions, ScenarioError, type RunInput } from '../run/scenario.ts';
import type { ShrinkBudgetLimits } from '../shrink/budget.ts';
import { describeShrink, shrinkAndSave, type Counterexample } from '../shrink/counterexample.ts';
import type { ShrinkProgress } from '../shrink/session.ts';
import { definedOnly, loadEntryWithProtocol, moduleField, projectScenario } from './entry.ts';
import { commandHelp, parseFlags, type Parsed } from './flags.ts';
import { scenarioFromFlags, UsageError } from './options.ts';

/**
 * The budget the shrink flags ask for (only the limits given); the flag table checked their bounds.
 *
 * @example
 * shrinkBudgetFromFlags({ 'shrink-runs': 500 }); // { maxRuns: 500 }
 */
export function shrinkBudgetFromFlags(values: { 'shrink-runs'?: number; 'shrink-events'?: number; 'shrink-wall-seconds'?: number }): Partial<ShrinkBudgetLimits> {
  const out: Partial<ShrinkBudgetLimits> = {};
  if (values['shrink-runs'] !== undefined) out.maxRuns = values['shrink-runs'];
  if (values['shrink-events'] !== undefined) out.maxEvents = values['shrink-events'];
  if (values['shrink-wall-seconds'] !== undefined) out.wallLimitMs = values['shrink-wall-seconds'] * 1000;
  return out;
}

/**
 * Shrinks `input` with a progress line on a terminal, saves it (with `corpusDir`), tells its story.
 *
 * @example
 * const cx = await shrinkWithProgress(abd, { options }, { corpusDir: 'corpus', createdBy: 'faultline shrink' });
 */
export async function shrinkWithProgress(
  protocol: ProtocolDef,
  input: RunInput,
  opts: { corpusDir: string | false; budget?: Partial<ShrinkBudgetLimits>; check?: Omit<RunSettings, 'recordTrace'>; createdBy: string; progress?: boolean; module?: EntryModule },
): Promise<Counterexample> {
  const tty = opts.progress ?? process.stderr.isTTY;
  let lastMs = 0;
  const onProgress = (p: ShrinkProgress) => {
    if (!tty || p.elapsedMs - lastMs < 250) return;
    lastMs = p.elapsedMs;
    process.stderr.write(
      `\r\x1b[K  shrinking: ${p.runs} runs, ${(p.elapsedMs / 1000).toFixed(1)} s, pass ${p.pass}: ${p.ops} ops, ${p.faults} faults, ${p.flags} drops/dups/reorders, tape ${p.tapeLength}`,
    );
  };
  try {
    return await shrinkAndSave(protocol, input, { ...opts.budget, check: opts.check, corpusDir: opts.corpusDir, createdBy: opts.createdBy, module: opts.module, onProgress });
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
  }
}

/** `faultline shrink`: returns the exit code. */
export async function shrinkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('shrink', argv);
  if (values.help) {
    console.log(commandHelp('shrink'));
    return 0;
  }
  const budget = shrinkBudgetFromFlags(values);
  const { protocol, input, corpusDir, module, recordedMaxStates } = await shrinkInput(positionals[0], values);
  const maxStates = values['max-states'] ?? recordedMaxStates;
  const o = input.options;
  const cx = await shrinkWithProgress(protocol, input, {
    corpusDir: values.save ? corpusDir : false,
    budget,
    check: maxStates === undefined ? {} : { checkMaxStates: maxStates },
    createdBy: `faultline shrink ${argv.join(' ')}`.trim(),
    module,
  });
  if (!cx.shrunk.reproduced) {
    console.log(`${o.protocol}/${o.variant} seed ${o.seed}: does not fail (status ${cx.shrunk.result.status}): nothing to shrink, nothing written`);
    return 0;
  }
  console.log(cx.story.text);
  console.log('');
  console.log(describeShrink(cx.shrunk));
  console.log(`fingerprint ${cx.shrunk.result.sim.fingerprint}`);
  if (cx.saved) {
    console.log(`saved  ${cx.saved}`);
    console.log(`replay ${cx.replay}`);
  }
  if (values.report) console.log(`report ${await writeShrunkReport(protocol, cx)}`);
  return 0;
}

/**
 * Writes the HTML report of a shrunk counterexample to out/ (replaying it once with a trace);
 * returns the path.
 *
 * @example
 * console.log(await writeShrunkReport(protocol, cx)); // out/raft-stale-local-read-9-shrunk.html
 */
export async function writeShrunkReport(protocol: ProtocolDef, cx: Counterexample): Promise<string> {
  const traced = await runScenario(protocol, cx.shrunk.input, { recordTrace: true });
  const o = traced.options;
  const origin = `shrunk counterexample of ${o.protocol}/${o.variant} seed ${o.seed}`;
  return writeReport(sourceFromRun(traced, cx.replay, origin), `out/${o.protocol}-${o.variant}-${o.seed}-shrunk.html`);
}

/** What a `shrink` command line names: a corpus entry, or a protocol (name, config name or module) and seed. */
async function shrinkInput(
  target: string,
  values: Parsed<'shrink'>['values'],
): Promise<{ protocol: ProtocolDef; input: RunInput; corpusDir: string; module?: EntryModule; recordedMaxStates?: number }> {
  if (target.endsWith('.json')) {
    const extra = Object.keys(values).filter((k) => !['save', 'corpus', 'report', 'max-states', 'shrink-runs', 'shrink-events', 'shrink-wall-seconds'].includes(k));
    if (extra.length > 0) throw new UsageError(`--${extra[0]} does not apply to a corpus entry (${target} holds its own scenario): leave it out, or shrink by protocol name`);
    const loaded = await loadEntryWithProtocol(target);
    const corpusDir = values.corpus ?? 'corpus';
    return { protocol: loaded.protocol, input: loaded.input, corpusDir, module: moduleField(loaded.ref, corpusDir), recordedMaxStates: loaded.settings.checkMaxStates };
  }
  const resolved = await resolveProtocolArg(target, process.cwd());
  const protocol = resolved.protocol;
  const config = resolved.config;
  const corpusDir = values.corpus ?? (config ? relative(process.cwd(), join(config.dir, config.config.corpus ?? 'corpus')) || '.' : 'corpus');
  const project = projectScenario(config?.config.scenario, protocol);
  try {
    const options = resolveOptions(protocol, { ...project, ...definedOnly(scenarioFromFlags(values)), seed: values.seed ?? 0 });
    return { protocol, input: { options }, corpusDir, module: moduleField(resolved.ref, corpusDir) };
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

export { CorpusError };
