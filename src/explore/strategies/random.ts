import type { ScenarioOptions } from '../../run/scenario.ts';

/**
 * `random`: every seed runs the same scenario (the protocol's defaults and the flags given); only
 * the seed changes, so the workload, the fault schedule and the network's choices are drawn anew.
 *
 * @example
 * randomOptions(base, 7).seed; // 7, everything else as in base
 */
export function randomOptions(base: ScenarioOptions, seed: number): ScenarioOptions {
  return { ...base, seed };
}
