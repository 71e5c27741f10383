import { describe, expect, it } from 'vitest';
import { causal } from '../../protocols/causal/index.ts';
import * as shared from './helpers.ts';

describe('causal broadcast (vector clocks, hold-back queue)', () => {
  it('correct passes seeds 0..7 under the full nemesis: causal order, and everything delivered everywhere after the heal', async () => {
    for (let seed = 0; seed <= 7; seed++) {
      const r = await shared.runVariant(causal, 'correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      expect(r.checks.map((c) => c.checker)).toEqual(['reads-fifo', 'always(causal-delivery)', 'eventually(delivered-everywhere)', 'pending-ops-complete']);
      expect(r.sim.stats.ok, `seed ${seed}`).toBeGreaterThan(100);
    }
  });

  it('no-hold-back delivers ahead of a causal predecessor at seed 0 (and then never delivers it)', async () => {
    const f = await shared.firstFailure(causal, 'no-hold-back', 0, 9);
    expect(f?.seed).toBe(0);
    expect(f?.r.failing).toEqual(['always(causal-delivery)', 'eventually(delivered-everywhere)']);
  });

  it('clock-on-receive stamps messages with counts that name no send of theirs, at seed 0', async () => {
    const f = await shared.firstFailure(causal, 'clock-on-receive', 0, 9);
    expect(f?.seed).toBe(0);
    expect(f?.r.failing).toEqual(['reads-fifo', 'eventually(delivered-everywhere)']);
  });
});
