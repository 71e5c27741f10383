import type { ProtocolDef } from '../../run/protocol.ts';
import type { ScenarioOptions } from '../../run/scenario.ts';
import { pctOptions } from './pct.ts';
import { randomOptions } from './random.ts';
import { swarmOptions } from './swarm.ts';

/** The exploration strategies: how a seed becomes a scenario. */
export const strategyNames = ['random', 'swarm', 'pct'] as const;
export type StrategyName = (typeof strategyNames)[number];

/** The strategy `faultline explore` uses without `--strategy` (chosen from `npm run bench:explore`). */
export const DEFAULT_STRATEGY: StrategyName = 'swarm';

/** True when `name` is a known strategy. */
export function isStrategy(name: string): name is StrategyName {
  return (strategyNames as readonly string[]).includes(name);
}

/**
 * The options seed `seed` runs under: a pure function of its arguments, so a worker and the main
 * thread agree, and a corpus entry (which stores the options whole) replays without the strategy.
 *
 * @example
 * optionsFor('swarm', raft, base, {}, 7); // raft's options as swarm draws them for seed 7
 */
export function optionsFor(
  strategy: StrategyName,
  protocol: ProtocolDef,
  base: ScenarioOptions,
  pinned: Partial<ScenarioOptions>,
  seed: number,
): ScenarioOptions {
  if (strategy === 'swarm') return swarmOptions(protocol, base, pinned, seed);
  if (strategy === 'pct') return pctOptions(protocol, base, pinned, seed);
  return randomOptions(base, seed);
}
