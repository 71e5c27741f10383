import type { ExploreSummaryJson, FailureGroup, SometimesCount } from './summary.ts';

/** Summaries that cannot be merged, or a file that is not one: one line, exit code 2. */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

/** The fields two shards of one sweep share; any difference means they are not one sweep. */
const SAME: Array<keyof ExploreSummaryJson> = ['protocol', 'module', 'variant', 'strategy', 'options', 'checkDeterminism', 'seeds', 'timeBudgetMs', 'stopAtFirstFailure'];

/**
 * Checks parsed JSON as an explore summary (data only, nothing evaluated); throws MergeError.
 *
 * @example
 * const s = parseSummary('shard-1.json', JSON.parse(text));
 */
export function parseSummary(file: string, raw: unknown): ExploreSummaryJson {
  const bad = (problem: string): never => {
    throw new MergeError(`${file}: ${problem} (make summaries with faultline explore ... --json > FILE)`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) bad('not an explore summary: expected a JSON object');
  const s = raw as Record<string, unknown>;
  if (s.format !== 'faultline-explore-summary') bad('not an explore summary (no "format": "faultline-explore-summary")');
  if (s.version !== 1) bad(`unknown summary version ${JSON.stringify(s.version)}: this faultline reads version 1`);
  if (typeof s.protocol !== 'string' || typeof s.variant !== 'string') bad('fields "protocol" and "variant" must be strings');
  const shard = s.shard as { count?: unknown; merged?: unknown } | null;
  if (!shard || !Number.isSafeInteger(shard.count) || !Array.isArray(shard.merged) || !shard.merged.every((k) => Number.isSafeInteger(k))) bad('field "shard" must be { count, merged: [K, ...] }');
  if (!Number.isSafeInteger(s.explored)) bad('field "explored" must be an integer');
  if (s.counts === null || typeof s.counts !== 'object') bad('field "counts" must be an object');
  for (const k of ['pass', 'fail', 'unknown', 'hung', 'crashed']) if (!Number.isSafeInteger((s.counts as Record<string, unknown>)[k])) bad(`counts.${k} must be an integer`);
  if (!Array.isArray(s.failures)) bad('field "failures" must be a list');
  (s.failures as unknown[]).forEach((g, i) => {
    const x = g as Record<string, unknown> | null;
    if (!x || typeof x.check !== 'string' || !Array.isArray(x.seeds) || !x.seeds.every((e) => Number.isSafeInteger((e as { seed?: unknown })?.seed))) {
      bad(`failures[${i}] must be { check, seeds: [{ seed, fingerprint }], ... }`);
    }
  });
  if (!Array.isArray(s.sometimes)) bad('field "sometimes" must be a list');
  return raw as ExploreSummaryJson;
}

/**
 * Merges the summaries of shards of one sweep into one: totals added, failures joined by
 * violated check (seeds de-duplicated, the corpus entry of the group's lowest seed kept),
 * `sometimes` counts added. Refuses summaries of different protocols or options, and a shard
 * given twice.
 *
 * @example
 * const all = mergeSummaries([{ file: 'a.json', summary: a }, { file: 'b.json', summary: b }]);
 */
export function mergeSummaries(inputs: ReadonlyArray<{ file: string; summary: ExploreSummaryJson }>): ExploreSummaryJson {
  if (inputs.length === 0) throw new MergeError('merge needs at least one summary file (faultline merge a.json b.json ...)');
  const [first, ...rest] = inputs;
  const shardOf = new Map<number, string>();
  for (const { file, summary } of inputs) {
    for (const key of SAME) {
      if (JSON.stringify(summary[key]) !== JSON.stringify(first.summary[key])) {
        throw new MergeError(
          `cannot merge ${file} with ${first.file}: they explored different ${key} (${brief(summary[key])} vs ${brief(first.summary[key])}); merge only shards of one sweep`,
        );
      }
    }
    if (summary.shard.count !== first.summary.shard.count) {
      throw new MergeError(`cannot merge ${file} with ${first.file}: one is sliced into ${summary.shard.count} shards, the other into ${first.summary.shard.count}`);
    }
    for (const k of summary.shard.merged) {
      const twin = shardOf.get(k);
      if (twin !== undefined) throw new MergeError(`${file} and ${twin} both hold shard ${k}/${summary.shard.count}: merge each shard once`);
      shardOf.set(k, file);
    }
  }
  let out: ExploreSummaryJson = structuredClone(first.summary);
  for (const { summary } of rest) out = mergeTwo(out, summary);
  return out;
}

function mergeTwo(a: ExploreSummaryJson, b: ExploreSummaryJson): ExploreSummaryJson {
  const counts = { ...a.counts };
  for (const k of Object.keys(counts) as Array<keyof typeof counts>) counts[k] += b.counts[k];
  const stops = [a.stoppedBy, b.stoppedBy];
  return {
    ...a,
    shard: { count: a.shard.count, merged: [...a.shard.merged, ...b.shard.merged].sort((x, y) => x - y) },
    explored: a.explored + b.explored,
    lastSeed: a.lastSeed === null ? b.lastSeed : b.lastSeed === null ? a.lastSeed : Math.max(a.lastSeed, b.lastSeed),
    stoppedBy: stops.includes('failure') ? 'failure' : stops.includes('time') ? 'time' : 'done',
    counts,
    failures: mergeFailures(a.failures, b.failures),
    sometimes: mergeSometimes(a.sometimes, b.sometimes),
    // Shards run side by side: the sweep took as long as the slowest, at the sum of their rates.
    elapsedMs: Math.max(a.elapsedMs, b.elapsedMs),
    seedsPerSecond: Number((a.seedsPerSecond + b.seedsPerSecond).toFixed(2)),
  };
}

function mergeFailures(a: FailureGroup[], b: FailureGroup[]): FailureGroup[] {
  const byCheck = new Map<string, FailureGroup>();
  for (const g of [...a, ...b]) {
    const known = byCheck.get(g.check);
    if (!known) {
      byCheck.set(g.check, structuredClone(g));
      continue;
    }
    const seeds = new Map([...known.seeds, ...g.seeds].map((s) => [s.seed, s]));
    // The group's first seed decides its corpus entry, replay and reason, as in an unsharded sweep.
    const lead = g.seeds[0].seed < known.seeds[0].seed ? g : known;
    byCheck.set(g.check, { ...structuredClone(lead), seeds: [...seeds.values()].sort((x, y) => x.seed - y.seed) });
  }
  return [...byCheck.values()].sort((x, y) => x.seeds[0].seed - y.seeds[0].seed);
}

function mergeSometimes(a: SometimesCount[], b: SometimesCount[]): SometimesCount[] {
  const m = new Map<string, SometimesCount>();
  for (const c of [...a, ...b]) {
    const k = m.get(c.name) ?? { name: c.name, seeds: 0, hits: 0 };
    m.set(c.name, { name: c.name, seeds: k.seeds + c.seeds, hits: k.hits + c.hits });
  }
  return [...m.values()].sort((x, y) => x.name.localeCompare(y.name));
}

function brief(v: unknown): string {
  const text = JSON.stringify(v) ?? 'none';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
