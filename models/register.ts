import type { HistoryOp } from '../src/history/types.ts';
import { ModelInputError, type Model } from './model.ts';
import { equalValue, hashValue, showValue } from './value.ts';

/** A register op: `read` (output = value read), `write v`, or `cas [from, to]` (only `ok` ones reach the model). */
export type RegisterInput = { f: 'read' } | { f: 'write'; value: unknown } | { f: 'cas'; from: unknown; to: unknown };

/**
 * A single read/write register holding any JSON value; with `cas` true it also accepts
 * compare-and-set. Reads carry their result on the completion (`ok`) record.
 *
 * @example
 * const m = registerModel({ initial: 0, cas: true });
 * m.step(0, { f: 'cas', from: 0, to: 5 }, true); // 5
 */
export function registerModel(opts: { initial?: unknown; cas?: boolean } = {}): Model<unknown, RegisterInput, unknown> {
  const initial = opts.initial === undefined ? null : opts.initial;
  const allowCas = opts.cas ?? false;
  return {
    name: allowCas ? 'cas-register' : 'register',
    init: () => initial,
    step(state, input, output) {
      switch (input.f) {
        case 'read':
          return output === undefined || equalValue(state, output) ? state : undefined;
        case 'write':
          return input.value;
        case 'cas':
          // An unreturned cas either matched and took effect, or is left unlinearized.
          return equalValue(state, input.from) ? input.to : undefined;
      }
    },
    equal: equalValue,
    hash: hashValue,
    fromOp: (inv, done) => readRegisterOp(inv, done, allowCas),
    readOnly: (input) => input.f === 'read',
    describeOp(input, output) {
      switch (input.f) {
        case 'read':
          return `read -> ${showValue(output)}`;
        case 'write':
          return `write ${showValue(input.value)}`;
        case 'cas':
          return `cas ${showValue(input.from)}->${showValue(input.to)}`;
      }
    },
    describeState: showValue,
  };
}

function readRegisterOp(inv: HistoryOp, done: HistoryOp | undefined, allowCas: boolean): { input: RegisterInput; output: unknown } {
  switch (inv.f) {
    case 'read':
      // A read's value is only known from its completion; `nil`/absent reads are `null`.
      return { input: { f: 'read' }, output: done ? (done.value === undefined ? null : done.value) : undefined };
    case 'write':
      return { input: { f: 'write', value: inv.value === undefined ? null : inv.value }, output: done ? true : undefined };
    case 'cas': {
      if (!allowCas) throw new ModelInputError(`model register has no cas (use --model cas-register)`);
      const v = inv.value;
      if (!Array.isArray(v) || v.length !== 2) throw new ModelInputError(`cas expects a value [from, to], got ${showValue(v)}`);
      return { input: { f: 'cas', from: v[0], to: v[1] }, output: done ? true : undefined };
    }
    default:
      throw new ModelInputError(`unknown op f=${JSON.stringify(inv.f)} for ${allowCas ? 'cas-register' : 'register'} (expected read, write${allowCas ? ', cas' : ''})`);
  }
}
