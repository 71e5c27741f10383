import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abd } from '../protocols/abd/abd.ts';
import { runScenario } from '../src/run/run.ts';
import { resolveOptions } from '../src/run/scenario.ts';
import { scenarioArb } from '../src/testing/fastcheck.ts';
import { exploreSeeds, faultlineMatchers, SeedFailure } from '../src/testing/vitest.ts';

expect.extend(faultlineMatchers);

describe('vitest helper', () => {
  it('passes a correct variant and throws a SeedFailure with story and replay for a planted bug', async () => {
    expect((await exploreSeeds(abd, { variant: 'correct', seeds: [0, 5], ops: 50 })).passed).toBe(5);
    const dir = mkdtempSync(join(tmpdir(), 'faultline-vt-'));
    const err = await exploreSeeds(abd, { variant: 'minority-quorum', seeds: [0, 5], save: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(SeedFailure);
    expect(err.seed).toBe(0);
    expect(err.replay).toContain('replay');
    expect(err.message).toContain('VIOLATION linearizable(register)');
  });

  it('matchers read well', async () => {
    const ok = await runScenario(abd, { options: resolveOptions(abd, { seed: 1, ops: 20 }) });
    (expect(ok) as unknown as { toPass(): void }).toPass();
  });
});

describe('fast-check integration', () => {
  it('finds and shrinks the minority-quorum bug with scenarioArb', async () => {
    const out = await fc.check(
      fc.asyncProperty(scenarioArb(abd, { variant: 'minority-quorum', maxOps: 20 }), async (input) => (await runScenario(abd, input)).status !== 'fail'),
      // 200 runs: the arbitrary draws every fault kind of the table (dup and strobes too), so the
      // bug takes fast-check 122 runs from seed 42.
      { numRuns: 200, seed: 42 },
    );
    expect(out.failed).toBe(true);
    const ce = out.counterexample![0];
    expect(ce.ops!.length).toBeLessThanOrEqual(6);
  });
});
