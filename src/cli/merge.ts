import { readFileSync } from 'node:fs';
import { MergeError, mergeSummaries, parseSummary } from '../explore/merge.ts';
import type { ExploreSummaryJson } from '../explore/summary.ts';
import { commandHelp, parseFlags } from './flags.ts';
import { UsageError } from './options.ts';

/** `faultline merge`: returns the exit code. */
export async function mergeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('merge', argv);
  if (values.help) {
    console.log(commandHelp('merge'));
    return 0;
  }
  let merged: ExploreSummaryJson;
  try {
    merged = mergeSummaries(positionals.map((file) => ({ file, summary: parseSummary(file, readJson(file)) })));
  } catch (e) {
    if (e instanceof MergeError) throw new UsageError(e.message);
    throw e;
  }
  if (values.json) console.log(JSON.stringify(merged, null, 2));
  else printMerged(merged);
  const c = merged.counts;
  return c.fail + c.hung + c.crashed > 0 ? 1 : c.unknown > 0 ? 3 : 0;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the path`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message}): give the output of faultline explore --json`);
  }
}

function printMerged(s: ExploreSummaryJson): void {
  const c = s.counts;
  const all = Array.from({ length: s.shard.count }, (_, i) => i + 1);
  const missing = all.filter((k) => !s.shard.merged.includes(k));
  console.log(
    `merged ${s.shard.merged.length} of ${s.shard.count} shards of ${s.module ?? s.protocol}/${s.variant} (strategy ${s.strategy}): ${s.explored} seeds, ` +
      `${c.pass} pass, ${c.fail} fail, ${c.unknown} unknown${c.hung ? `, ${c.hung} hung` : ''}${c.crashed ? `, ${c.crashed} crashed` : ''}`,
  );
  if (missing.length) console.log(`missing shards: ${missing.map((k) => `${k}/${s.shard.count}`).join(', ')} (their seeds were not explored)`);
  for (const g of s.failures) {
    console.log(`  ${g.check} (${g.status}): ${g.seeds.length} seeds, first ${g.seeds[0].seed}: ${g.corpus ?? g.replay}`);
  }
  for (const x of s.sometimes) console.log(`  sometimes ${x.seeds > 0 ? 'reached' : 'NEVER  '} ${x.name}: ${x.seeds} seeds, ${x.hits} times`);
}
