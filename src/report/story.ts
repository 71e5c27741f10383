/**
 * The counterexample story: a failed run, replayed with its trace, told as a numbered list a
 * person reads top to bottom, ending with the violation explained.
 *
 * It is cut to the causal past of the violation, read from the recorded trace (every event names
 * its cause; nothing is inferred from timings or message shapes):
 * - the cause chains of the violation's anchor events (see `violation.ts`): the messages, timers
 *   and client steps that led to them;
 * - for the ops the violation is about, their messages up to their completion, including each one
 *   that was lost or never arrived;
 * - for each of those ops that read a value, where the value came from (`story-sources.ts`): the
 *   write of it, and on each node that answered, the last delivery of that write before it did,
 *   with its cause chain;
 * - for an invariant broken by a delivery, the last few messages of its kind the same node handled
 *   before it, with their cause chains (the rest of a quorum, an earlier commit of the same task);
 * - the protocol's milestones (`ctx.log`) that happen-before the violation, with their cause
 *   chains, and the faults, crashes and heals up to it (an invariant observes every node, so for
 *   it everything recorded before the violation happens-before it);
 * - every message a shown step sent that was lost or never arrived.
 * Everything else (events after the violation, background chatter no shown step depends on) is
 * left out, and the story says how much.
 */
import type { RunResult } from '../run/run.ts';
import type { TraceEvent, TraceKind } from '../sim/trace.ts';
import { causalPast, causeChains } from './causal-past.ts';
import { explain } from './explain.ts';
import { fanoutText, lineOf, type Fanout, type LineContext } from './story-lines.ts';
import { earlierOfKind, valueSources } from './story-sources.ts';
import { opEvents, violationOf, type OpEvents, type Violation } from './violation.ts';

export { explain } from './explain.ts';
export { summarise } from './summarise.ts';

export interface Story {
  /** The title, the numbered steps, then the explanation (already formatted). */
  lines: string[];
  /** Numbered steps (the events shown; one broadcast's deliveries in a row are one step). */
  steps: number;
  text: string;
}

/** A bound on the numbered steps; a shrunk run needs far fewer. */
export const MAX_STORY_STEPS = 1000;

/** A bound on the receivers one step names (a broadcast to a 100-node cluster stays readable). */
const MAX_FANOUT = 16;

/** Kinds with a story line (the others are plumbing: a send is told by its delivery or loss). */
const TOLD: ReadonlySet<TraceKind> = new Set<TraceKind>(['invoke', 'complete', 'deliver', 'drop', 'in-flight', 'timer', 'wake', 'call-timeout', 'log', 'fault', 'heal', 'crash', 'restart', 'pause', 'resume']);
const FAULT_KINDS: ReadonlySet<TraceKind> = new Set<TraceKind>(['fault', 'heal', 'crash', 'restart', 'pause', 'resume']);
const KEY_OP_MESSAGES: ReadonlySet<TraceKind> = new Set<TraceKind>(['deliver', 'call-timeout']);

/**
 * Tells the story of a run recorded with `recordTrace: true`.
 *
 * @example
 * const r = await runScenario(abd, shrunk.input, { recordTrace: true });
 * console.log(tellStory(r).text);
 */
export function tellStory(r: RunResult, title?: string): Story {
  const trace = r.sim.trace;
  if (trace.length === 0 && r.sim.stats.steps > 0) throw new Error('tellStory needs a run recorded with { recordTrace: true }');
  trace.forEach((ev, i) => {
    if (ev.index !== i || ev.cause >= i) throw new Error(`trace event ${i} is out of order (index ${ev.index}, cause ${ev.cause})`);
  });
  const ops = opEvents(trace);
  const shown = r.status === 'pass' ? new Set(trace.map((e) => e.index)) : selectEvents(r, ops, violationOf(r, ops));
  const lines = [title ?? titleOf(r)];
  const { steps, told, lineOfOp } = numberedLines(r, ops, shown, lines);
  const tellable = trace.filter((e) => TOLD.has(e.kind)).length;
  const left = tellable - told;
  if (left > 0) lines.push(`     (${left} of ${tellable} events left out: after the violation, or not in its causal past, or no step shown depends on them)`);
  lines.push('');
  lines.push(...explain(r.checks, lineOfOp));
  return { lines, steps, text: lines.join('\n') };
}

function titleOf(r: RunResult): string {
  const o = r.options;
  const failing = r.failing.length ? ` (${r.failing.join(', ')})` : '';
  return `${o.protocol}/${o.variant} seed ${o.seed}: ${o.nodes} nodes, ${o.clients} clients, ${r.ops.length} ops, ${r.faults.length} faults -> ${r.status.toUpperCase()}${failing}`;
}

/** The trace indices the story tells: the causal past of the violation that bears on it. */
function selectEvents(r: RunResult, ops: ReadonlyMap<number, OpEvents>, v: Violation): Set<number> {
  const trace = r.sim.trace;
  if (v.anchors.length === 0) return new Set();
  const horizon = endOfHandling(trace, v.anchors);
  const past = v.observesAll ? prefix(trace.length, horizon) : causalPast(trace, v.anchors);
  const milestones = trace.filter((e) => e.kind === 'log' && past[e.index] === 1).map((e) => e.index);
  const keyPlan = keyPlanOps(ops, v, past);
  const clientSteps = [...keyPlan.values()].flatMap((op) => (op.complete ? [op.invoke.index, op.complete.index] : [op.invoke.index]));
  // Where the values the key ops read came from; for an invariant broken by a delivery, the
  // earlier messages of its kind that node handled (what the broken state was built from).
  const sources = v.keyOps === undefined ? { handlers: earlierOfKind(trace, v.anchors), clientSteps: [] } : valueSources(trace, ops, keyPlan);
  const chains = causeChains(trace, [...v.anchors, ...milestones, ...clientSteps, ...sources.handlers]);
  for (const i of sources.clientSteps) chains.add(i);
  const shown = new Set<number>();
  for (const ev of trace) {
    if (isTold(ev, { trace, horizon, past, chains, keyPlan, faultFree: r.faults.length === 0 })) shown.add(ev.index);
  }
  return shown;
}

interface Selection {
  trace: readonly TraceEvent[];
  horizon: number;
  past: Uint8Array;
  chains: ReadonlySet<number>;
  /** Key ops by plan index (see `keyPlanOps`). */
  keyPlan: ReadonlyMap<number, OpEvents>;
  /** No fault was planned: the final heal ends nothing, and is not told. */
  faultFree: boolean;
}

/** Whether the story tells one event (see the module comment for the rules). */
function isTold(ev: TraceEvent, s: Selection): boolean {
  if (ev.kind === 'drop' || ev.kind === 'in-flight') return lostMessageMatters(ev, s);
  if (ev.index > s.horizon || (ev.kind === 'heal' && s.faultFree)) return false;
  if (s.chains.has(ev.index) || FAULT_KINDS.has(ev.kind)) return true;
  if (ev.kind === 'log') return s.past[ev.index] === 1;
  if (ev.kind === 'invoke' || ev.kind === 'complete') return clientEventMatters(ev, s);
  return KEY_OP_MESSAGES.has(ev.kind) && beforeKeyOpCompleted(ev, ev.index, s);
}

/** A lost or never-delivered message matters if a shown step sent it, or a key op's did. */
function lostMessageMatters(ev: TraceEvent, s: Selection): boolean {
  const send = s.trace[ev.cause];
  if (send === undefined || send.index > s.horizon) return false;
  if (ev.kind === 'drop' && ev.index > s.horizon) return false;
  return s.chains.has(send.cause) || beforeKeyOpCompleted(ev, send.index, s);
}

/** Whether `ev` works for a key op and `at` (a trace index) is no later than that op's completion. */
function beforeKeyOpCompleted(ev: TraceEvent, at: number, s: Selection): boolean {
  const op = ev.clientOp === undefined ? undefined : s.keyPlan.get(ev.clientOp);
  return op !== undefined && at <= (op.complete?.index ?? Number.POSITIVE_INFINITY);
}

/** Client steps of the key ops. */
function clientEventMatters(ev: TraceEvent, s: Selection): boolean {
  return ev.clientOp !== undefined && s.keyPlan.has(ev.clientOp);
}

/** The key ops by plan index; when the violation names none, every op invoked in its causal past. */
function keyPlanOps(ops: ReadonlyMap<number, OpEvents>, v: Violation, past: Uint8Array): Map<number, OpEvents> {
  const out = new Map<number, OpEvents>();
  for (const [historyIndex, op] of ops) {
    const key = v.keyOps === undefined ? past[op.invoke.index] === 1 : v.keyOps.has(historyIndex);
    if (key && op.invoke.clientOp !== undefined) out.set(op.invoke.clientOp, op);
  }
  return out;
}

/**
 * Appends the numbered lines of the shown events (in the order they happened, capped). The
 * deliveries of one broadcast that follow each other are told as one step (`n1 -> n2, n3: ...`).
 */
function numberedLines(r: RunResult, ops: ReadonlyMap<number, OpEvents>, shown: ReadonlySet<number>, out: string[]) {
  const trace = r.sim.trace;
  const opNumber = new Map<number, number>();
  for (const [historyIndex, op] of ops) if (op.invoke.clientOp !== undefined) opNumber.set(op.invoke.clientOp, historyIndex);
  const ctx: LineContext = { trace, faults: r.faults, opNumber, delivered: new Set() };
  // A message that never arrived is told where it was sent.
  const order = [...shown].sort((a, b) => placeOf(trace[a]) - placeOf(trace[b]) || a - b);
  const width = String(Math.max(0, ...trace.map((e) => e.timeMs))).length;
  const lineOfOp = new Map<number, number>();
  const numbered = (n: number, timeMs: number, text: string) => `${String(n).padStart(3)}. ${String(timeMs).padStart(width)} ms  ${text}`;
  let group: { fanout: Fanout; to: string[]; at: number } | undefined;
  let steps = 0;
  let told = 0;
  for (const i of order) {
    const line = lineOf(trace[i], ctx);
    if (line === undefined) continue;
    told++;
    if (line.fanout !== undefined && group !== undefined && group.fanout.key === line.fanout.key && group.to.length < MAX_FANOUT) {
      group.to.push(line.fanout.to);
      out[group.at] = numbered(steps, line.timeMs, fanoutText(group.fanout, group.to));
      continue;
    }
    if (steps === MAX_STORY_STEPS) {
      out.push(`     (the story is cut at ${MAX_STORY_STEPS} steps)`);
      told--;
      break;
    }
    steps++;
    if (trace[i].kind === 'invoke' && trace[i].historyIndex !== undefined) lineOfOp.set(trace[i].historyIndex!, steps);
    group = line.fanout === undefined ? undefined : { fanout: line.fanout, to: [line.fanout.to], at: out.length };
    out.push(numbered(steps, line.timeMs, line.text));
  }
  return { steps, told, lineOfOp };
}

/**
 * The last trace index of the anchors' handling: what their handlers did at once (a milestone
 * logged, a message sent) was done before anyone could observe the violation.
 */
function endOfHandling(trace: readonly TraceEvent[], anchors: readonly number[]): number {
  const set = new Set(anchors);
  let last = Math.max(...anchors);
  for (let i = last + 1; i < trace.length && trace[i].timeMs === trace[last].timeMs; i++) {
    if (set.has(trace[i].cause)) last = i;
  }
  return last;
}

/** Every index up to `last`: the past of an observation of the whole world. */
function prefix(length: number, last: number): Uint8Array {
  const past = new Uint8Array(length);
  past.fill(1, 0, last + 1);
  return past;
}

function placeOf(ev: TraceEvent): number {
  return ev.kind === 'in-flight' ? ev.cause + 0.5 : ev.index;
}
