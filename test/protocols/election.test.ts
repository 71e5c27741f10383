import { describe, expect, it } from 'vitest';
import { election } from '../../protocols/election/index.ts';
import { protocols } from '../../protocols/index.ts';
import { loadEntry } from '../../src/corpus/corpus.ts';
import { runScenario } from '../../src/run/run.ts';
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

  // Honest about what is found: the default exploration (swarm) does not find this mistake in seeds
  // 0..999 (nor a stale read in 1000..2999). A lease outliving its leader needs a clock set back on
  // the leader AND the leader cut off from a majority within that many ms, while a newer leader
  // acknowledges an append and a client reads at the old one; swarm rarely draws a clock fault and a
  // partition together. Pinned here under the scenario that shows it: 3 nodes, clock bumps and isolation.
  const clockAndIsolation = { nodes: 3, nemesis: ['clock-bump', 'partition-isolate'] } as const;

  it('fd-local-clock: a stale read on a lease judged by a clock set back, first at seed 29 of clock bumps and isolation; the correct variant passes it', async () => {
    const f = await shared.firstFailure(election, 'fd-local-clock', 25, 29, { ...clockAndIsolation, nemesis: [...clockAndIsolation.nemesis] });
    expect(f?.seed).toBe(29);
    expect(f?.r.failing).toEqual(['reads-see-acknowledged-appends']);
    const same = await shared.runVariant(election, 'correct', 29, { ...clockAndIsolation, nemesis: [...clockAndIsolation.nemesis] });
    expect(same.status).toBe('pass');
  });

  it('fd-local-clock: the shrunk story turns on its clock fault (without it, the same run passes)', async () => {
    const { protocol, input, settings } = loadEntry('corpus/election/fd-local-clock-29.json', protocols);
    expect(input.faults.some((x) => x.kind === 'clock')).toBe(true);
    expect((await runScenario(protocol, input, settings)).failing).toContain('reads-see-acknowledged-appends');
    const noClock = { ...input, faults: input.faults.filter((x) => x.kind !== 'clock') };
    expect((await runScenario(protocol, noClock, settings)).status).toBe('pass');
  });

  it('correct passes seeds 0..5 of the default exploration (swarm)', async () => {
    expect(await shared.firstSwarmFailure(election, 'correct', 0, 5)).toBeUndefined();
  });
});
