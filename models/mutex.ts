import { ModelInputError, optionalResult, type Model } from './model.ts';
import { mix, showValue } from './value.ts';

export type MutexInput = { f: 'acquire' | 'release'; process: number };
/** Who holds the lock, and the highest fencing token handed out so far. */
export interface MutexState {
  readonly holder: number | null;
  readonly token: number | null;
}

/**
 * A mutex with fencing tokens. `acquire` succeeds only when the lock is free and may return a
 * numeric token, which must exceed every earlier token; `release` must come from the holder.
 *
 * @example
 * const m = mutexModel();
 * const s = m.step(m.init(), { f: 'acquire', process: 1 }, 7)!; // { holder: 1, token: 7 }
 * m.step(s, { f: 'acquire', process: 2 }, 8); // undefined: still held
 */
export function mutexModel(): Model<MutexState, MutexInput, number | true> {
  return {
    name: 'mutex',
    init: () => ({ holder: null, token: null }),
    step(s, input, output) {
      if (input.f === 'acquire') {
        if (s.holder !== null) return undefined;
        if (typeof output !== 'number') return { holder: input.process, token: s.token };
        if (s.token !== null && output <= s.token) return undefined;
        return { holder: input.process, token: output };
      }
      return s.holder === input.process ? { holder: null, token: s.token } : undefined;
    },
    equal: (a, b) => a.holder === b.holder && a.token === b.token,
    hash: (s) => mix(((s.holder ?? -1) * 31) ^ mix(s.token ?? -7)),
    fromOp(inv, done) {
      if (inv.f !== 'acquire' && inv.f !== 'release' && inv.f !== 'lock' && inv.f !== 'unlock')
        throw new ModelInputError(`unknown op f=${JSON.stringify(inv.f)} for mutex (expected acquire, release)`);
      const f = inv.f === 'acquire' || inv.f === 'lock' ? 'acquire' : 'release';
      let output: number | true | undefined = done ? true : undefined;
      // A token is what acquire returned; an echo of the invoke's value is no token.
      const token = f === 'acquire' ? optionalResult(inv, done) : undefined;
      if (token !== undefined) {
        if (typeof token !== 'number') throw new ModelInputError(`mutex acquire returns a numeric fencing token or nothing, got ${showValue(token)}`);
        output = token;
      }
      return { input: { f, process: inv.process }, output };
    },
    describeOp: (input, output) => `${input.f} by process ${input.process}${typeof output === 'number' ? ` -> token ${output}` : ''}`,
    describeState: (s) => (s.holder === null ? `free (last token ${s.token ?? 'none'})` : `held by process ${s.holder} (token ${s.token ?? 'none'})`),
  };
}
