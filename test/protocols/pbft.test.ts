import { describe, expect, it } from 'vitest';
import { pbft } from '../../protocols/pbft/index.ts';
import { swarmOptions } from '../../src/explore/strategies/swarm.ts';
import { runScenario, type RunResult } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';
import * as shared from './helpers.ts';

/** Seed `seed` as `faultline explore pbft --variant V` runs it (the default strategy, swarm). */
function explored(variant: string, seed: number): Promise<RunResult> {
  const pinned = { variant };
  return runScenario(pbft, { options: swarmOptions(pbft, resolveOptions(pbft, pinned), pinned, seed) });
}

/** The first seed in [from, to] that fails under the default exploration. */
async function firstExploredFailure(variant: string, from: number, to: number): Promise<{ seed: number; r: RunResult } | undefined> {
  for (let seed = from; seed <= to; seed++) {
    const r = await explored(variant, seed);
    if (r.status !== 'pass') return { seed, r };
  }
  return undefined;
}

describe('pbft (n = 3f + 1, replicated KV, Byzantine nemesis)', () => {
  it('correct passes seeds 0..2 under every fault kind, Byzantine ones included, with answers after the heal', async () => {
    let byzantine = 0;
    for (let seed = 0; seed <= 2; seed++) {
      const r = await shared.runVariant(pbft, 'correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      expect(r.checks.map((c) => c.checker)).toEqual(['linearizable(kv)', 'always(honest-replicas-agree)', 'pending-ops-complete']);
      expect(r.sim.stats.ok, `seed ${seed}`).toBeGreaterThan(30);
      byzantine += r.faults.filter((f) => ['equivocate', 'corrupt', 'replay', 'silent'].includes(f.kind)).length;
    }
    expect(byzantine).toBeGreaterThan(0);
  });

  it('correct survives a primary that equivocates (Twins) and one that lies, for the whole run', async () => {
    for (const fault of [
      { kind: 'equivocate' as const, atMs: 0, durationMs: 2000, node: 'n1', side: ['n3', 'n4'], seed: 1 },
      { kind: 'corrupt' as const, atMs: 0, durationMs: 2000, node: 'n1', percent: 50, seed: 2 },
    ]) {
      const options = resolveOptions(pbft, { seed: 4, ops: 60 });
      const r = await runScenario(pbft, { options, faults: [fault] });
      expect({ kind: fault.kind, status: r.status, failing: r.failing }).toEqual({ kind: fault.kind, status: 'pass', failing: [] });
      expect(r.sim.stats.ok).toBeGreaterThan(30);
    }
  });

  it('a plan with Byzantine faults on more than f nodes is refused', () => {
    const options = resolveOptions(pbft, { seed: 1 });
    const faults = [
      { kind: 'silent' as const, atMs: 0, durationMs: 10, node: 'n1' },
      { kind: 'silent' as const, atMs: 0, durationMs: 10, node: 'n2' },
    ];
    return expect(runScenario(pbft, { options, faults })).rejects.toThrow(/more than f = 1/);
  });

  it('prepare-quorum-2f: two quorums of 2f miss each other and honest replicas execute different requests at one number, first at seed 34 of the default exploration', async () => {
    const f = await firstExploredFailure('prepare-quorum-2f', 32, 34);
    expect(f?.seed).toBe(34);
    expect(f?.r.failing).toContain('always(honest-replicas-agree)');
  });

  it('view-change-without-certificates: a committed request loses its number in the next view, first at seed 1', async () => {
    const f = await firstExploredFailure('view-change-without-certificates', 0, 1);
    expect(f?.seed).toBe(1);
    expect(f?.r.failing).toContain('always(honest-replicas-agree)');
  });

  it('no-watermark-check: a corrupt primary sends a number one window ahead, first at seed 160 of the default exploration', async () => {
    const f = await firstExploredFailure('no-watermark-check', 158, 160);
    expect(f?.seed).toBe(160);
    expect(f?.r.failing).toContain('always(honest-replicas-agree)');
    expect(f?.r.faults.some((x) => x.kind === 'corrupt')).toBe(true);
  });
});
