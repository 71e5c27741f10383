import { describe, expect, it } from 'vitest';
import { paxos } from '../../protocols/paxos/paxos.ts';
import type { RunResult } from '../../src/run/run.ts';
import type { ScenarioOptions } from '../../src/run/scenario.ts';
import * as shared from './helpers.ts';

/** Runs one seed of a variant with optional scenario knobs. */
function run(variant: string, seed: number, knobs: Partial<ScenarioOptions> = {}): Promise<RunResult> {
  return shared.runVariant(paxos, variant, seed, knobs);
}

/** The first failing seed in [from, to], or undefined. Seeds run in order, so the answer is fixed. */
async function firstFailure(variant: string, from: number, to: number, knobs: Partial<ScenarioOptions> = {}): Promise<RunResult | undefined> {
  return (await shared.firstFailure(paxos, variant, from, to, knobs))?.r;
}

/**
 * A lost promise only matters when an acceptor restarts between promising a higher ballot and
 * receiving a lower one's accept: three nodes and frequent short crashes make that window common
 * enough (about 1.5% of seeds; under the full default nemesis it was 0 in 100).
 */
const SHORT_CRASHES: Partial<ScenarioOptions> = { nodes: 3, nemesis: ['crash'], faultIntervalMs: 20, faultDurationMs: 10 };

describe('paxos', () => {
  it('correct passes seeds 0..39 (defaults: 5 nodes, every nemesis)', async () => {
    for (let seed = 0; seed <= 39; seed++) {
      const r = await run('correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      // The run did real work: most ops answered.
      expect(r.sim.stats.ok).toBeGreaterThan(100);
    }
  });

  it('correct passes seeds 0..19 under frequent short crashes on 3 nodes', async () => {
    for (let seed = 0; seed <= 19; seed++) {
      const r = await run('correct', seed, SHORT_CRASHES);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
    }
  });

  it('ignore-accepted breaks agreement at seed 0 (defaults)', async () => {
    const r = await firstFailure('ignore-accepted', 0, 4);
    expect(r?.options.seed).toBe(0);
    expect(r?.failing).toContain('always(paxos-agreement)');
  });

  it('quorum-off-by-one breaks agreement at seed 0 (defaults)', async () => {
    const r = await firstFailure('quorum-off-by-one', 0, 4);
    expect(r?.options.seed).toBe(0);
    expect(r?.failing).toContain('always(paxos-agreement)');
  });

  it('no-persist-promise breaks agreement, first at seed 46 of 0..59 (3 nodes, short crashes)', async () => {
    const r = await firstFailure('no-persist-promise', 0, 59, SHORT_CRASHES);
    expect(r?.options.seed).toBe(46);
    expect(r?.failing).toEqual(['always(paxos-agreement)']);
  });

  it('fingerprints are equal across two runs of the same seed', async () => {
    for (const [variant, seed, knobs] of [['correct', 3, {}], ['ignore-accepted', 0, {}], ['no-persist-promise', 46, SHORT_CRASHES]] as const) {
      const a = await run(variant, seed, knobs);
      const b = await run(variant, seed, knobs);
      expect(a.sim.fingerprint).toBe(b.sim.fingerprint);
      expect(a.status).toBe(b.status);
    }
  });
});
