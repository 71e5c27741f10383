import { ModelInputError, optionalResult } from './model.ts';
import type { NondeterministicModel } from './nondeterministic.ts';
import { hashString, showValue, valueKey } from './value.ts';

export type BagInput = { f: 'put'; value: unknown; key: string } | { f: 'take' } | { f: 'read' };
/** A multiset as sorted canonical keys (for equality) with the values (for people). */
export interface BagState {
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
  readonly h: number;
}

/**
 * A bag (multiset), the bundled nondeterministic model. `put v` adds v; `take` removes some
 * element and may return it: when the reply names it, that one went; when it does not (a plain
 * `ok`), any element may have gone, so the step has one next state per distinct element.
 * `read` returns the contents, in any order.
 *
 * @example
 * const m = powersetModel(bagModel());
 * let s = m.step(m.init(), { f: 'put', value: 1, key: 'p1' }, true)!;
 * s = m.step(s, { f: 'put', value: 2, key: 'p2' }, true)!;
 * s = m.step(s, { f: 'take' }, undefined)!; // one of {[1] | [2]}
 */
export function bagModel(): NondeterministicModel<BagState, BagInput, unknown> {
  const without = (s: BagState, i: number): BagState => ({
    keys: [...s.keys.slice(0, i), ...s.keys.slice(i + 1)],
    values: [...s.values.slice(0, i), ...s.values.slice(i + 1)],
    h: (s.h - hashString(s.keys[i])) | 0,
  });
  return {
    name: 'bag',
    init: () => [{ keys: [], values: [], h: 0 }],
    step(s, input, output) {
      if (input.f === 'put') {
        let at = 0;
        while (at < s.keys.length && s.keys[at] < input.key) at++;
        return [{ keys: [...s.keys.slice(0, at), input.key, ...s.keys.slice(at)], values: [...s.values.slice(0, at), input.value, ...s.values.slice(at)], h: (s.h + hashString(input.key)) | 0 }];
      }
      if (input.f === 'read') {
        if (output === undefined) return [s];
        const got = (output as unknown[]).map(valueKey).sort();
        return got.length === s.keys.length && got.every((k, i) => k === s.keys[i]) ? [s] : [];
      }
      if (output !== undefined && output !== true) {
        const i = s.keys.indexOf(valueKey(output));
        return i < 0 ? [] : [without(s, i)];
      }
      // No result: any distinct element may be the one taken.
      return s.keys.flatMap((k, i) => (i > 0 && s.keys[i - 1] === k ? [] : [without(s, i)]));
    },
    equal: (a, b) => a === b || (a.h === b.h && a.keys.length === b.keys.length && a.keys.every((k, i) => k === b.keys[i])),
    hash: (s) => s.h,
    fromOp(inv, done) {
      if (inv.f === 'put' || inv.f === 'add') return { input: { f: 'put', value: inv.value, key: valueKey(inv.value) }, output: done ? true : undefined };
      if (inv.f === 'take') {
        // What take returned, if anything: a plain ok (an echo of the invoke) names no element.
        const got = optionalResult(inv, done);
        return { input: { f: 'take' }, output: done ? (got === undefined ? true : got) : undefined };
      }
      if (inv.f === 'read') {
        if (!done) return { input: { f: 'read' }, output: undefined };
        if (!Array.isArray(done.value)) throw new ModelInputError(`bag read returns the contents as a list, got ${showValue(done.value)}`);
        return { input: { f: 'read' }, output: done.value };
      }
      throw new ModelInputError(`unknown op f=${JSON.stringify(inv.f)} for bag (expected put, take, read)`);
    },
    readOnly: (input) => input.f === 'read',
    describeOp: (input, output) => (input.f === 'put' ? `put ${showValue(input.value)}` : input.f === 'take' ? `take${output !== true && output !== undefined ? ` -> ${showValue(output)}` : ''}` : `read -> ${showValue(output)}`),
    describeState: (s) => `{${s.values.map(showValue).join(' ')}}`,
  };
}
