import { describe, expect, it } from 'vitest';
import { twoPc } from '../../protocols/2pc/2pc.ts';
import type { RunResult } from '../../src/run/run.ts';
import type { ScenarioOptions } from '../../src/run/scenario.ts';
import * as shared from './helpers.ts';

/** Runs one seed of a variant with optional scenario knobs. */
function run(variant: string, seed: number, knobs: Partial<ScenarioOptions> = {}): Promise<RunResult> {
  return shared.runVariant(twoPc, variant, seed, knobs);
}

/** The first failing seed in [from, to], or undefined. Seeds run in order, so the answer is fixed. */
async function firstFailure(variant: string, from: number, to: number, knobs: Partial<ScenarioOptions> = {}): Promise<RunResult | undefined> {
  return (await shared.firstFailure(twoPc, variant, from, to, knobs))?.r;
}

/** Crashes only, on 3 nodes: the coordinator n1 is the crashed node a third of the time. */
const CRASHES: Partial<ScenarioOptions> = { nodes: 3, nemesis: ['crash'] };

describe('2pc', () => {
  it('correct passes seeds 0..39 (defaults) and reports blocking as an ok observation', async () => {
    for (let seed = 0; seed <= 39; seed++) {
      const r = await run('correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      const names = r.checks.map((c) => c.checker);
      expect(names).toEqual(['always(2pc-atomicity)', 'always(2pc-commit-needs-all-yes)', '2pc-blocking']);
      const blocking = r.checks[2];
      expect(blocking.verdict).toBe('ok');
      expect(blocking.summary).toMatch(/blocked/);
      // Both outcomes happen: some txns commit (ok), some abort (fail).
      expect(r.sim.stats.ok).toBeGreaterThan(50);
      expect(r.sim.stats.fail).toBeGreaterThan(0);
    }
  });

  it('correct passes seeds 0..39 with crashes only on 3 nodes', async () => {
    for (let seed = 0; seed <= 39; seed++) {
      const r = await run('correct', seed, CRASHES);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
    }
  });

  it('commit-on-timeout breaks atomicity and commit-needs-all-yes at seed 0 (defaults)', async () => {
    const r = await firstFailure('commit-on-timeout', 0, 4);
    expect(r?.options.seed).toBe(0);
    expect(r?.failing).toContain('always(2pc-atomicity)');
    expect(r?.failing).toContain('always(2pc-commit-needs-all-yes)');
  });

  it('decision-not-logged breaks atomicity, first at seed 0 (3 nodes, crashes only)', async () => {
    const r = await firstFailure('decision-not-logged', 0, 9, CRASHES);
    expect(r?.options.seed).toBe(0);
    expect(r?.failing).toEqual(['always(2pc-atomicity)']);
  });

  it('forget-prepared breaks atomicity, first at seed 3 (defaults)', async () => {
    const r = await firstFailure('forget-prepared', 0, 19);
    expect(r?.options.seed).toBe(3);
    expect(r?.failing).toEqual(['always(2pc-atomicity)']);
  });

  it('fingerprints are equal across two runs of the same seed', async () => {
    for (const [variant, seed, knobs] of [['correct', 5, {}], ['decision-not-logged', 0, CRASHES], ['forget-prepared', 3, {}]] as const) {
      const a = await run(variant, seed, knobs);
      const b = await run(variant, seed, knobs);
      expect(a.sim.fingerprint).toBe(b.sim.fingerprint);
      expect(a.status).toBe(b.status);
    }
  });
});
