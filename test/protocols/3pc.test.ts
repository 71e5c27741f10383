import { describe, expect, it } from 'vitest';
import { CRASH_STOP_FAULTS, threePc } from '../../protocols/3pc/index.ts';
import { optionsFor } from '../../src/explore/strategies/index.ts';
import { defineProtocol } from '../../src/run/define.ts';
import { runScenario } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';
import * as shared from './helpers.ts';

/** The first seed in [from, to] that fails under the default exploration (swarm), as `faultline explore` runs it. */
async function firstSwarmFailure(variant: string, from: number, to: number) {
  const base = resolveOptions(threePc, { variant });
  for (let seed = from; seed <= to; seed++) {
    const r = await runScenario(threePc, { options: optionsFor('swarm', threePc, base, { variant }, seed) });
    if (r.status !== 'pass') return { seed, r };
  }
  return undefined;
}

describe('three-phase commit (termination protocol; crash-stop, not partitions)', () => {
  it('correct passes seeds 0..1 of its own scenario and 0..3 of swarm: atomicity, and every txn in doubt at the heal settles', async () => {
    for (let seed = 0; seed <= 1; seed++) {
      const r = await shared.runVariant(threePc, 'correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      expect(r.checks.map((c) => c.checker)).toEqual(['always(3pc-atomicity)', 'always(3pc-commit-needs-all-yes)', 'eventually(3pc-in-doubt-settle)', 'pending-ops-complete']);
      expect(r.sim.stats.ok, `seed ${seed}`).toBeGreaterThan(100);
    }
    expect(await firstSwarmFailure('correct', 0, 3)).toBeUndefined();
  });

  it("the correct variant's fault menu leaves partitions out, and swarm draws only from it", () => {
    expect(resolveOptions(threePc, {}).nemesis).toEqual(CRASH_STOP_FAULTS);
    expect(resolveOptions(threePc, { variant: 'under-partitions' }).nemesis).toContain('partition-halves');
    // An explicit --nemesis still wins over a variant's menu.
    expect(resolveOptions(threePc, { variant: 'under-partitions', nemesis: ['crash'] }).nemesis).toEqual(['crash']);
    const base = resolveOptions(threePc, {});
    const drawn = new Set<string>();
    for (let seed = 0; seed < 200; seed++) for (const n of optionsFor('swarm', threePc, base, {}, seed).nemesis) drawn.add(n);
    expect([...drawn].sort()).toEqual([...CRASH_STOP_FAULTS].sort());
    // A menu naming no nemesis is refused when the protocol is defined, naming the variant.
    const bad = { ...threePc, variants: { correct: { kind: 'correct' as const, description: 'x', nemesis: ['meteor'] as never[] } }, defaultVariant: 'correct' as const };
    expect(() => defineProtocol(bad)).toThrow(/variant 'correct': 'nemesis' must be a list of nemesis names/);
  });

  it('under-partitions (the same code, partitions on): a cut-off coordinator commits while the other side aborts, first at swarm seed 18', async () => {
    const f = await firstSwarmFailure('under-partitions', 14, 18);
    expect(f?.seed).toBe(18);
    expect(f?.r.failing).toContain('always(3pc-atomicity)');
  });

  it('commit-on-timeout: an uncertain participant commits alone after a vote was no, first at swarm seed 18', async () => {
    const f = await firstSwarmFailure('commit-on-timeout', 14, 18);
    expect(f?.seed).toBe(18);
    expect(f?.r.failing).toContain('always(3pc-commit-needs-all-yes)');
  });

  it('recovery-ignores-precommit: the restarted coordinator presumes abort of a txn the others commit, first at swarm seed 54', async () => {
    const f = await firstSwarmFailure('recovery-ignores-precommit', 50, 54);
    expect(f?.seed).toBe(54);
    expect(f?.r.failing).toContain('always(3pc-atomicity)');
  });
});
