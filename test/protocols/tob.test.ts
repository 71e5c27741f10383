import { describe, expect, it } from 'vitest';
import { tob } from '../../protocols/tob/index.ts';
import * as shared from './helpers.ts';

describe('total-order broadcast (Lamport clocks)', () => {
  it('correct passes seeds 0..5 under the full nemesis: one total order, and everything delivered everywhere after the heal', async () => {
    for (let seed = 0; seed <= 5; seed++) {
      const r = await shared.runVariant(tob, 'correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      expect(r.checks.map((c) => c.checker)).toEqual(['reads-agree', 'always(total-order)', 'eventually(delivered-everywhere)', 'pending-ops-complete']);
      // Not vacuous: broadcasts were acknowledged and reads answered.
      expect(r.sim.stats.ok, `seed ${seed}`).toBeGreaterThan(100);
    }
  });

  it('correct passes seeds 0..9 of the default exploration (swarm)', async () => {
    expect(await shared.firstSwarmFailure(tob, 'correct', 0, 9)).toBeUndefined();
  });

  it('arrival-tiebreak: two nodes order equal timestamps differently, found at swarm seed 0', async () => {
    const f = await shared.firstSwarmFailure(tob, 'arrival-tiebreak', 0, 9);
    expect(f?.seed).toBe(0);
    expect(f?.r.failing).toEqual(['reads-agree', 'always(total-order)']);
  });
});
