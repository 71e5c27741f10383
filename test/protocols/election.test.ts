import { describe, expect, it } from 'vitest';
import { election } from '../../protocols/election/index.ts';
import * as shared from './helpers.ts';

describe('election (bully, heartbeat failure detector, single-writer log)', () => {
  it('correct passes seeds 0..5 under the full nemesis, with a single leader soon after the heal', async () => {
    for (let seed = 0; seed <= 5; seed++) {
      const r = await shared.runVariant(election, 'correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      const names = r.checks.map((c) => c.checker);
      expect(names).toEqual([
        'appends-distinct-indexes',
        'reads-see-acknowledged-appends',
        'always(one-leader-per-epoch)',
        'always(log-never-forks)',
        'eventually(one-leader-after-heal)',
        'pending-ops-complete',
      ]);
      // Not vacuous: appends were acknowledged and reads answered.
      expect(r.sim.stats.ok, `seed ${seed}`).toBeGreaterThan(50);
    }
  });

  it('no-quorum: split brain at seed 0, two leaders of one epoch and a forked log', async () => {
    const f = await shared.firstFailure(election, 'no-quorum', 0, 9);
    expect(f?.seed).toBe(0);
    expect(f?.r.failing).toContain('always(one-leader-per-epoch)');
    expect(f?.r.failing).toContain('always(log-never-forks)');
  });

  it('lease-reads: a deposed leader serves a stale read on a lease no follower promised, first at swarm seed 113', async () => {
    const f = await shared.firstSwarmFailure(election, 'lease-reads', 108, 113);
    expect(f?.seed).toBe(113);
    expect(f?.r.failing).toEqual(['reads-see-acknowledged-appends']);
  });

  it('fd-local-clock: a failure detector timed by a jumping local clock, first at swarm seed 35', async () => {
    const f = await shared.firstSwarmFailure(election, 'fd-local-clock', 30, 35);
    expect(f?.seed).toBe(35);
    expect(f?.r.failing).toEqual(['eventually(one-leader-after-heal)']);
  });

  it('correct passes seeds 0..5 of the default exploration (swarm)', async () => {
    expect(await shared.firstSwarmFailure(election, 'correct', 0, 5)).toBeUndefined();
  });
});
