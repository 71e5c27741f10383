import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './badinput/helpers.ts';
import { abd } from '../protocols/abd/abd.ts';
import { explore } from '../src/explore/explore.ts';
import { mergeSummaries } from '../src/explore/merge.ts';
import { strategyNames } from '../src/explore/strategies/index.ts';
import type { SeedReport } from '../src/explore/report.ts';
import { parseDuration, parseShard, planSize, seedAt, type SeedPlan } from '../src/explore/seeds.ts';
import { SummaryBuilder, type ExploreSummaryJson } from '../src/explore/summary.ts';
import { resolveOptions } from '../src/run/scenario.ts';

const tsx = createRequire(import.meta.url).resolve('tsx/cli');

/** Runs the CLI in a fresh process, as a user would. */
function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [tsx, 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const base = resolveOptions(abd, { variant: 'minority-quorum', ops: 60 });
const { seed: _seed, ...options } = base;

/** One shard's sweep as `faultline explore --json` summarises it (in this thread, no shrinking). */
async function shardSummary(index: number, count: number): Promise<ExploreSummaryJson> {
  const shard = { index, count };
  const builder = new SummaryBuilder(
    { protocol: 'abd', module: null, variant: base.variant, strategy: 'swarm', options, checkDeterminism: false, seeds: { from: 0, to: 17 }, timeBudgetMs: null, stopAtFirstFailure: false, shard },
    (r: SeedReport) => `seed ${r.seed}`,
  );
  const s = await explore({ protocol: 'abd', base, strategy: 'swarm', seeds: { from: 0, to: 17, shard }, workers: 0, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: false, onReport: (r) => void builder.add(r) });
  return builder.finish({ stoppedBy: s.stoppedBy, elapsedMs: s.elapsedMs });
}

describe('shards and merge', () => {
  it('shard K/N takes the seeds s with s mod N = K-1: disjoint, and together the whole range', () => {
    const range = (plan: SeedPlan) => Array.from({ length: planSize(plan) }, (_, i) => seedAt(plan, i)!);
    const shards = [1, 2, 3, 4].map((index) => range({ from: 5, to: 30, shard: { index, count: 4 } }));
    for (const [k, seeds] of shards.entries()) for (const s of seeds) expect(s % 4).toBe(k);
    expect(shards.flat().sort((a, b) => a - b)).toEqual(range({ from: 5, to: 30, shard: { index: 1, count: 1 } }));
    expect(seedAt({ from: 0, shard: { index: 3, count: 4 } }, 1_000)).toBe(4002);
  });

  it('merged shard summaries equal the unsharded sweep: same failing seeds, fingerprints, counts', async () => {
    const whole = await shardSummary(1, 1);
    const parts = await Promise.all([1, 2, 3].map((k) => shardSummary(k, 3)));
    const merged = mergeSummaries(parts.map((summary, k) => ({ file: `shard-${k + 1}.json`, summary: { ...summary, shard: { ...summary.shard } } })));
    const failingSeeds = (s: ExploreSummaryJson) => s.failures.flatMap((g) => g.seeds.map((x) => x.seed));
    for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) expect(failingSeeds(parts[i]).filter((s) => failingSeeds(parts[j]).includes(s))).toEqual([]);
    expect(whole.counts.fail).toBeGreaterThan(0);
    expect(whole.counts.pass).toBeGreaterThan(0);
    expect(merged.counts).toEqual(whole.counts);
    expect(merged.explored).toBe(whole.explored);
    expect(merged.failures.map((g) => [g.check, g.seeds])).toEqual(whole.failures.map((g) => [g.check, g.seeds]));
    expect(merged.sometimes).toEqual(whole.sometimes);
  });

  it('refuses a shard given twice, and summaries of different sweeps', async () => {
    const one = await shardSummary(1, 3);
    expect(() => mergeSummaries([{ file: 'a.json', summary: one }, { file: 'b.json', summary: one }])).toThrow(/a.json and b.json both hold shard 1\/3|b.json and a.json both hold shard 1\/3/);
    const other = { ...one, variant: 'correct', shard: { count: 3, merged: [2] } };
    expect(() => mergeSummaries([{ file: 'a.json', summary: one }, { file: 'b.json', summary: other }])).toThrow(/cannot merge b.json with a.json: they explored different variant/);
  });

  it('parses shards and durations, or says what is wrong', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard('3/2')).toMatch(/K counts from 1 to N/);
    expect(parseShard('0/4')).toMatch(/K counts from 1 to N/);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('5x')).toMatch(/--time takes a duration/);
    expect(parseDuration('')).toMatch(/--time takes a duration/);
  });
});

describe('faultline explore / merge (CLI)', () => {
  it('two shards merged give the unsharded sweep; the summary groups failures by check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-explore-'));
    const args = ['explore', 'abd', '--variant', 'minority-quorum', '--ops', '60', '--seeds', '0..7', '--keep-going', '--no-shrink', '--workers', '0', '--json'];
    const whole = cli(...args);
    expect(whole.code).toBe(1);
    for (const k of [1, 2]) writeFileSync(join(dir, `s${k}.json`), cli(...args, '--shard', `${k}/2`).out);
    const merged = cli('merge', join(dir, 's1.json'), join(dir, 's2.json'), '--json');
    expect(merged.code).toBe(1);
    const a = JSON.parse(whole.out) as ExploreSummaryJson;
    const b = JSON.parse(merged.out) as ExploreSummaryJson;
    expect(b.failures).toEqual(a.failures);
    expect(b.counts).toEqual(a.counts);
    expect(b.shard).toEqual({ count: 2, merged: [1, 2] });
    const text = cli('merge', join(dir, 's1.json'));
    expect(text.out).toMatch(/merged 1 of 2 shards .*\nmissing shards: 2\/2/);
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ ...a, protocol: 'raft' }));
    const refused = cli('merge', join(dir, 's1.json'), join(dir, 'other.json'));
    expect(refused.code).toBe(2);
    expect(refused.err.trim().split('\n')).toHaveLength(1);
    expect(refused.err).toMatch(/cannot merge .*other.json with .*s1.json: they explored different protocol/);
  });

  it("explores a user's module and reports its sometimes situations, reached and never reached", () => {
    const r = cli('explore', './test/fixtures/misbehaving.ts#misbehaving', '--variant', 'sometimes', '--ops', '5', '--nemesis', 'none', '--strategy', 'random', '--seeds', '0..2', '--workers', '0');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/explored 3 seeds \(up to seed 2\) of misbehaving\/sometimes: 3 pass, 0 fail/);
    expect(r.out).toMatch(/NEVER\s+node n9 exists\s+0\s+0/);
    expect(r.out).toMatch(/reached\s+timer fired\s+3\s+15/);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['--shard 3/2', ['explore', 'abd', '--shard', '3/2'], /--shard 3\/2: K counts from 1 to N \(2\)/],
    ['--shard 0/4', ['explore', 'abd', '--shard', '0/4'], /--shard 0\/4: K counts from 1 to N \(4\)/],
    ['--workers 0 with a watchdog', ['explore', 'abd', '--workers', '0', '--seed-timeout', '5'], /--seed-timeout needs worker threads/],
    ['an unknown strategy', ['explore', 'abd', '--strategy', 'genetic'], new RegExp(`--strategy takes one of ${strategyNames.join(', ')}, got 'genetic'`)],
    ['--time 5x', ['explore', 'abd', '--time', '5x'], /--time takes a duration such as 60s, 10m, 1h or 1m30s, got '5x'/],
    ['a file that is not a summary', ['merge', 'package.json'], /package.json: not an explore summary/],
  ];
  // In process: a tsx spawn per bad-usage case costs seconds.
  for (const [what, args, message] of bad) {
    it(`rejects ${what} with one line and exit code 2`, async () => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.errLines).toHaveLength(1);
      expect(r.errLines[0]).toMatch(message);
      expect(r.out).toBe('');
    });
  }
});
