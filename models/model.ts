import type { HistoryOp } from '../src/history/types.ts';
import { equalValue } from './value.ts';

/**
 * A sequential specification: what one copy of the object may do, one op at a time.
 * The linearizability checker searches for an order of a history's ops that this spec accepts.
 *
 * States are immutable values and must never be `undefined` (`step` uses `undefined` for "illegal").
 *
 * @example
 * const counter: Model<number, number, number | undefined> = {
 *   name: 'tiny-counter',
 *   init: () => 0,
 *   step: (s, add, out) => (out === undefined || out === s + add ? s + add : undefined),
 *   equal: (a, b) => a === b,
 *   hash: (s) => s | 0,
 *   fromOp: (inv) => ({ input: Number(inv.value), output: undefined }),
 *   describeOp: (add) => `add ${add}`,
 *   describeState: (s) => String(s),
 * };
 */
export interface Model<S = unknown, I = unknown, O = unknown> {
  readonly name: string;
  /** The state before any op. */
  init(): S;
  /**
   * The state after `input` returned `output`, or `undefined` if that is impossible in `state`.
   * `output` is `undefined` when the op never returned (`info`): any result is acceptable then.
   */
  step(state: S, input: I, output: O | undefined): S | undefined;
  /** Structural equality of two states (the search cache relies on it). */
  equal(a: S, b: S): boolean;
  /** A cheap 32-bit hash consistent with `equal`. */
  hash(state: S): number;
  /**
   * Reads one history op: its invoke record and its completion (`undefined` if it never returned).
   * Throws `ModelInputError` for values the model cannot read. Only `ok`/`info` ops reach here:
   * `fail` ops did not happen and are dropped before.
   */
  fromOp(invoke: HistoryOp, completion: HistoryOp | undefined): { input: I; output: O | undefined };
  /** Optional P-compositionality: ops whose keys differ never interact, so each key is checked alone. */
  partition?(input: I): string | undefined;
  /** Optional: an op that never changes the state; when such an op never returned it can be ignored. */
  readOnly?(input: I): boolean;
  /** One short line for people, e.g. `cas 1->2 ok`. */
  describeOp(input: I, output: O | undefined): string;
  describeState(state: S): string;
}

/**
 * Thrown by `Model.fromOp` for an op it cannot read (unknown `f`, malformed value).
 *
 * @example
 * throw new ModelInputError(`cas expects [from, to], got ${JSON.stringify(v)}`);
 */
export class ModelInputError extends Error {
  override name = 'ModelInputError';
}

/**
 * The result an op *returned*, for ops whose result is optional (an append's offset, a lock's
 * fencing token). Jepsen histories and Faultline's simulator both echo the invoke's value on an
 * `ok` completion that carried no result of its own, so a completion value equal to the invoke's
 * value is an echo, not a result: reading it as one convicts correct protocols (`append 7`
 * would claim offset 7). An echo that happens to be the true result is only a lost check, never
 * a false conviction. `undefined` means "no result": the model must accept any.
 *
 * @example
 * optionalResult({ ...inv, value: 7 }, { ...done, value: 7 }); // undefined (an echo)
 * optionalResult({ ...inv, value: 7 }, { ...done, value: 0 }); // 0
 */
export function optionalResult(invoke: HistoryOp, done: HistoryOp | undefined): unknown {
  if (done === undefined || done.type !== 'ok') return undefined;
  const v = done.value;
  if (v === undefined || v === null || equalValue(v, invoke.value)) return undefined;
  return v;
}
