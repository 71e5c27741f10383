import type { StrategyRecord } from '../../corpus/schema.ts';
import type { ProtocolDef } from '../../run/protocol.ts';
import type { ScenarioOptions } from '../../run/scenario.ts';
import type { SeedReport } from '../report.ts';
import { CAMPAIGN_SEEDS, CoverageCampaigns, type PlannedSeed } from './coverage.ts';
import { pctOptions } from './pct.ts';
import { randomOptions } from './random.ts';
import { swarmOptions } from './swarm.ts';

/** The exploration strategies: how a seed becomes a scenario. */
export const strategyNames = ['random', 'swarm', 'pct', 'coverage'] as const;
export type StrategyName = (typeof strategyNames)[number];

/** The strategy `faultline explore` uses without `--strategy` (chosen from `npm run bench:explore`). */
export const DEFAULT_STRATEGY: StrategyName = 'swarm';

/** True when `name` is a known strategy. */
export function isStrategy(name: string): name is StrategyName {
  return (strategyNames as readonly string[]).includes(name);
}

/**
 * The options seed `seed` runs under, for a strategy without feedback: a pure function of its
 * arguments, so a worker and the main thread agree, and a corpus entry (which stores the options
 * whole) replays without the strategy. For `coverage` it is the draw a seed gets before its
 * campaign has kept anything (a swarm draw); the sweep's `SeedScheduler` plans the rest.
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
  if (strategy === 'pct') return pctOptions(protocol, base, pinned, seed);
  return strategy === 'random' ? randomOptions(base, seed) : swarmOptions(protocol, base, pinned, seed);
}

/**
 * Plans one sweep's seeds under a strategy. A strategy with feedback (`coverage`) needs the reports
 * of earlier seeds, fed in seed order, before it can plan later ones.
 */
export interface SeedScheduler {
  /** Every seed of the sweep below this one must be fed before `plan(seed)` (-Infinity: none). */
  dependsOnSeedsBelow(seed: number): number;
  plan(seed: number): PlannedSeed;
  /** Each report, in seed order. */
  feed(report: SeedReport): void;
  /** Whether runs must report the features they covered. */
  wantsCoverage: boolean;
  /** Shards take blocks of this many consecutive seeds (a feedback strategy's campaigns). */
  blockSeeds: number;
}

/**
 * The scheduler of one sweep.
 *
 * @example
 * const s = schedulerFor('coverage', raft, base, {});
 * const { options, strategy } = s.plan(0);
 */
export function schedulerFor(strategy: StrategyName, protocol: ProtocolDef, base: ScenarioOptions, pinned: Partial<ScenarioOptions>): SeedScheduler {
  if (strategy === 'coverage') {
    const campaigns = new CoverageCampaigns(protocol, base, pinned);
    return {
      dependsOnSeedsBelow: (seed) => campaigns.dependsOnSeedsBelow(seed),
      plan: (seed) => campaigns.plan(seed),
      feed: (r) => campaigns.feed(r),
      wantsCoverage: true,
      blockSeeds: CAMPAIGN_SEEDS,
    };
  }
  return {
    dependsOnSeedsBelow: () => Number.NEGATIVE_INFINITY,
    plan: (seed) => {
      const options = optionsFor(strategy, protocol, base, pinned, seed);
      return { options, strategy: options.pctDepth === undefined ? { name: strategy } : { name: strategy, params: { pctDepth: options.pctDepth } } };
    },
    feed: () => {},
    wantsCoverage: false,
    blockSeeds: 1,
  };
}

/** How many consecutive seeds a strategy's shards keep together (1: seeds are independent). */
export function blockSeedsOf(strategy: StrategyName): number {
  return strategy === 'coverage' ? CAMPAIGN_SEEDS : 1;
}
