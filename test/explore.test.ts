import { describe, expect, it } from 'vitest';
import { abd } from '../protocols/abd/abd.ts';
import { explore, type SeedReport } from '../src/run/explore.ts';
import { resolveOptions } from '../src/run/scenario.ts';
import { misbehaving } from './fixtures/misbehaving.ts';

const fixture = { module: new URL('./fixtures/misbehaving.ts', import.meta.url).href, export: 'misbehaving' };

async function collect(cfg: Omit<Parameters<typeof explore>[0], 'onReport'>) {
  const reports: SeedReport[] = [];
  const summary = await explore({ ...cfg, onReport: (r) => void reports.push(r) });
  return { reports, summary };
}

describe('explorer', () => {
  it('gives the same reports, in seed order, in this thread and on a worker pool', async () => {
    const base = resolveOptions(abd, { variant: 'no-write-back', ops: 100 });
    const seeds = Array.from({ length: 16 }, (_, i) => i);
    const common = { protocol: 'abd', base, seeds, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: false };
    const inline = await collect({ ...common, workers: 0 });
    const pooled = await collect({ ...common, workers: 2 });
    expect(pooled.reports.map((r) => r.seed)).toEqual(seeds);
    expect(pooled.reports.map((r) => [r.seed, r.status, r.fingerprint])).toEqual(inline.reports.map((r) => [r.seed, r.status, r.fingerprint]));
  });

  it('stops at the lowest failing seed with stopOnFail, whatever the pool timing', async () => {
    const base = resolveOptions(abd, { variant: 'no-write-back' });
    const { reports, summary } = await collect({ protocol: 'abd', base, seeds: Array.from({ length: 40 }, (_, i) => i), workers: 2, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: true });
    expect(summary.failingSeeds).toEqual([7]);
    expect(reports.map((r) => r.seed)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('a handler that throws ends its own run as crashed; the explorer goes on', async () => {
    const base = resolveOptions(misbehaving, { variant: 'throw', ops: 5 });
    const { reports } = await collect({ protocol: fixture, base, seeds: [0, 1, 2], workers: 0, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: false });
    expect(reports.map((r) => [r.seed, r.status, r.outcome])).toEqual([
      [0, 'fail', 'crashed'],
      [1, 'fail', 'crashed'],
      [2, 'fail', 'crashed'],
    ]);
    expect(reports[0].error?.message).toContain('boom from the protocol in n1 (onTimer tick) at 5 ms');
  });

  it('a handler stuck in an infinite loop ends its own run as hung; the explorer goes on', async () => {
    const base = resolveOptions(misbehaving, { variant: 'spin', ops: 5 });
    const { reports, summary } = await collect({ protocol: fixture, base, seeds: [0, 1, 2, 3, 4, 5], workers: 2, seedTimeoutMs: 3_000, checkDeterminism: false, stopOnFail: false });
    expect(reports.map((r) => r.seed)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(summary.counts.hung).toBeGreaterThan(0);
    expect(summary.counts.pass).toBeGreaterThan(0);
    for (const r of reports.filter((x) => x.status === 'hung')) expect(r.error?.message).toMatch(/no verdict after 3000 ms/);
  });
});
