/**
 * `cuts-to-losses`: a partition told as the losses it caused. Removing a partition usually makes
 * the failure go away even when only one or two of the messages it cut mattered: the others now
 * arrive, the protocol does something else, and every later network decision of the run lands
 * on a different message. So instead the partition is removed and each message it cut is lost by
 * the network at its send: its drop decision in the tape set to 1 and its other decisions taken
 * out, which leaves every other decision where it was. The run is the same run, told with losses
 * instead of a fault; then `tape-flags` keeps only the losses the failure needs.
 *
 * Needs a scenario that draws drops (dropRate > 0). A partition that cut a held (clogged) message
 * or one copy of a duplicated one is left as it is.
 */
import { ChoiceKind, type ChoiceTape } from '../../kernel/choices.ts';
import type { RunResult } from '../../run/run.ts';
import type { TraceEvent } from '../../sim/trace.ts';
import type { ExplicitInput } from '../input.ts';
import type { ShrinkPass } from '../pass.ts';

export const cutsToLosses: ShrinkPass = {
  name: 'cuts-to-losses',
  async run(ctx) {
    let changed = false;
    // From the last partition back; every adopted candidate changes the tape, so trace again.
    let traced: RunResult | undefined;
    for (let i = ctx.current().faults.length - 1; i >= 0; i--) {
      const c = ctx.current();
      if (c.options.dropRate <= 0 || i >= c.faults.length || c.faults[i].kind !== 'partition') continue;
      traced ??= await ctx.traceCurrent();
      if (traced === undefined) return changed;
      const candidate = asLosses(c, traced, i);
      if (candidate !== null && (await ctx.attempt(candidate))) {
        changed = true;
        traced = undefined;
      }
    }
    return changed;
  },
};

/**
 * The input without partition `i`, each message it cut lost at its send instead; null when one of
 * them cannot be (held by a clog, duplicated, or sent with no drop decision).
 *
 * @example
 * asLosses(input, await tracedRun(input), 0)?.faults.length; // one fewer
 */
export function asLosses(c: ExplicitInput, traced: RunResult, i: number): ExplicitInput | null {
  const f = c.faults[i];
  if (f.kind !== 'partition') return null;
  const trace = traced.sim.trace;
  const links = new Set(f.cut.map(([a, b]) => `${a} ${b}`));
  const duplicated = new Set(trace.filter((e) => e.kind === 'dup').map((e) => e.cause));
  const ranges: Array<[number, number]> = [];
  for (const ev of trace) {
    // The end is inclusive: an arrival at the instant the partition heals may come before the heal.
    // A message some other partition cut too is lost either way: turning it into a loss changes nothing.
    if (ev.kind !== 'drop' || ev.detail !== 'cut' || ev.timeMs < f.atMs || ev.timeMs > f.atMs + f.durationMs) continue;
    if (ev.envelope === undefined || !links.has(`${ev.envelope.from} ${ev.envelope.to}`)) continue;
    const send: TraceEvent | undefined = trace[ev.cause];
    const range = send?.kind === 'send' ? send.tapeRange : undefined;
    if (range === undefined || duplicated.has(send.index)) return null;
    ranges.push(range);
  }
  const tape = lostAt(traced.sim.tape, ranges);
  return tape === null ? null : { ...c, faults: [...c.faults.slice(0, i), ...c.faults.slice(i + 1)], tape };
}

/** The tape with each range's message lost: its first decision (the drop) 1, the rest removed. */
function lostAt(tape: ChoiceTape, ranges: ReadonlyArray<[number, number]>): ChoiceTape | null {
  const gone = new Uint8Array(tape.values.length);
  const values = tape.values.slice();
  for (const [start, end] of ranges) {
    if (!(start < end && end <= values.length) || tape.kinds[start] !== ChoiceKind.drop || values[start] !== 0) return null;
    values[start] = 1;
    gone.fill(1, start + 1, end);
  }
  const out: ChoiceTape = { values: [], kinds: [], causes: [] };
  for (let k = 0; k < values.length; k++) {
    if (gone[k] === 1) continue;
    out.values.push(values[k]);
    out.kinds.push(tape.kinds[k]);
    out.causes!.push(tape.causes?.[k] ?? -1);
  }
  return out;
}
