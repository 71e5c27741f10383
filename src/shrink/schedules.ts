/**
 * Other schedules for a candidate of a new shape. When removing an op, fault or node makes the
 * failure go away with the old tape, the bug may still be there under another interleaving; these
 * build a few, from streams seeded by the candidate's own key (so the search stays deterministic).
 */
import { ChoiceKind, type ChoiceTape } from '../kernel/choices.ts';
import { intBelow, stream } from '../kernel/rng.ts';
import type { ScenarioOptions } from '../run/scenario.ts';
import { assert } from './input.ts';

/** Decisions drawn per cause and node for a fresh tape: more than any shrunk run draws per op. */
const DECISIONS_PER_CAUSE_PER_NODE = 16;

/**
 * A fresh schedule for a run of `ops` planned ops: for every cause (each op, and background) a run
 * of values from a stream named by `seed` and `k`. A value reads as a latency where the run draws
 * a latency and as a flag where it draws a drop, duplicate or reordering, so 1 is drawn only at
 * the scenario's flag rate (elsewhere 1 would be a flag) and other values are latencies.
 *
 * @example
 * freshTape(seed, 1, options, 3).values.length; // 4 causes * 16 * nodes
 */
export function freshTape(seed: number, k: number, o: ScenarioOptions, ops: number): ChoiceTape {
  assert(Number.isInteger(ops) && ops >= 0 && o.nodes >= 1, `freshTape: ${ops} ops, ${o.nodes} nodes`);
  const rng = stream(seed, `shrink-tape:${k}`);
  const spread = o.latencyMaxMs - o.latencyMinMs;
  const flagRate = Math.max(o.dropRate, o.dupRate, o.reorderRate, 0.01);
  const perCause = DECISIONS_PER_CAUSE_PER_NODE * o.nodes;
  const values: number[] = [];
  const kinds: ChoiceKind[] = [];
  const causes: number[] = [];
  for (let cause = -1; cause < ops; cause++) {
    for (let i = 0; i < perCause; i++) {
      const v = spread >= 2 ? intBelow(rng, spread + 1) : 0;
      values.push(rng() < flagRate ? 1 : v === 1 ? 0 : v);
      kinds.push(ChoiceKind.latency);
      causes.push(cause);
    }
  }
  return { values, kinds, causes };
}

/**
 * The template's decisions (same kinds, same causes) with values drawn afresh.
 *
 * @example
 * reroll(seed, 0, options, c.tape).kinds === c.tape.kinds; // same decisions, new values
 */
export function reroll(seed: number, k: number, o: ScenarioOptions, template: ChoiceTape): ChoiceTape {
  const rng = stream(seed, `shrink-reroll:${k}`);
  const spread = o.latencyMaxMs - o.latencyMinMs;
  const rate = { [ChoiceKind.drop]: o.dropRate, [ChoiceKind.dup]: o.dupRate, [ChoiceKind.reorder]: o.reorderRate };
  const values = template.kinds.map((kind) =>
    kind === ChoiceKind.latency ? intBelow(rng, spread + 1) : rng() < Math.max(rate[kind], 0.01) ? 1 : 0,
  );
  return { ...template, values };
}

/**
 * The network part of a scenario's options.
 *
 * @example
 * ({ ...c.options, ...networkOf(original) }); // the candidate on the original network
 */
export function networkOf(o: ScenarioOptions): Partial<ScenarioOptions> {
  return { latencyMinMs: o.latencyMinMs, latencyMaxMs: o.latencyMaxMs, dropRate: o.dropRate, dupRate: o.dupRate, reorderRate: o.reorderRate };
}
