import { ModelInputError, type Model } from './model.ts';
import { hashString, showValue, valueKey } from './value.ts';

export type SetInput = { f: 'add'; value: unknown; key: string } | { f: 'read' };
/** A read's result as sorted canonical keys (for comparison) plus the values (for people). */
export type SetRead = { keys: readonly string[]; values: readonly unknown[] };
/** Elements, sorted by canonical key. */
export interface SetState {
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
  readonly h: number;
}

/**
 * A grow-only set. `add v`; `read` returns every element (any order, as an array).
 *
 * @example
 * const m = setModel();
 * const s = m.step(m.init(), m.fromOp({ index: 0, time: 0, type: 'invoke', process: 0, f: 'add', value: 1 }, undefined).input, true)!;
 * m.describeState(s); // '#{1}'
 */
export function setModel(): Model<SetState, SetInput, SetRead | true> {
  return {
    name: 'set',
    init: () => ({ keys: [], values: [], h: 0 }),
    step(s, input, output) {
      if (input.f === 'add') {
        let lo = 0;
        let hi = s.keys.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (s.keys[mid] < input.key) lo = mid + 1;
          else hi = mid;
        }
        if (s.keys[lo] === input.key) return s;
        const keys = s.keys.slice();
        const values = s.values.slice();
        keys.splice(lo, 0, input.key);
        values.splice(lo, 0, input.value);
        return { keys, values, h: (s.h + hashString(input.key)) | 0 };
      }
      if (output === undefined || output === true) return s;
      if (output.keys.length !== s.keys.length) return undefined;
      for (let i = 0; i < s.keys.length; i++) if (output.keys[i] !== s.keys[i]) return undefined;
      return s;
    },
    equal(a, b) {
      if (a === b) return true;
      if (a.h !== b.h || a.keys.length !== b.keys.length) return false;
      for (let i = 0; i < a.keys.length; i++) if (a.keys[i] !== b.keys[i]) return false;
      return true;
    },
    hash: (s) => s.h,
    fromOp(inv, done) {
      if (inv.f === 'add') return { input: { f: 'add', value: inv.value, key: valueKey(inv.value) }, output: done ? true : undefined };
      if (inv.f === 'read') {
        if (!done) return { input: { f: 'read' }, output: undefined };
        const v = done.value ?? [];
        if (!Array.isArray(v)) throw new ModelInputError(`set read must return an array of elements, got ${showValue(v)}`);
        const keys = [...new Set(v.map(valueKey))].sort();
        return { input: { f: 'read' }, output: { keys, values: v } };
      }
      throw new ModelInputError(`unknown op f=${JSON.stringify(inv.f)} for set (expected add, read)`);
    },
    readOnly: (input) => input.f === 'read',
    describeOp: (input, output) =>
      input.f === 'add' ? `add ${showValue(input.value)}` : `read -> ${output === undefined || output === true ? '?' : `#{${output.values.map(showValue).join(' ')}}`}`,
    describeState: (s) => `#{${s.values.map(showValue).join(' ')}}`,
  };
}
