import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abd } from '../protocols/abd/abd.ts';
import { protocols } from '../protocols/index.ts';
import { raft } from '../protocols/raft/index.ts';
import { CorpusError, loadEntry } from '../src/corpus/corpus.ts';
import { featureHashes, hookCoverage, sometimesFeatures, traceFeatures } from '../src/explore/coverage-key.ts';
import { explore } from '../src/explore/explore.ts';
import type { SeedReport } from '../src/explore/report.ts';
import { exploreSeed } from '../src/explore/seed.ts';
import { planSize, seedAt, type SeedPlan } from '../src/explore/seeds.ts';
import { CAMPAIGN_SEEDS, GENERATION_SEEDS } from '../src/explore/strategies/coverage.ts';
import { defineProtocol } from '../src/run/define.ts';
import { runScenario } from '../src/run/run.ts';
import { resolveOptions } from '../src/run/scenario.ts';
import { shrinkAndSave } from '../src/shrink/counterexample.ts';

async function sweep(cfg: Omit<Parameters<typeof explore>[0], 'onReport'>): Promise<SeedReport[]> {
  const reports: SeedReport[] = [];
  await explore({ ...cfg, onReport: (r) => void reports.push(r) });
  return reports;
}

const key = (rs: SeedReport[]) => rs.map((r) => [r.seed, r.status, r.fingerprint, JSON.stringify(r.strategy), JSON.stringify(r.options)]);

describe('coverage strategy', () => {
  const base = resolveOptions(abd, { variant: 'minority-quorum', ops: 30 });
  const common = { protocol: 'abd', base, strategy: 'coverage' as const, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: false };

  it('gives the same runs and verdicts on 0, 1 and 2 workers, feedback and all', async () => {
    const seeds = { from: 0, to: 3 * GENERATION_SEEDS - 1, shard: { index: 1, count: 1 } };
    const inline = await sweep({ ...common, seeds, workers: 0 });
    const one = await sweep({ ...common, seeds, workers: 1 });
    const two = await sweep({ ...common, seeds, workers: 2 });
    expect(inline.map((r) => r.seed)).toEqual(Array.from({ length: 3 * GENERATION_SEEDS }, (_, i) => i));
    expect(key(one)).toEqual(key(inline));
    expect(key(two)).toEqual(key(inline));
    // Worth comparing only if feedback was used: later generations run kept scenarios mutated.
    const mutated = inline.filter((r) => r.strategy?.params?.mutation !== 'fresh');
    expect(mutated.length).toBeGreaterThan(3);
    expect(mutated.every((r) => r.seed >= 2 * GENERATION_SEEDS)).toBe(true);
    for (const r of mutated) expect(Number(r.strategy!.params!.parent)).toBeLessThan(r.seed - GENERATION_SEEDS);
    expect(new Set(inline.map((r) => r.status))).toEqual(new Set(['pass', 'fail']));
  });

  it('shards take whole campaigns: their union is the unsharded sweep', async () => {
    // Two campaigns (the range crosses a campaign boundary), with feedback in each.
    const from = CAMPAIGN_SEEDS - 2 * GENERATION_SEEDS - 5;
    const to = CAMPAIGN_SEEDS + 2 * GENERATION_SEEDS + 4;
    const whole = await sweep({ ...common, seeds: { from, to, shard: { index: 1, count: 1 } }, workers: 0 });
    const a = await sweep({ ...common, seeds: { from, to, shard: { index: 1, count: 2 } }, workers: 0 });
    const b = await sweep({ ...common, seeds: { from, to, shard: { index: 2, count: 2 } }, workers: 2 });
    expect(a.map((r) => r.seed)).toEqual(Array.from({ length: CAMPAIGN_SEEDS - from }, (_, i) => from + i));
    expect(b.map((r) => r.seed)).toEqual(Array.from({ length: to - CAMPAIGN_SEEDS + 1 }, (_, i) => CAMPAIGN_SEEDS + i));
    expect(key([...a, ...b])).toEqual(key(whole));
  });

  it("a mutated seed's failure replays from its corpus entry alone, which records the strategy", async () => {
    const reports = await sweep({ ...common, seeds: { from: 0, to: 3 * GENERATION_SEEDS - 1, shard: { index: 1, count: 1 } }, workers: 0 });
    const failing = reports.find((r) => r.status === 'fail' && r.strategy?.params?.mutation !== 'fresh');
    expect(failing, 'no mutated seed failed').toBeDefined();
    const again = await runScenario(abd, { options: failing!.options });
    expect(again.sim.fingerprint).toBe(failing!.fingerprint);
    const dir = mkdtempSync(join(tmpdir(), 'faultline-coverage-'));
    const cx = await shrinkAndSave(abd, { options: failing!.options }, { maxRuns: 200, corpusDir: dir, createdBy: 'coverage test', strategy: failing!.strategy });
    const { entry, input } = loadEntry(cx.saved!, protocols);
    expect(entry.strategy).toEqual(failing!.strategy);
    const replayed = await runScenario(abd, input);
    expect(replayed.status).toBe('fail');
    expect(replayed.sim.fingerprint).toBe(entry.fingerprint);
  });

  it("uses the protocol's coverage hook when it has one, else the trace", async () => {
    const options = resolveOptions(raft, { seed: 3, ops: 40, nodes: 3 });
    const report = await exploreSeed({ protocol: 'raft', base: options, pinned: {}, strategy: 'coverage', seed: 3, checkDeterminism: false, options, coverage: true });
    const hook = hookCoverage(raft, options.variant);
    const r = await runScenario(raft, { options }, { watchers: [hook.observer], recordTrace: true });
    const fromHook = featureHashes([...hook.features(), ...sometimesFeatures(r.sim.sometimes)]);
    expect(report.coverage).toEqual(fromHook);
    expect(report.coverage).not.toEqual(featureHashes([...traceFeatures(r.sim.trace), ...sometimesFeatures(r.sim.sometimes)]));
    expect([...hook.features()].some((f) => f.startsWith('k:') && f.includes('L'))).toBe(true);
    // A protocol without the hook: features from the trace, message types and local events.
    const plain = resolveOptions(abd, { seed: 3, ops: 20 });
    const traced = await runScenario(abd, { options: plain }, { recordTrace: true });
    const features = traceFeatures(traced.sim.trace);
    expect([...features].some((f) => f.startsWith('e:deliver '))).toBe(true);
    expect([...features].some((f) => f.startsWith('s:'))).toBe(true);
  });

  it('a hook that names more states makes more features (the hook decides what is covered)', async () => {
    const options = resolveOptions(abd, { seed: 5, ops: 30, nemesis: ['crash'], faultIntervalMs: 50, faultDurationMs: 40 });
    const count = async (coverage: (v: Parameters<NonNullable<typeof abd.coverage>>[0]) => string) => {
      const hook = hookCoverage({ ...abd, coverage }, options.variant);
      await runScenario(abd, { options }, { watchers: [hook.observer] });
      return hook.features();
    };
    expect(await count(() => 'one')).toEqual(new Set(['k:one']));
    const up = await count((v) => `${v.nodes.filter((n) => n.up).length} up`);
    const n = options.nodes;
    expect(up.has(`k:${n} up`)).toBe(true);
    expect(up.has(`k:${n - 1} up`)).toBe(true);
    expect(up.has(`k:${n} up>${n - 1} up`)).toBe(true);
  });

  it('a coverage hook that is not a function is refused in one line naming the field', () => {
    const spec = { name: 'x', description: 'x', variants: { correct: { kind: 'correct' as const, description: 'x' } }, defaultVariant: 'correct' as const, create: abd.create, workload: abd.workload, checkers: abd.checkers };
    expect(() => defineProtocol({ ...spec, coverage: 'role' as unknown as () => string })).toThrow(/^protocol "x": 'coverage' must be a function \(view, variant\)/);
  });
});

describe('shards of blocks', () => {
  it('shard K of N takes the blocks b = floor(s / block) with b mod N = K-1, in order; planSize agrees', () => {
    for (const blockSeeds of [1, 3, 10]) {
      for (const count of [1, 2, 3]) {
        for (const [from, to] of [[0, 29], [5, 57], [13, 13], [9, 4]]) {
          for (let index = 1; index <= count; index++) {
            const plan: SeedPlan = { from, to, shard: { index, count }, blockSeeds };
            const want = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i).filter((s) => Math.floor(s / blockSeeds) % count === index - 1);
            const got: number[] = [];
            for (let i = 0, s = seedAt(plan, 0); s !== undefined; s = seedAt(plan, ++i)) got.push(s);
            expect(got, JSON.stringify(plan)).toEqual(want);
            expect(planSize(plan)).toBe(want.length);
          }
        }
      }
    }
  });
});

describe('strategy field of corpus entries', () => {
  it('an entry without it loads; one with a malformed one is refused in one line', () => {
    const file = 'corpus/abd/minority-quorum-0.json';
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(raw.strategy).toBeUndefined();
    expect(loadEntry(file, protocols).entry.strategy).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'faultline-strategy-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ ...raw, strategy: { name: 'coverage', params: { parent: 12, mutation: 'reseed' } } }));
    expect(loadEntry(good, protocols).entry.strategy).toEqual({ name: 'coverage', params: { parent: 12, mutation: 'reseed' } });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...raw, strategy: { name: 'coverage', params: { parent: { seed: 12 } } } }));
    expect(() => loadEntry(bad, protocols)).toThrow(CorpusError);
    expect(() => loadEntry(bad, protocols)).toThrow(/^[^\n]*strategy\.params[^\n]*$/);
  });
});
