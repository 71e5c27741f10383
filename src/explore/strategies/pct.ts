import type { ProtocolDef } from '../../run/protocol.ts';
import type { ScenarioOptions } from '../../run/scenario.ts';
import { swarmOptions } from './swarm.ts';

/** The PCT depth `--strategy pct` uses unless `--pct-depth` is given: bugs of up to two ordering constraints. */
export const DEFAULT_PCT_DEPTH = 3;

/**
 * `pct`: the scenario swarm draws for the seed, with deliveries scheduled by PCT (sender
 * priorities and depth - 1 random change points, from the seed: see `network/pct.ts`) instead of
 * uniform latencies. The depth is stored in the options (`pctDepth`), so a corpus entry replays
 * with no flag and `faultline run --pct-depth D` re-runs a seed from scratch.
 *
 * @example
 * pctOptions(raft, base, {}, 7).pctDepth; // 3
 */
export function pctOptions(protocol: ProtocolDef, base: ScenarioOptions, pinned: Partial<ScenarioOptions>, seed: number): ScenarioOptions {
  return { ...swarmOptions(protocol, base, pinned, seed), pctDepth: pinned.pctDepth ?? base.pctDepth ?? DEFAULT_PCT_DEPTH };
}
