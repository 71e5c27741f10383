import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abd } from '../protocols/abd/abd.ts';
import { protocols } from '../protocols/index.ts';
import { loadEntry } from '../src/corpus/corpus.ts';
import { explore } from '../src/explore/explore.ts';
import type { SeedReport } from '../src/explore/report.ts';
import { optionsFor } from '../src/explore/strategies/index.ts';
import { swarmOptions } from '../src/explore/strategies/swarm.ts';
import { SummaryBuilder } from '../src/explore/summary.ts';
import { runScenario } from '../src/run/run.ts';
import { resolveOptions, validateOptions } from '../src/run/scenario.ts';
import { shrinkAndSave } from '../src/shrink/counterexample.ts';
import { misbehaving } from './fixtures/misbehaving.ts';

describe('strategies', () => {
  it('swarm draws a valid scenario per seed, within the protocol bounds, the same every time', () => {
    for (const p of protocols) {
      const base = resolveOptions(p, {});
      const nemesisSets = new Set<string>();
      let single = 0;
      let asBase = 0;
      for (let seed = 0; seed < 100; seed++) {
        const o = swarmOptions(p, base, {}, seed);
        expect(swarmOptions(p, base, {}, seed)).toEqual(o);
        expect(() => validateOptions(p, o)).not.toThrow();
        expect(o.nodes).toBeGreaterThanOrEqual(p.minNodes ?? 1);
        expect(o.nodes).toBeLessThanOrEqual(Math.max(base.nodes, p.minNodes ?? 1));
        expect(o.seed).toBe(seed);
        nemesisSets.add(o.nemesis.join(','));
        if (o.nemesis.length === 1) single++;
        if (JSON.stringify(o) === JSON.stringify({ ...base, seed })) asBase++;
      }
      // Swarm's point: seeds differ in which faults they get, not only in when; one kind alone is
      // common; about a quarter of the seeds keep the protocol's own scenario.
      // A protocol with a smaller fault menu (3PC: crash-stop) has fewer subsets to draw, all within it.
      // Swarm draws 0 to 3 kinds, half the table or all of them: the bar is half of the subsets of
      // those sizes the menu has (Chord's 6 kinds: 43, of which 100 seeds reach about 23).
      expect(nemesisSets.size).toBeGreaterThan(Math.min(25, Math.floor(drawableSubsets(base.nemesis.length) / 2)));
      for (const set of nemesisSets) for (const n of set.split(',').filter(Boolean)) expect(base.nemesis).toContain(n);
      expect(single).toBeGreaterThan(20);
      expect(asBase).toBeGreaterThan(10);
      expect(asBase).toBeLessThan(45);
    }
  });

  it('swarm leaves the options given explicitly as given', () => {
    const base = resolveOptions(abd, { nodes: 4, nemesis: ['crash'] });
    for (let seed = 0; seed < 50; seed++) {
      const o = swarmOptions(abd, base, { nodes: 4, nemesis: ['crash'] }, seed);
      expect([o.nodes, o.nemesis]).toEqual([4, ['crash']]);
    }
  });

  it('random changes only the seed', () => {
    const base = resolveOptions(abd, {});
    expect(optionsFor('random', abd, base, {}, 9)).toEqual({ ...base, seed: 9 });
  });

  it('a swarm failure saved to the corpus replays from the entry alone, to its fingerprint', async () => {
    const base = resolveOptions(abd, { variant: 'minority-quorum', ops: 60 });
    const failing: SeedReport[] = [];
    await explore({ protocol: 'abd', base, strategy: 'swarm', seeds: { from: 0, to: 20, shard: { index: 1, count: 1 } }, workers: 0, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: true, onReport: (r) => void (r.status === 'fail' && failing.push(r)) });
    expect(failing).toHaveLength(1);
    const options = failing[0].options;
    expect(options).toEqual(swarmOptions(abd, base, {}, failing[0].seed));
    const again = await runScenario(abd, { options });
    expect(again.sim.fingerprint).toBe(failing[0].fingerprint);
    const dir = mkdtempSync(join(tmpdir(), 'faultline-swarm-'));
    const cx = await shrinkAndSave(abd, { options }, { maxRuns: 300, corpusDir: dir, createdBy: 'strategies test' });
    const { entry, input } = loadEntry(cx.saved!, protocols);
    const replayed = await runScenario(abd, input);
    expect(replayed.status).toBe('fail');
    expect(replayed.sim.fingerprint).toBe(entry.fingerprint);
  });
});

describe('ctx.sometimes', () => {
  it('explore counts, per name, the seeds and times a situation was reached, and names the never-reached', async () => {
    const fixture = { module: new URL('./fixtures/misbehaving.ts', import.meta.url).href, export: 'misbehaving' };
    const base = resolveOptions(misbehaving, { variant: 'sometimes', ops: 5, nodes: 3, nemesis: [] });
    const { seed: _seed, ...options } = base;
    const header = { protocol: 'misbehaving', module: null, variant: 'sometimes', strategy: 'random' as const, options, checkDeterminism: false, seeds: { from: 0, to: 5 }, timeBudgetMs: null, stopAtFirstFailure: false, shard: { index: 1, count: 1 } };
    const builder = new SummaryBuilder(header, () => '');
    const perSeed: Array<Record<string, number>> = [];
    await explore({ protocol: fixture, base, seeds: [0, 1, 2, 3, 4, 5], workers: 1, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: false, onReport: (r) => {
      builder.add(r);
      perSeed.push(r.sometimes ?? {});
    } });
    const s = builder.finish({ stoppedBy: 'done', elapsedMs: 1 });
    const byName = Object.fromEntries(s.sometimes.map((x) => [x.name, x]));
    expect(byName['timer fired']).toEqual({ name: 'timer fired', seeds: 6, hits: 18 });
    expect(byName['node n9 exists']).toEqual({ name: 'node n9 exists', seeds: 0, hits: 0 });
    const high = perSeed.map((x) => x['n1 drew a high number']);
    expect(byName['n1 drew a high number'].hits).toBe(high.reduce((a, b) => a + b, 0));
    expect(byName['n1 drew a high number'].seeds).toBe(high.filter((h) => h > 0).length);
  });
});

/** Subsets of a menu of `k` kinds that swarm's draw of 0, 1, 2, 3 or all kinds can give. */
function drawableSubsets(k: number): number {
  const choose = (n: number, r: number): number => (r < 0 || r > n ? 0 : r === 0 ? 1 : (choose(n - 1, r - 1) * n) / r);
  const small = [0, 1, 2, 3].filter((r) => r < k).reduce((sum, r) => sum + choose(k, r), 0);
  return small + 1;
}
