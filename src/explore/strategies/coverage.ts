import type { StrategyRecord } from '../../corpus/schema.ts';
import { intBelow, stream, type Rng } from '../../kernel/rng.ts';
import type { ProtocolDef } from '../../run/protocol.ts';
import type { ScenarioOptions } from '../../run/scenario.ts';
import type { SeedReport } from '../report.ts';
import { swarmDimensions, swarmOptions, withDrawn } from './swarm.ts';

/**
 * `coverage`: feedback-guided exploration, like a fuzzer with a corpus. Each run reports the
 * abstract features it covered (the protocol's `coverage` hook, else its trace: see
 * `coverage-key.ts`); a run that covers a feature no earlier run of its campaign did is kept, and
 * later seeds mostly run a kept scenario mutated (the same draws under a new seed, or one of
 * swarm's axes drawn again), the rest a fresh swarm draw.
 *
 * Deterministic whatever the worker count: feedback is applied in seed order, and a seed's scenario
 * depends only on the seeds of its campaign (a block of CAMPAIGN_SEEDS seeds, aligned at multiples
 * of it) from generations (blocks of GENERATION_SEEDS) at least two before its own. The
 * generation in between may still be running, so workers seldom wait. Shards take whole campaigns.
 */

/** Seeds per campaign: a campaign learns from its own seeds only, so shards can take whole campaigns. */
export const CAMPAIGN_SEEDS = 250;
/** Seeds per generation: a seed learns from the generations at least two before its own. */
export const GENERATION_SEEDS = 10;
/** Share of seeds that take a fresh swarm draw even when the campaign has kept scenarios. */
const FRESH_SHARE = 0.2;
/** Half the mutations start from one of the most recently kept scenarios (rarer states, found late). */
const RECENT_PARENTS = 8;

/** A seed's scenario and how it came about. */
export interface PlannedSeed {
  options: ScenarioOptions;
  strategy: StrategyRecord;
}

interface Kept {
  seed: number;
  options: ScenarioOptions;
}

interface Campaign {
  /** Features covered by the seeds fed so far. */
  seen: Set<number>;
  /** Scenarios that covered something new, in seed order. */
  kept: Kept[];
}

/**
 * The campaigns of one sweep: plans each seed's scenario from what its campaign's earlier
 * generations covered, and takes their reports back in seed order.
 *
 * @example
 * const c = new CoverageCampaigns(raft, base, {});
 * if (c.dependsOnSeedsBelow(37) <= nextUnfedSeed) run(c.plan(37).options);
 * c.feed(report); // every report, in seed order
 */
export class CoverageCampaigns {
  private readonly campaigns = new Map<number, Campaign>();
  private lastFed = -1;

  constructor(
    private readonly protocol: ProtocolDef,
    private readonly base: ScenarioOptions,
    private readonly pinned: Partial<ScenarioOptions>,
  ) {}

  /**
   * Every seed of the sweep below this one must be fed before `plan(seed)`: the start of the
   * generation before the seed's own (-Infinity for the first two generations of a campaign).
   */
  dependsOnSeedsBelow(seed: number): number {
    const start = campaignOf(seed) * CAMPAIGN_SEEDS;
    const generation = Math.floor((seed - start) / GENERATION_SEEDS);
    return generation < 2 ? Number.NEGATIVE_INFINITY : start + (generation - 1) * GENERATION_SEEDS;
  }

  /** The seed's scenario: a fresh swarm draw, or a kept scenario of its campaign mutated. */
  plan(seed: number): PlannedSeed {
    const bound = this.dependsOnSeedsBelow(seed);
    if (!(this.lastFed < seed)) throw new Error(`assertion failed: seed ${seed} planned after seed ${this.lastFed} was fed`);
    const kept = this.campaigns.get(campaignOf(seed))?.kept ?? [];
    let eligible = 0;
    while (eligible < kept.length && kept[eligible].seed < bound) eligible++;
    const rng = stream(seed, 'coverage');
    const params = { campaign: campaignOf(seed), campaignSeeds: CAMPAIGN_SEEDS, generationSeeds: GENERATION_SEEDS };
    if (eligible === 0 || rng() < FRESH_SHARE) {
      return { options: swarmOptions(this.protocol, this.base, this.pinned, seed), strategy: { name: 'coverage', params: { ...params, parent: -1, mutation: 'fresh' } } };
    }
    const parent = kept[rng() < 0.5 ? eligible - 1 - intBelow(rng, Math.min(RECENT_PARENTS, eligible)) : intBelow(rng, eligible)];
    const { options, redrawn } = mutate(rng, this.protocol, this.base, this.pinned, parent.options, seed);
    const mutation = redrawn.length === 0 ? 'reseed' : `redraw ${redrawn.join(',')}`;
    return { options, strategy: { name: 'coverage', params: { ...params, parent: parent.seed, mutation } } };
  }

  /** A seed's report, in seed order: keeps its scenario if it covered anything new in its campaign. */
  feed(report: SeedReport): void {
    if (!(report.seed > this.lastFed)) throw new Error(`assertion failed: seed ${report.seed} fed after seed ${this.lastFed}`);
    this.lastFed = report.seed;
    const id = campaignOf(report.seed);
    // Campaigns are fed in seed order too: an earlier one is complete once a later one starts.
    for (const old of this.campaigns.keys()) if (old < id) this.campaigns.delete(old);
    const campaign = this.campaigns.get(id) ?? { seen: new Set<number>(), kept: [] };
    this.campaigns.set(id, campaign);
    let fresh = 0;
    for (const f of report.coverage ?? []) {
      if (campaign.seen.has(f)) continue;
      campaign.seen.add(f);
      fresh++;
    }
    if (fresh > 0) campaign.kept.push({ seed: report.seed, options: report.options });
  }
}

function campaignOf(seed: number): number {
  return Math.floor(seed / CAMPAIGN_SEEDS);
}

/**
 * A kept scenario under a new seed, with none, one or two of swarm's axes drawn again (never one
 * the user pinned): nearby scenarios, and new randomness (workload, fault times, the network's
 * choices) within them.
 */
function mutate(
  rng: Rng,
  protocol: ProtocolDef,
  base: ScenarioOptions,
  pinned: Partial<ScenarioOptions>,
  parent: ScenarioOptions,
  seed: number,
): { options: ScenarioOptions; redrawn: string[] } {
  const count = [0, 0, 1, 1, 1, 2][intBelow(rng, 6)];
  const redrawn: string[] = [];
  const drawn: Partial<ScenarioOptions> = {};
  for (let i = 0; i < count; i++) {
    const d = swarmDimensions[intBelow(rng, swarmDimensions.length)];
    const values = d.draw(rng, protocol, base);
    if (redrawn.includes(d.name) || Object.keys(values).every((k) => k in pinned)) continue;
    redrawn.push(d.name);
    Object.assign(drawn, values);
  }
  return { options: withDrawn({ ...parent, seed }, drawn, pinned), redrawn };
}
