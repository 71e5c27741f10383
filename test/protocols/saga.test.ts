import { describe, expect, it } from 'vitest';
import { saga } from '../../protocols/saga/index.ts';
import { optionsFor } from '../../src/explore/strategies/index.ts';
import { runScenario } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';
import * as shared from './helpers.ts';

/** The first seed in [from, to] that fails under the default exploration (swarm), as `faultline explore` runs it. */
async function firstSwarmFailure(variant: string, from: number, to: number) {
  const base = resolveOptions(saga, { variant });
  for (let seed = from; seed <= to; seed++) {
    const r = await runScenario(saga, { options: optionsFor('swarm', saga, base, { variant }, seed) });
    if (r.status !== 'pass') return { seed, r };
  }
  return undefined;
}

describe('order saga (inventory, payment, shipping; compensations; idempotent retries)', () => {
  it('correct passes seeds 0..3 under the full nemesis and swarm seeds 0..9: at most once, balances, all-or-nothing, settled after the heal', async () => {
    for (let seed = 0; seed <= 3; seed++) {
      const r = await shared.runVariant(saga, 'correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      expect(r.checks.map((c) => c.checker)).toEqual([
        'order-outcomes-agree',
        'always(step-applied-at-most-once)',
        'always(balances-conserved)',
        'always(saga-all-or-nothing)',
        'eventually(sagas-settle)',
        'pending-ops-complete',
      ]);
      // Not vacuous: orders completed, and others were compensated or refused.
      const outcomes = r.sim.history.filter((h) => h.f === 'order' && (h.type === 'ok' || h.type === 'fail'));
      expect(outcomes.filter((h) => h.type === 'ok').length, `seed ${seed}`).toBeGreaterThan(20);
      expect(outcomes.filter((h) => h.error === 'compensated').length, `seed ${seed}`).toBeGreaterThan(5);
    }
    expect(await firstSwarmFailure('correct', 0, 9)).toBeUndefined();
  });

  it('no-idempotency-key: a retried request applies twice, at swarm seed 0', async () => {
    const f = await firstSwarmFailure('no-idempotency-key', 0, 0);
    expect(f?.seed).toBe(0);
    expect(f?.r.failing).toContain('always(step-applied-at-most-once)');
    expect(f?.r.failing).toContain('always(balances-conserved)');
  });

  it('skip-compensation: a shipping refusal leaves the item reserved, at swarm seed 0', async () => {
    const f = await firstSwarmFailure('skip-compensation', 0, 0);
    expect(f?.seed).toBe(0);
    expect(f?.r.failing).toEqual(['always(saga-all-or-nothing)']);
  });

  it('compensate-before-step: a compensation overtakes its step, which then applies, first at swarm seed 29', async () => {
    const f = await firstSwarmFailure('compensate-before-step', 25, 29);
    expect(f?.seed).toBe(29);
    expect(f?.r.failing).toContain('always(saga-all-or-nothing)');
  });
});
