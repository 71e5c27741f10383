import { describe, expect, it } from 'vitest';
import { primaryBackup } from '../../protocols/primary-backup/primary-backup.ts';
import type { RunResult } from '../../src/run/run.ts';
import type { ScenarioOptions } from '../../src/run/scenario.ts';
import * as shared from './helpers.ts';

// Default scenario throughout: 5 nodes (n1 the view manager, n2..n5 replicas), 5 clients, 200 ops,
// every nemesis.
function run(seed: number, variant: string, extra: Partial<ScenarioOptions> = {}): Promise<RunResult> {
  return shared.runVariant(primaryBackup, variant, seed, extra);
}

/** The first failing seed in [0, limit), with its run, or undefined. */
function firstFailure(variant: string, limit: number): Promise<{ seed: number; r: RunResult } | undefined> {
  return shared.firstFailure(primaryBackup, variant, 0, limit - 1);
}

describe('primary-backup', () => {
  it('correct passes seeds 0..99 under every nemesis, and completes most ops', async () => {
    const ok = await shared.expectAllPass(primaryBackup, 'correct', 0, 99);
    // Not a vacuous pass: the register really serves (about 2/3 of the 20,000 ops come back ok).
    expect(ok).toBeGreaterThan(10_000);
  }, 60_000);

  it('ack-before-backup: first failing seed is 1; a new primary lacks an acked write', async () => {
    const found = await firstFailure('ack-before-backup', 10);
    expect(found?.seed).toBe(1);
    expect(found!.r.failing).toContain('always(acked-writes-survive-failover)');
  }, 30_000);

  it('no-epoch-check: first failing seed is 0; two primaries of one epoch and a non-linearizable history', async () => {
    const found = await firstFailure('no-epoch-check', 10);
    expect(found?.seed).toBe(0);
    expect(found!.r.failing).toEqual(
      expect.arrayContaining(['always(one-primary-per-epoch)', 'linearizable(cas-register)', 'always(acked-writes-survive-failover)']),
    );
  }, 30_000);

  it('the same seed gives the same fingerprint, for every variant', async () => {
    for (const variant of Object.keys(primaryBackup.variants)) {
      for (const seed of [0, 1, 7]) {
        const a = await run(seed, variant);
        const b = await run(seed, variant);
        expect(a.sim.fingerprint, `${variant} seed ${seed}`).toBe(b.sim.fingerprint);
      }
    }
  }, 30_000);
});
