import type { ScenarioOptions } from '../run/scenario.ts';
import { isFailure, type SeedReport, type SeedStatus } from './report.ts';
import type { Shard } from './seeds.ts';
import type { StrategyName } from './strategies/index.ts';

/** One distinct violation: every seed whose first violated check is `check`. */
export interface FailureGroup {
  check: string;
  /** `fail` (a check or the run itself), `hung` or `crashed` (the pool's verdicts). */
  status: SeedStatus;
  /** In seed order. */
  seeds: Array<{ seed: number; fingerprint: string }>;
  /** The first seed's one-line reason. */
  summary: string;
  /** The corpus entry of the group's shrunk first seed, if one was written. */
  corpus: string | null;
  /** How to see it again (the corpus replay, else the run command). */
  replay: string;
}

/** How often a `ctx.sometimes` situation was reached. */
export interface SometimesCount {
  name: string;
  /** Seeds in which it held at least once. */
  seeds: number;
  /** Times it held, over all seeds. */
  hits: number;
}

/**
 * What `faultline explore --json` prints and `faultline merge` reads: plain data, the same for any
 * worker count but for the timing fields (`elapsedMs`, `seedsPerSecond`).
 */
export interface ExploreSummaryJson {
  format: 'faultline-explore-summary';
  version: 1;
  protocol: string;
  /** For a user's protocol: the module, as given. */
  module: string | null;
  variant: string;
  strategy: StrategyName;
  /** The scenario every seed starts from (the strategy may vary it per seed). */
  options: Omit<ScenarioOptions, 'seed'>;
  checkDeterminism: boolean;
  /** The seed range (`to` null: open-ended, under a time budget). */
  seeds: { from: number; to: number | null };
  timeBudgetMs: number | null;
  /** The slicing these shards come from, and the slices merged into this summary. */
  shard: { count: number; merged: number[] };
  stopAtFirstFailure: boolean;
  explored: number;
  lastSeed: number | null;
  stoppedBy: 'done' | 'failure' | 'time';
  counts: Record<SeedStatus, number>;
  failures: FailureGroup[];
  sometimes: SometimesCount[];
  elapsedMs: number;
  seedsPerSecond: number;
}

/** The run-wide facts of a summary, known before the first seed. */
export type SummaryHeader = Pick<
  ExploreSummaryJson,
  'protocol' | 'module' | 'variant' | 'strategy' | 'options' | 'checkDeterminism' | 'seeds' | 'timeBudgetMs' | 'stopAtFirstFailure'
> & { shard: Shard };

/**
 * Collects seed reports (in seed order) into a summary: counts, failures grouped by their first
 * violated check, `sometimes` counts.
 *
 * @example
 * const b = new SummaryBuilder(header, (r) => `faultline run abd --seed ${r.seed}`);
 * b.add(report);
 * const json = b.finish({ stoppedBy: 'done', elapsedMs: 1200 });
 */
export class SummaryBuilder {
  private readonly counts: Record<SeedStatus, number> = { pass: 0, fail: 0, unknown: 0, hung: 0, crashed: 0 };
  private readonly groups = new Map<string, FailureGroup>();
  private readonly sometimes = new Map<string, SometimesCount>();
  private exploredCount = 0;
  private lastSeed: number | null = null;

  constructor(
    private readonly header: SummaryHeader,
    private readonly replayOf: (r: SeedReport) => string,
  ) {}

  /** Adds one seed's report; returns its group when the seed is the first of a new distinct failure. */
  add(r: SeedReport): FailureGroup | undefined {
    this.exploredCount++;
    this.counts[r.status]++;
    this.lastSeed = r.seed;
    for (const [name, hits] of Object.entries(r.sometimes ?? {})) {
      const c = this.sometimes.get(name) ?? { name, seeds: 0, hits: 0 };
      c.seeds += hits > 0 ? 1 : 0;
      c.hits += hits;
      this.sometimes.set(name, c);
    }
    if (!isFailure(r.status)) return undefined;
    const check = r.failing[0] ?? r.status;
    const known = this.groups.get(check);
    if (known) {
      known.seeds.push({ seed: r.seed, fingerprint: r.fingerprint });
      return undefined;
    }
    const summary = r.checks.find((c) => c.checker === check)?.summary ?? r.error?.message ?? check;
    const group: FailureGroup = { check, status: r.status, seeds: [{ seed: r.seed, fingerprint: r.fingerprint }], summary, corpus: null, replay: this.replayOf(r) };
    this.groups.set(check, group);
    return group;
  }

  /** Seeds added so far. */
  explored(): number {
    return this.exploredCount;
  }

  /** The groups so far, in order of their first seed. */
  failures(): FailureGroup[] {
    return [...this.groups.values()];
  }

  finish(end: { stoppedBy: ExploreSummaryJson['stoppedBy']; elapsedMs: number }): ExploreSummaryJson {
    const { shard, ...header } = this.header;
    return {
      format: 'faultline-explore-summary',
      version: 1,
      ...header,
      shard: { count: shard.count, merged: [shard.index] },
      explored: this.exploredCount,
      lastSeed: this.lastSeed,
      stoppedBy: end.stoppedBy,
      counts: { ...this.counts },
      failures: this.failures(),
      sometimes: [...this.sometimes.values()].sort((a, b) => a.name.localeCompare(b.name)),
      elapsedMs: Math.round(end.elapsedMs),
      seedsPerSecond: end.elapsedMs > 0 ? Number(((this.exploredCount * 1000) / end.elapsedMs).toFixed(2)) : 0,
    };
  }
}
