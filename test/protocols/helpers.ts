import type { ProtocolDef } from '../../src/run/protocol.ts';
import { runScenario, type RunResult } from '../../src/run/run.ts';
import { resolveOptions, type ScenarioOptions } from '../../src/run/scenario.ts';

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
