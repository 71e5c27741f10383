import { ModelInputError, type Model } from './model.ts';
import { mix, showValue } from './value.ts';

export type CounterInput = { f: 'add'; delta: number } | { f: 'read' };

/**
 * A counter starting at `initial` (default 0). `add n` (also `increment`, default 1); `read` returns the total.
 *
 * @example
 * const m = counterModel();
 * m.step(m.step(0, { f: 'add', delta: 2 }, true)!, { f: 'read' }, 2); // 2
 */
export function counterModel(opts: { initial?: unknown } = {}): Model<number, CounterInput, number | true> {
  const initial = typeof opts.initial === 'number' ? opts.initial : 0;
  return {
    name: 'counter',
    init: () => initial,
    step: (s, input, output) => (input.f === 'add' ? s + input.delta : output === undefined || output === s ? s : undefined),
    equal: (a, b) => a === b,
    hash: (s) => mix(Number.isInteger(s) ? s | 0 : Math.round(s * 1e6) | 0),
    fromOp(inv, done) {
      if (inv.f === 'add' || inv.f === 'increment' || inv.f === 'inc') {
        const delta = inv.value === undefined || inv.value === null ? 1 : inv.value;
        if (typeof delta !== 'number') throw new ModelInputError(`counter ${inv.f} expects a number, got ${showValue(delta)}`);
        return { input: { f: 'add', delta }, output: done ? true : undefined };
      }
      if (inv.f === 'read') {
        if (!done) return { input: { f: 'read' }, output: undefined };
        if (typeof done.value !== 'number') throw new ModelInputError(`counter read must return a number, got ${showValue(done.value)}`);
        return { input: { f: 'read' }, output: done.value };
      }
      throw new ModelInputError(`unknown op f=${JSON.stringify(inv.f)} for counter (expected add, read)`);
    },
    readOnly: (input) => input.f === 'read',
    describeOp: (input, output) => (input.f === 'add' ? `add ${input.delta}` : `read -> ${showValue(output)}`),
    describeState: (s) => String(s),
  };
}
