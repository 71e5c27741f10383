import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MergeError, mergeSummaries, parseSummary } from '../explore/merge.ts';
import type { ExploreSummaryJson } from '../explore/summary.ts';
import { UsageError } from './options.ts';

export const mergeHelp = `faultline merge <summary.json>... [--json]

Joins the --json summaries of the shards of one sweep (faultline explore --shard K/N --json):
totals added, failures joined by violated check (seeds and corpus entries de-duplicated),
'sometimes' counts added. Summaries of different protocols, variants, strategies or options,
or one shard given twice, are refused.

  --json                  print the merged summary as JSON (default: a table)

Exit code: 0 no shard found a failure, 1 one did, 2 bad usage or input, 3 only undecided seeds.`;

/** `faultline merge`: returns the exit code. */
export async function mergeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(mergeHelp);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('merge takes the summary files of the shards: faultline merge a.json b.json ...');
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
