import { statSync, writeFileSync } from 'node:fs';
import { CorpusError, listEntries } from '../corpus/corpus.ts';
import { ProtocolLoadError } from '../run/load.ts';
import { runScenario } from '../run/run.ts';
import { tellStory } from '../report/story.ts';
import { basename, join } from 'node:path';
import { writeReport } from '../report/html.ts';
import { sourceFromRun } from '../report/source.ts';
import { loadEntryWithProtocol } from './entry.ts';
import { commandHelp, parseFlags, UsageError } from './flags.ts';

/** `faultline replay`: returns the exit code. */
export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('replay', argv);
  if (values.help) {
    console.log(commandHelp('replay'));
    return 0;
  }
  if (values.json && values.reporter) throw new UsageError('give either --json or --reporter junit, not both');
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  const single = positionals.length === 1 && !isDir(positionals[0]) && !values.json && !values.reporter;
  if (single) return replayOne(positionals[0], values.quiet ?? false, values.report === true);
  const files: string[] = [];
  for (const p of positionals) {
    if (isDir(p)) {
      const found = listEntries(p);
      if (found.length === 0) throw new UsageError(`${p}: no corpus entries (*.json) under it (save some with faultline run <protocol> --save)`);
      files.push(...found);
    } else files.push(p);
  }
  return replayMany(files, { json: values.json ?? false, junit: values.reporter === 'junit', output: values.output, strict: values.strict ?? false });
}

/** One entry, told as a story: exit 1 if it still fails. */
async function replayOne(file: string, quiet: boolean, report: boolean): Promise<number> {
  const { entry, protocol, input, settings } = await loadEntryWithProtocol(file);
  const r = await runScenario(protocol, input, { ...settings, recordTrace: !quiet || report });
  if (!quiet) {
    console.log(tellStory(r).text);
    console.log('');
  }
  const same = r.sim.fingerprint === entry.fingerprint;
  const expected = entry.expected.status === 'fail' ? `fail (${entry.expected.failing.join(', ')})` : 'pass';
  console.log(`${file}: ${r.status.toUpperCase()}${r.failing.length ? ` (${r.failing.join(', ')})` : ''}; recorded ${expected}`);
  console.log(
    `fingerprint ${r.sim.fingerprint} ${same ? 'matches the recorded one' : `DIFFERS from the recorded ${entry.fingerprint} (the protocol or the simulator changed since the entry was made)`}`,
  );
  if (report) {
    const path = join('out', `${basename(file).replace(/\.json$/, '')}.html`);
    console.log(`report ${writeReport(sourceFromRun(r, `faultline replay ${file}`, `${file} (corpus entry, replayed)`), path)}`);
  }
  return r.status === 'fail' ? 1 : 0;
}

/**
 * What replaying one entry of a corpus came to. `ok`: as it should be (a correct-kind entry passes,
 * a planted bug fails as recorded). `regression`: a correct-kind entry fails. `now-passes` /
 * `fails-differently`: a planted bug no longer shows as recorded. `unknown`: a check ran out of
 * budget. `error`: the entry (or its protocol module) could not be loaded.
 */
export type ReplayOutcome = 'ok' | 'regression' | 'now-passes' | 'fails-differently' | 'unknown' | 'error';

/** One entry's line in a corpus replay, as data (`--json`). */
export interface EntryReplay {
  file: string;
  outcome: ReplayOutcome;
  protocol?: string;
  variant?: string;
  kind?: 'correct' | 'bug';
  seed?: number;
  status?: string;
  failing?: string[];
  recorded?: { status: string; failing?: string[] };
  fingerprint?: string;
  fingerprintMatches?: boolean;
  message: string;
  elapsedMs: number;
}

async function replayEntry(file: string): Promise<EntryReplay> {
  const t0 = performance.now();
  let loaded;
  try {
    loaded = await loadEntryWithProtocol(file);
  } catch (e) {
    if (!(e instanceof CorpusError || e instanceof ProtocolLoadError)) throw e;
    return { file, outcome: 'error', message: e.message, elapsedMs: performance.now() - t0 };
  }
  const { entry, protocol, input, settings } = loaded;
  const kind = protocol.variants[entry.variant].kind;
  const r = await runScenario(protocol, input, settings);
  const base = {
    file,
    protocol: protocol.name,
    variant: entry.variant,
    kind,
    seed: entry.seed,
    status: r.status,
    failing: r.failing,
    recorded: entry.expected,
    fingerprint: r.sim.fingerprint,
    fingerprintMatches: r.sim.fingerprint === entry.fingerprint,
  };
  const failed = r.failing.length ? ` (${r.failing.join(', ')})` : '';
  const finish = (outcome: ReplayOutcome, message: string): EntryReplay => ({ ...base, outcome, message, elapsedMs: performance.now() - t0 });
  if (r.status === 'unknown') return finish('unknown', `a check ran out of budget${failed}`);
  if (kind === 'correct') {
    return r.status === 'pass' ? finish('ok', 'passes (the bug stays fixed)') : finish('regression', `FAILS${failed}: a once-found bug is back`);
  }
  if (r.status === 'pass') return finish('now-passes', 'planted bug NOW PASSES: the scenario no longer shows it');
  const want = entry.expected.status === 'fail' ? entry.expected.failing[0] : undefined;
  if (want !== undefined && r.failing[0] !== want) return finish('fails-differently', `planted bug FAILS DIFFERENTLY${failed}; recorded ${want}`);
  return finish('ok', `fails as recorded${failed}${base.fingerprintMatches ? '' : '; fingerprint differs from the recorded one'}`);
}

const LABEL: Record<ReplayOutcome, string> = {
  ok: 'ok  ',
  regression: 'FAIL',
  'now-passes': 'STALE',
  'fails-differently': 'STALE',
  unknown: 'UNKNOWN',
  error: 'ERROR',
};

async function replayMany(files: string[], o: { json: boolean; junit: boolean; output?: string; strict: boolean }): Promise<number> {
  const results: EntryReplay[] = [];
  const t0 = performance.now();
  const toStdout = !o.json && !o.junit;
  for (const file of files) {
    const r = await replayEntry(file);
    results.push(r);
    if (toStdout || o.output !== undefined) console.log(`${LABEL[r.outcome]} ${file}: ${r.message}`);
  }
  const count = (x: ReplayOutcome) => results.filter((r) => r.outcome === x).length;
  const stale = count('now-passes') + count('fails-differently');
  const summary = {
    entries: results.length,
    ok: count('ok'),
    regressions: count('regression'),
    stale,
    unknown: count('unknown'),
    errors: count('error'),
    elapsedMs: Math.round(performance.now() - t0),
  };
  const line =
    `replayed ${summary.entries} entries: ${summary.ok} ok, ${summary.regressions} regressions, ${stale} planted bugs no longer failing as recorded, ` +
    `${summary.unknown} unknown, ${summary.errors} unreadable`;
  if (toStdout || o.output !== undefined) console.log(line);
  if (!toStdout) {
    const report = o.json ? JSON.stringify({ summary, entries: results }, null, 2) + '\n' : junitXml(results, summary.elapsedMs);
    if (o.output !== undefined) writeFileSync(o.output, report);
    else process.stdout.write(report);
  }
  if (summary.regressions > 0 || (o.strict && stale > 0)) return 1;
  if (summary.errors > 0) return 2;
  return summary.unknown > 0 ? 3 : 0;
}

/** JUnit XML: a testsuite per protocol, a testcase per entry (failure / error / skipped as fits). */
export function junitXml(results: EntryReplay[], elapsedMs: number): string {
  const suites = new Map<string, EntryReplay[]>();
  for (const r of results) {
    const name = r.protocol ?? 'unreadable';
    suites.set(name, [...(suites.get(name) ?? []), r]);
  }
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = (rs: EntryReplay[]) => rs.filter((r) => r.outcome === 'regression' || r.outcome === 'now-passes' || r.outcome === 'fails-differently').length;
  const errors = (rs: EntryReplay[]) => rs.filter((r) => r.outcome === 'error').length;
  const skipped = (rs: EntryReplay[]) => rs.filter((r) => r.outcome === 'unknown').length;
  out.push(`<testsuites name="faultline replay" tests="${results.length}" failures="${failures(results)}" errors="${errors(results)}" time="${(elapsedMs / 1000).toFixed(3)}">`);
  for (const [name, rs] of suites) {
    const time = rs.reduce((s, r) => s + r.elapsedMs, 0) / 1000;
    out.push(`  <testsuite name="${xml(name)}" tests="${rs.length}" failures="${failures(rs)}" errors="${errors(rs)}" skipped="${skipped(rs)}" time="${time.toFixed(3)}">`);
    for (const r of rs) {
      const caseName = r.variant !== undefined ? `${r.variant} seed ${r.seed} (${r.kind})` : r.file;
      out.push(`    <testcase classname="${xml(name)}" name="${xml(caseName)}" file="${xml(r.file)}" time="${(r.elapsedMs / 1000).toFixed(3)}">`);
      if (r.outcome === 'error') out.push(`      <error message="${xml(r.message)}"/>`);
      else if (r.outcome === 'unknown') out.push(`      <skipped message="${xml(r.message)}"/>`);
      else if (r.outcome !== 'ok') out.push(`      <failure message="${xml(r.message)}" type="${r.outcome}">${xml(`replay: faultline replay ${r.file}\nfingerprint ${r.fingerprint}`)}</failure>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function xml(s: string): string {
  // Control characters other than tab and newline are not allowed in XML 1.0 at all.
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '?');
  return clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
