/**
 * `network-options`: with no drop (dup, reorder, latency spread) left in the tape, the network
 * need not draw them at all: the option is set to zero and those entries are taken out, leaving
 * the others aligned. The saved scenario then says plainly what the failure needs.
 */
import { ChoiceKind } from '../../kernel/choices.ts';
import type { ScenarioOptions } from '../../run/scenario.ts';
import { latencyIndices, withOptions, withoutKind } from '../input.ts';
import type { ShrinkPass } from '../pass.ts';

const RATES: ReadonlyArray<readonly [keyof ScenarioOptions, ChoiceKind]> = [
  ['dropRate', ChoiceKind.drop],
  ['dupRate', ChoiceKind.dup],
  ['reorderRate', ChoiceKind.reorder],
];

export const plainerNetwork: ShrinkPass = {
  name: 'network-options',
  async run(ctx) {
    let changed = false;
    for (const [key, kind] of RATES) {
      const c = ctx.current();
      if (c.options[key] === 0 || c.tape.values.some((v, i) => v !== 0 && c.tape.kinds[i] === kind)) continue;
      if (await ctx.attempt({ ...withOptions(c, { [key]: 0 }), tape: withoutKind(c.tape, kind) })) changed = true;
    }
    const c = ctx.current();
    if (c.options.latencyMaxMs > c.options.latencyMinMs && latencyIndices(c.tape).length === 0) {
      const plain = { ...withOptions(c, { latencyMaxMs: c.options.latencyMinMs }), tape: withoutKind(c.tape, ChoiceKind.latency) };
      if (await ctx.attempt(plain)) changed = true;
    }
    return changed;
  },
};
