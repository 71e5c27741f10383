import { join, relative } from 'node:path';
import { CorpusError, makeEntry, saveEntry, type EntryModule } from '../corpus/corpus.ts';
import { resolveProtocolArg } from '../run/load.ts';
import { definedOnly, loadEntryWithProtocol, moduleField, projectScenario } from './entry.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { runScenario } from '../run/run.ts';
import { resolveOptions, ScenarioError, type RunInput } from '../run/scenario.ts';
import { shrink, type ShrinkResult } from '../shrink/shrink.ts';
import { tellStory, type Story } from '../shrink/story.ts';
import { commandHelp, parseFlags } from './flags.ts';
import { scenarioFromFlags, UsageError } from './options.ts';

export interface ShrinkReport {
  shrunk: ShrinkResult;
  story: Story;
  /** Where the entry was written, with --save. */
  saved?: string;
  replay?: string;
}

/** Shrinks `input`, replays the result with a trace, tells the story, optionally saves the entry. */
export async function shrinkAndReport(
  protocol: ProtocolDef,
  input: RunInput,
  opts: { save: boolean; corpusDir: string; maxRuns?: number; maxMs?: number; progress?: boolean; createdBy: string; module?: EntryModule },
): Promise<ShrinkReport> {
  const tty = opts.progress ?? process.stderr.isTTY;
  let lastMs = 0;
  const shrunk = await shrink(protocol, input, {
    maxRuns: opts.maxRuns,
    maxMs: opts.maxMs,
    onProgress: (p) => {
      if (!tty || p.elapsedMs - lastMs < 250) return;
      lastMs = p.elapsedMs;
      process.stderr.write(`\r\x1b[K  shrinking: ${p.runs} runs, ${(p.elapsedMs / 1000).toFixed(1)} s, pass ${p.pass}: ${p.ops} ops, ${p.faults} faults, ${p.flags} drops/dups/reorders, tape ${p.tapeLength}`);
    },
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const traced = await runScenario(protocol, shrunk.input, { recordTrace: true });
  if (traced.sim.fingerprint !== shrunk.result.sim.fingerprint) {
    throw new Error(`internal: replaying the shrunk run with a trace gave fingerprint ${traced.sim.fingerprint}, not ${shrunk.result.sim.fingerprint}`);
  }
  const story = tellStory(traced);
  const report: ShrinkReport = { shrunk, story };
  if (opts.save && shrunk.reproduced) {
    const entry = makeEntry(shrunk.input, shrunk.result, opts.createdBy, opts.module);
    report.saved = saveEntry(opts.corpusDir, entry);
    report.replay = `faultline replay ${report.saved}`;
  }
  return report;
}

/** One paragraph on what the shrinker did. */
export function describeShrink(s: ShrinkResult): string {
  const a = s.original;
  const b = s.shrunk;
  return (
    `shrunk ${a.ops} ops, ${a.faults} faults, ${a.messages} messages, ${a.flags} drops/dups/reorders` +
    ` -> ${b.ops} ops, ${b.faults} faults, ${b.messages} messages, ${b.flags} drops/dups/reorders (${b.nodes} nodes, ${b.clients} clients, ${b.virtualMs} ms)` +
    ` in ${s.runs} runs, ${(s.elapsedMs / 1000).toFixed(1)} s` +
    (s.exhausted ? ' - budget ran out: the best so far, not necessarily minimal' : ' - 1-minimal')
  );
}

/** `faultline shrink`: returns the exit code. */
export async function shrinkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('shrink', argv);
  if (values.help) {
    console.log(commandHelp('shrink'));
    return 0;
  }
  const target = positionals[0];
  let protocol: ProtocolDef;
  let input: RunInput;
  let corpusDir = values.corpus ?? 'corpus';
  let module: EntryModule | undefined;
  if (target.endsWith('.json')) {
    const extra = Object.keys(values).filter((k) => !['save', 'corpus', 'max-runs', 'max-seconds'].includes(k));
    if (extra.length > 0) throw new UsageError(`--${extra[0]} does not apply to a corpus entry (${target} holds its own scenario): leave it out, or shrink by protocol name`);
    const loaded = await loadEntryWithProtocol(target);
    protocol = loaded.protocol;
    input = loaded.input;
    module = moduleField(loaded.ref, corpusDir);
  } else {
    const resolved = await resolveProtocolArg(target, process.cwd());
    protocol = resolved.protocol;
    if (values.corpus === undefined && resolved.config) corpusDir = relative(process.cwd(), join(resolved.config.dir, resolved.config.config.corpus ?? 'corpus')) || '.';
    module = moduleField(resolved.ref, corpusDir);
    const project = projectScenario(resolved.config?.config.scenario, protocol);
    const seed = values.seed ?? 0;
    try {
      input = { options: resolveOptions(protocol, { ...project, ...definedOnly(scenarioFromFlags(values)), seed }) };
    } catch (e) {
      if (e instanceof ScenarioError) throw new UsageError(e.message);
      throw e;
    }
  }
  const maxRuns = values['max-runs'];
  const maxSeconds = values['max-seconds'];
  const o = input.options;
  const report = await shrinkAndReport(protocol, input, {
    save: values.save ?? false,
    corpusDir,
    module,
    maxRuns,
    maxMs: maxSeconds === undefined ? undefined : maxSeconds * 1000,
    createdBy: `faultline shrink ${argv.join(' ')}`.trim(),
  });
  if (!report.shrunk.reproduced) {
    console.log(`${o.protocol}/${o.variant} seed ${o.seed}: does not fail (status ${report.shrunk.result.status}): nothing to shrink, nothing written`);
    return 0;
  }
  console.log(report.story.text);
  console.log('');
  console.log(describeShrink(report.shrunk));
  console.log(`fingerprint ${report.shrunk.result.sim.fingerprint}`);
  if (report.saved) {
    console.log(`saved  ${report.saved}`);
    console.log(`replay ${report.replay}`);
  }
  return 0;
}

export { CorpusError };
