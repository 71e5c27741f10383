/**
 * Nondeterministic specifications: a step may lead to several states (an op whose reply does not
 * say which of its possible effects happened). The checker needs no change for them: the
 * powerset construction turns one into an ordinary `Model` whose state is the set of states the
 * object may be in, as Porcupine does.
 */
import type { HistoryOp } from '../src/history/types.ts';
import type { Model } from './model.ts';
import { mix } from './value.ts';

/**
 * Like `Model`, but `init` and `step` give every possible state (an empty list: impossible).
 *
 * @example
 * const coin: NondeterministicModel<number, 'flip', undefined> = {
 *   name: 'coin', init: () => [0], step: () => [0, 1], equal: (a, b) => a === b, hash: (s) => s,
 *   fromOp: () => ({ input: 'flip', output: undefined }), describeOp: () => 'flip', describeState: String,
 * };
 */
export interface NondeterministicModel<S = unknown, I = unknown, O = unknown> {
  readonly name: string;
  init(): S[];
  step(state: S, input: I, output: O | undefined): S[];
  equal(a: S, b: S): boolean;
  hash(state: S): number;
  fromOp(invoke: HistoryOp, completion: HistoryOp | undefined): { input: I; output: O | undefined };
  partition?(input: I): string | undefined;
  readOnly?(input: I): boolean;
  describeOp(input: I, output: O | undefined): string;
  describeState(state: S): string;
}

/** The set of states a nondeterministic object may be in; `h` is order-independent. */
export interface StateSet<S> {
  readonly states: readonly S[];
  readonly h: number;
}

/**
 * The deterministic model over sets of states: a step maps every possible state through the
 * nondeterministic step and keeps the distinct results; it is impossible only when none remain.
 *
 * @example
 * const m = powersetModel(bagModel());
 * checkLinearizability(history, m);
 */
export function powersetModel<S, I, O>(nd: NondeterministicModel<S, I, O>): Model<StateSet<S>, I, O> {
  const setOf = (xs: Iterable<S>): StateSet<S> => {
    const states: S[] = [];
    let h = 0;
    for (const s of xs) {
      if (states.some((t) => nd.equal(s, t))) continue;
      states.push(s);
      h = (h + mix(nd.hash(s))) | 0; // a sum: the order states were found in does not matter
    }
    return { states, h };
  };
  return {
    name: nd.name,
    init: () => setOf(nd.init()),
    step(set, input, output) {
      const next = setOf(set.states.flatMap((s) => nd.step(s, input, output)));
      return next.states.length === 0 ? undefined : next;
    },
    equal: (a, b) => a === b || (a.h === b.h && a.states.length === b.states.length && a.states.every((s) => b.states.some((t) => nd.equal(s, t)))),
    hash: (set) => set.h,
    fromOp: (inv, done) => nd.fromOp(inv, done),
    partition: nd.partition ? (input) => nd.partition!(input) : undefined,
    readOnly: nd.readOnly ? (input) => nd.readOnly!(input) : undefined,
    describeOp: (input, output) => nd.describeOp(input, output),
    describeState: (set) => (set.states.length === 1 ? nd.describeState(set.states[0]) : `one of {${set.states.map((s) => nd.describeState(s)).join(' | ')}}`),
  };
}
