import { describe, expect, it } from 'vitest';
import { abd } from '../protocols/abd/abd.ts';
import { explore } from '../src/explore/explore.ts';
import { SeedPool, WorkerHarnessError } from '../src/explore/pool.ts';
import type { SeedReport } from '../src/explore/report.ts';
import type { SeedTask } from '../src/explore/seed.ts';
import { resolveOptions } from '../src/run/scenario.ts';
import { misbehaving } from './fixtures/misbehaving.ts';

const fixture = { module: new URL('./fixtures/misbehaving.ts', import.meta.url).href, export: 'misbehaving' };

async function collect(cfg: Omit<Parameters<typeof explore>[0], 'onReport'>) {
  const reports: SeedReport[] = [];
  const summary = await explore({ ...cfg, onReport: (r) => void reports.push(r) });
  return { reports, summary };
}

describe('explorer', () => {
  it.each(['random', 'swarm'] as const)('gives the same reports, in seed order, on 0, 1 and 2 workers (%s)', async (strategy) => {
    const base = resolveOptions(abd, { variant: 'minority-quorum', ops: 60 });
    const seeds = Array.from({ length: 12 }, (_, i) => i);
    const common = { protocol: 'abd', base, strategy, seeds, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: false };
    const key = (rs: SeedReport[]) => rs.map((r) => [r.seed, r.status, r.failing.join('+'), r.fingerprint]);
    const inline = await collect({ ...common, workers: 0 });
    const one = await collect({ ...common, workers: 1 });
    const two = await collect({ ...common, workers: 2 });
    expect(two.reports.map((r) => r.seed)).toEqual(seeds);
    expect(key(one.reports)).toEqual(key(inline.reports));
    expect(key(two.reports)).toEqual(key(inline.reports));
    // The sweep is worth comparing only if it has both verdicts in it.
    expect(new Set(inline.reports.map((r) => r.status))).toEqual(new Set(['pass', 'fail']));
  });

  it('a worker killed mid-sweep (process.exit) is replaced: its seed ends crashed, the sweep completes', async () => {
    const base = resolveOptions(misbehaving, { variant: 'exit', ops: 5 });
    const seeds = Array.from({ length: 10 }, (_, i) => i);
    const cfg = { protocol: fixture, base, seeds, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: false };
    const two = await collect({ ...cfg, workers: 2 });
    const one = await collect({ ...cfg, workers: 1 });
    expect(two.reports.map((r) => r.seed)).toEqual(seeds);
    expect(two.summary.counts.crashed).toBeGreaterThan(0);
    expect(two.summary.counts.pass).toBeGreaterThan(0);
    for (const r of two.reports.filter((x) => x.status === 'crashed')) {
      expect(r.failing).toEqual(['worker-died']);
      expect(r.error?.message).toMatch(/worker thread running this seed died/);
    }
    // Which seeds kill their worker is the seed's business, not the pool's.
    expect(two.reports.map((r) => [r.seed, r.status])).toEqual(one.reports.map((r) => [r.seed, r.status]));
  });

  it('a protocol allocating without bound ends its own seed as crashed: out of memory', async () => {
    const base = resolveOptions(misbehaving, { variant: 'hog', ops: 5 });
    const seeds = Array.from({ length: 6 }, (_, i) => i);
    const { reports, summary } = await collect({ protocol: fixture, base, seeds, workers: 2, memoryLimitMb: 48, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: false });
    expect(reports.map((r) => r.seed)).toEqual(seeds);
    expect(summary.counts.crashed).toBeGreaterThan(0);
    expect(summary.counts.pass).toBeGreaterThan(0);
    for (const r of reports.filter((x) => x.status === 'crashed')) {
      expect(r.failing).toEqual(['out-of-memory']);
      expect(r.error?.message).toMatch(/^crashed: out of memory/);
    }
  });

  it('stops at the lowest failing seed with stopOnFail, whatever the pool timing', async () => {
    const base = resolveOptions(abd, { variant: 'no-write-back' });
    const { reports, summary } = await collect({ protocol: 'abd', base, seeds: Array.from({ length: 40 }, (_, i) => i), workers: 2, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: true });
    expect(summary.failingSeeds).toEqual([7]);
    expect(reports.map((r) => r.seed)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it.each([0, 2])('a time budget ends an open-ended plan; the seeds that ran are a prefix, in order (%i workers)', async (workers) => {
    const base = resolveOptions(abd, { ops: 20 });
    const { reports, summary } = await collect({ protocol: 'abd', base, seeds: { from: 5, shard: { index: 2, count: 3 } }, timeBudgetMs: 1500, workers, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: false });
    expect(summary.stoppedBy).toBe('time');
    expect(summary.explored).toBe(reports.length);
    // How many fit depends on the machine; which ones does not: 7, 10, 13, ... (s mod 3 = 1, from 5).
    expect(reports.map((r) => r.seed)).toEqual(reports.map((_, i) => 7 + 3 * i));
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
    const { reports, summary } = await collect({ protocol: fixture, base, seeds: [0, 1, 2, 3, 4, 5], workers: 2, seedTimeoutMs: 6_000, checkDeterminism: false, stopOnFail: false });
    expect(reports.map((r) => r.seed)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(summary.counts.hung).toBeGreaterThan(0);
    expect(summary.counts.pass).toBeGreaterThan(0);
    for (const r of reports.filter((x) => x.status === 'hung')) expect(r.error?.message).toMatch(/no verdict after 6000 ms/);
  });
});

describe('seed pool', () => {
  it('drops a late answer of an aborted seed (piscina reports it on the pool), and turns any other pool error into a harness error', async () => {
    const pool = new SeedPool({ workers: 1, seedTimeoutMs: 60_000, memoryLimitMb: 256 });
    try {
      const piscina = (pool as unknown as { piscina: NodeJS.EventEmitter }).piscina;
      // Unhandled, an 'error' event would throw here and kill the process running the sweep.
      expect(() => piscina.emit('error', new Error('Unexpected message from Worker: { taskId: 83 }'))).not.toThrow();
      const options = resolveOptions(abd, { ops: 5 });
      const task: SeedTask = { protocol: 'abd', base: options, pinned: {}, strategy: 'random', seed: 3, checkDeterminism: false };
      const report = await pool.run(task, options);
      expect(report?.status).toBe('pass');
      piscina.emit('error', new Error('worker pool exploded'));
      await expect(pool.run(task, options)).rejects.toBeInstanceOf(WorkerHarnessError);
    } finally {
      await pool.close();
    }
  });
});
