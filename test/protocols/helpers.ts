import { expect } from 'vitest';
import type { ProtocolDef } from '../../src/run/protocol.ts';
import { runScenario, type RunResult } from '../../src/run/run.ts';
import { resolveOptions, type ScenarioOptions } from '../../src/run/scenario.ts';
import { swarmOptions } from '../../src/explore/strategies/swarm.ts';

/** One seed of a protocol variant, with optional scenario knobs. */
export function runVariant(p: ProtocolDef, variant: string, seed: number, knobs: Partial<ScenarioOptions> = {}): Promise<RunResult> {
  return runScenario(p, { options: resolveOptions(p, { ...knobs, variant, seed }) });
}

/** The first seed in [from, to] that does not pass, and its run; undefined when all pass. */
export async function firstFailure(
  p: ProtocolDef,
  variant: string,
  from: number,
  to: number,
  knobs: Partial<ScenarioOptions> = {},
): Promise<{ seed: number; r: RunResult } | undefined> {
  for (let seed = from; seed <= to; seed++) {
    const r = await runVariant(p, variant, seed, knobs);
    if (r.status !== 'pass') return { seed, r };
  }
  return undefined;
}

/**
 * Runs seeds [from, to] of a variant, expecting each to complete and pass every check; returns
 * how many client ops came back ok in all (so a caller can check the pass was not vacuous).
 */
export async function expectAllPass(p: ProtocolDef, variant: string, from: number, to: number): Promise<number> {
  let ok = 0;
  for (let seed = from; seed <= to; seed++) {
    const r = await runVariant(p, variant, seed);
    expect(r.sim.outcome, `seed ${seed}`).toBe('completed');
    expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
    ok += r.sim.stats.ok;
  }
  return ok;
}

/**
 * The first seed in [from, to] that fails under the default exploration (swarm: each seed draws
 * its own scenario, as `faultline explore <p> --variant <v>` runs it); undefined when all pass.
 */
export async function firstSwarmFailure(p: ProtocolDef, variant: string, from: number, to: number): Promise<{ seed: number; r: RunResult } | undefined> {
  const base = resolveOptions(p, { variant });
  for (let seed = from; seed <= to; seed++) {
    const r = await runScenario(p, { options: swarmOptions(p, base, {}, seed) });
    if (r.status !== 'pass') return { seed, r };
  }
  return undefined;
}
