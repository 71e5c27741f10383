/**
 * The data the shrinker works on: a run input with every plan explicit (options, client ops,
 * faults, the network's choice tape), and the pure edits every pass builds candidates from.
 * Nothing here runs a simulation.
 */
import { ChoiceKind, type ChoiceTape } from '../kernel/choices.ts';
import { faultKindOf, type Fault } from '../faults/index.ts';
import type { ScenarioOptions } from '../run/scenario.ts';
import type { PlannedOp } from '../workload/workload.ts';

/** A run input with every plan explicit: what the shrinker works on and returns. */
export interface ExplicitInput {
  options: ScenarioOptions;
  ops: PlannedOp[];
  faults: Fault[];
  tape: ChoiceTape;
}

/** Positions of the nonzero drop / dup / reorder choices of a tape. */
export function flagIndices(tape: ChoiceTape): number[] {
  const out: number[] = [];
  for (let i = 0; i < tape.values.length; i++) {
    if (tape.values[i] !== 0 && tape.kinds[i] !== ChoiceKind.latency) out.push(i);
  }
  return out;
}

/** Positions of the nonzero latency choices of a tape. */
export function latencyIndices(tape: ChoiceTape): number[] {
  const out: number[] = [];
  for (let i = 0; i < tape.values.length; i++) {
    if (tape.values[i] !== 0 && tape.kinds[i] === ChoiceKind.latency) out.push(i);
  }
  return out;
}

/** The first `n` choices of a tape. */
export function sliceTape(tape: ChoiceTape, n: number): ChoiceTape {
  return { values: tape.values.slice(0, n), kinds: tape.kinds.slice(0, n), causes: tape.causes?.slice(0, n) };
}

/** A tape without its trailing zeros (a missing entry reads as 0, so the run is the same). */
export function trimTape(tape: ChoiceTape): ChoiceTape {
  let n = tape.values.length;
  while (n > 0 && tape.values[n - 1] === 0) n--;
  return sliceTape(tape, n);
}

/** The tape with the values at `indices` set to 0 (the plainest decision). */
export function zeroAt(tape: ChoiceTape, indices: readonly number[]): ChoiceTape {
  const values = tape.values.slice();
  for (const i of indices) values[i] = 0;
  return { ...tape, values };
}

/** The tape without every decision of one kind (when the run no longer draws that kind). */
export function withoutKind(tape: ChoiceTape, kind: ChoiceKind): ChoiceTape {
  const values: number[] = [];
  const kinds: ChoiceKind[] = [];
  const causes: number[] = [];
  for (let i = 0; i < tape.values.length; i++) {
    if (tape.kinds[i] === kind) continue;
    values.push(tape.values[i]);
    kinds.push(tape.kinds[i]);
    causes.push(tape.causes?.[i] ?? -1);
  }
  return { values, kinds, causes };
}

/** The input with some scenario options replaced. */
export function withOptions(c: ExplicitInput, o: Partial<ScenarioOptions>): ExplicitInput {
  return { ...c, options: { ...c.options, ...o } };
}

/** The input with fault `i` replaced by `f`. */
export function withFault(c: ExplicitInput, i: number, f: Fault): ExplicitInput {
  const faults = c.faults.slice();
  faults[i] = f;
  return { ...c, faults };
}

/**
 * The input without planned ops [start, end): their network decisions go with them and later
 * ops' decisions are renumbered, so every remaining op keeps exactly the schedule it had.
 *
 * @example
 * const fewer = withoutOps(input, 3, 4); // op #3 and its decisions are gone; op #4 is now #3
 */
export function withoutOps(c: ExplicitInput, start: number, end: number): ExplicitInput {
  assert(0 <= start && start <= end && end <= c.ops.length, `withoutOps: bad range [${start}, ${end}) of ${c.ops.length} ops`);
  const gone = end - start;
  const values: number[] = [];
  const kinds: ChoiceKind[] = [];
  const causes: number[] = [];
  for (let i = 0; i < c.tape.values.length; i++) {
    const cause = c.tape.causes?.[i] ?? -1;
    if (cause >= start && cause < end) continue;
    values.push(c.tape.values[i]);
    kinds.push(c.tape.kinds[i]);
    causes.push(cause >= end ? cause - gone : cause);
  }
  return { ...c, ops: [...c.ops.slice(0, start), ...c.ops.slice(end)], tape: { values, kinds, causes } };
}

/** A deep copy of a fault (its kind knows its nested parts). */
export function cloneFault(f: Fault): Fault {
  return faultKindOf(f).clone(f);
}

/** Throws when an invariant the shrinker relies on does not hold (a shrinker bug, not bad input). */
export function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(`assertion failed (shrinker): ${message}`);
}
