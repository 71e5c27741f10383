/**
 * The counterexample story: a shrunk run, replayed with its trace, told as a numbered list a
 * person reads top to bottom, ending with the violation explained.
 *
 * To stay short it leaves out what nothing later depends on. The trace is cut into *steps*: one
 * event the simulator dispatched (a delivery, a timer, a client invoke, a fault, ...) plus the
 * sends its handler made. Walking backwards, a step matters if it is a client event, a fault or
 * heal, or it sent a message that matters, or it is the last step of a node before that node's
 * reply reached a client. A message matters if its delivery matters, or if it is a request (a
 * plain message or a `ctx.call` request: it may change the receiver's state). So what drops out
 * is mostly late answers to calls and timers that did nothing.
 */
import type { LinearizabilityResult, OpRef } from '../../checkers/linearizability.ts';
import type { CheckerResult } from '../../checkers/result.ts';
import type { RunResult } from '../run/run.ts';
import type { TraceEvent as SimTraceEvent } from '../sim/trace.ts';

export interface Story {
  /** The numbered steps, then the explanation (already formatted). */
  lines: string[];
  /** Numbered steps (events shown). */
  steps: number;
  text: string;
}

/**
 * The story's own view of a trace event (the simulator's `TraceEvent` flattened: `e` kind, `t` time,
 * `id` message id, `msg` body with a call's `{ callId, body }` wrapper). Kept local so the story
 * logic reads as before; the kinds it does not tell (arrive, wake, reply, ...) are left out.
 */
interface TraceEvent {
  t: number;
  e: string;
  node?: string;
  from?: string;
  to?: string;
  id?: number;
  msg?: unknown;
  detail?: string;
  fault?: number;
  op?: number;
}

const TOLD = new Set(['send', 'deliver', 'drop', 'dup', 'hold', 'timer', 'crash', 'restart', 'pause', 'resume', 'fault', 'heal', 'invoke', 'complete', 'log']);

function legacyTrace(trace: readonly SimTraceEvent[]): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const ev of trace) {
    if (!TOLD.has(ev.kind)) continue;
    const env = ev.envelope;
    const msg = env?.callId !== undefined ? { callId: env.callId, body: ev.body } : ev.body;
    out.push({
      t: ev.timeMs,
      e: ev.kind,
      node: ev.node,
      from: ev.kind === 'send' ? undefined : env?.from,
      to: env?.to,
      id: env?.msgId,
      msg: ev.kind === 'deliver' || ev.kind === 'send' || ev.kind === 'invoke' || ev.kind === 'complete' ? msg : undefined,
      detail: ev.detail,
      fault: ev.fault,
      op: ev.historyIndex,
    });
  }
  return out;
}

/** Dispatch events start a step; the others (sends, ...) belong to the step before them. */
// `log` lines are the protocol's own milestones (ctx.log: "leader of term 3"): each is a step.
const DISPATCH = new Set(['deliver', 'timer', 'invoke', 'complete', 'fault', 'heal', 'crash', 'restart', 'resume', 'pause', 'log']);

interface Step {
  head: TraceEvent;
  sends: TraceEvent[];
  /** Loss / duplication decided at send time. */
  fates: TraceEvent[];
  relevant: boolean;
}

/**
 * Tells the story of a run recorded with `recordTrace: true`.
 *
 * @example
 * const r = await runScenario(abd, shrunk.input, { recordTrace: true });
 * console.log(tellStory(r).text);
 */
export function tellStory(r: RunResult, title?: string): Story {
  const trace = legacyTrace(r.sim.trace);
  if (trace.length === 0 && r.sim.stats.steps > 0) {
    throw new Error('tellStory needs a run recorded with { recordTrace: true }');
  }
  const steps: Step[] = [];
  const cutDrops: TraceEvent[] = [];
  let current: Step | undefined;
  for (const ev of trace) {
    if (ev.e === 'drop' && ev.detail !== 'loss') {
      // Lost at delivery time (cut or down): its own step.
      current = { head: ev, sends: [], fates: [], relevant: false };
      steps.push(current);
      cutDrops.push(ev);
    } else if (DISPATCH.has(ev.e)) {
      current = { head: ev, sends: [], fates: [], relevant: false };
      steps.push(current);
    } else if (ev.e === 'send' && (current === undefined || current.head.t !== ev.t || stepNode(current) !== ev.node)) {
      // Sent from an untraced event (a client request arriving, a sleep or call timeout ending).
      current = { head: ev, sends: [ev], fates: [], relevant: false };
      steps.push(current);
    } else if (current !== undefined && (ev.e === 'send' || ev.e === 'hold')) {
      if (ev.e === 'send') current.sends.push(ev);
    } else if (current !== undefined && (ev.e === 'drop' || ev.e === 'dup')) {
      current.fates.push(ev);
    } else if (current === undefined && ev.e === 'send') {
      current = { head: ev, sends: [ev], fates: [], relevant: false };
      steps.push(current);
    }
  }

  // Which message ids are requests (a plain message, or a call that is not an answer).
  const requestIds = new Set<number>();
  const callsSeen = new Set<string>();
  for (const s of steps) {
    for (const send of s.sends) {
      const callId = callIdOf(send.msg);
      const isAnswer = callId !== undefined && callsSeen.has(`${send.to}>${send.node}#${callId}`);
      if (callId !== undefined) callsSeen.add(`${send.node}>${send.to}#${callId}`);
      if (!isAnswer && send.id !== undefined) requestIds.add(send.id);
    }
  }

  // Reply attribution: the last step of the node before each completion (client latency 1 ms).
  const completes = steps.filter((s) => s.head.e === 'complete');
  const replySteps = new Set<Step>();
  for (const c of completes) {
    let found: Step | undefined;
    for (const s of steps) {
      if (s.head.t > c.head.t - 1) break;
      if (stepNode(s) === c.head.node && (s.head.e === 'deliver' || s.head.e === 'timer' || s.head.e === 'invoke')) found = s;
    }
    if (found) replySteps.add(found);
  }

  const relevantMsgs = new Set<number>(requestIds);
  const deliveredIn = new Map<number, Step[]>();
  for (const s of steps) {
    if (s.head.e === 'deliver' && s.head.id !== undefined) {
      const list = deliveredIn.get(s.head.id) ?? [];
      list.push(s);
      deliveredIn.set(s.head.id, list);
    }
  }
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i];
    const e = s.head.e;
    if (e !== 'deliver' && e !== 'timer' && e !== 'drop' && e !== 'send') s.relevant = true;
    else if (replySteps.has(s)) s.relevant = true;
    else if (s.sends.some((m) => m.id !== undefined && relevantMsgs.has(m.id))) s.relevant = true;
    if (e === 'drop') s.relevant = s.head.id !== undefined && requestIds.has(s.head.id);
    if (s.relevant && e === 'deliver' && s.head.id !== undefined) relevantMsgs.add(s.head.id);
  }
  // A delivery matters if its message matters (request) or its step did something.
  for (const s of steps) {
    if (s.head.e === 'deliver' && s.head.id !== undefined && requestIds.has(s.head.id)) s.relevant = true;
  }

  // Which client op each step works for: an invoke starts one; a delivery works for the op of the
  // step that sent the message. Used to show only the ops the violation is about.
  const invokeOf = invokeIndexOfCompletion(r);
  const opOfMsg = new Map<number, number>();
  const opOfStep = new Map<Step, number>();
  for (const s of steps) {
    let op: number | undefined;
    if (s.head.e === 'invoke') op = s.head.op;
    else if (s.head.e === 'complete' && s.head.op !== undefined) op = invokeOf.get(s.head.op);
    else if ((s.head.e === 'deliver' || s.head.e === 'drop') && s.head.id !== undefined) op = opOfMsg.get(s.head.id);
    else if (s.head.e === 'send') op = arrivingOp(r, s.head);
    if (op === undefined) continue;
    opOfStep.set(s, op);
    for (const m of s.sends) if (m.id !== undefined) opOfMsg.set(m.id, op);
  }
  const keyOps = keyOpsOf(r, invokeOf);
  const doneAt = new Map<number, number>();
  for (const h of r.sim.history) if (h.type !== 'invoke' && invokeOf.has(h.index)) doneAt.set(invokeOf.get(h.index)!, h.time);
  // Without a linearizability counterexample to key on (an invariant broke, say), the story ends
  // at the violation and keeps, of the messages and timers, only the last few before it: the
  // faults, crashes, client ops and protocol milestones (ctx.log) still give the whole arc.
  const violationMs = keyOps === undefined ? violationTimeOf(r.checks) : Infinity;
  const messageSteps = steps.filter((s) => s.relevant && isMessageStep(s) && s.head.t <= violationMs);
  const recentMessages = new Set(messageSteps.slice(-RECENT_MESSAGES));
  const shown = (s: Step): boolean => {
    if (keyOps === undefined) {
      if (s.head.t > violationMs) return false;
      return !isMessageStep(s) || recentMessages.has(s);
    }
    const op = opOfStep.get(s);
    if (s.head.e === 'invoke' || s.head.e === 'complete') return op !== undefined && keyOps.has(op);
    // Messages of a key op, up to its completion (later answers change nothing the client saw).
    if (s.head.e === 'deliver' || s.head.e === 'drop') return op !== undefined && keyOps.has(op) && s.head.t <= (doneAt.get(op) ?? Infinity);
    return s.head.e !== 'timer' && s.head.e !== 'send';
  };

  const lines: string[] = [];
  const o = r.options;
  lines.push(
    title ??
      `${o.protocol}/${o.variant} seed ${o.seed}: ${o.nodes} nodes, ${o.clients} clients, ${r.ops.length} ops, ${r.faults.length} faults -> ${r.status.toUpperCase()}${r.failing.length ? ` (${r.failing.join(', ')})` : ''}`,
  );
  const stepOfOp = new Map<number, number>();
  const sentAt = new Map<number, number>();
  for (const ev of trace) if (ev.e === 'send' && ev.id !== undefined) sentAt.set(ev.id, ev.t);
  const delivered = new Set<number>();
  let n = 0;
  const tw = String(Math.max(0, ...trace.map((e) => e.t))).length;
  const add = (t: number, text: string) => {
    n++;
    lines.push(`${String(n).padStart(3)}. ${String(t).padStart(tw)} ms  ${text}`);
  };
  for (const s of steps) {
    for (const f of s.fates) {
      if (!shown(s)) break;
      if (f.e === 'drop' && f.id !== undefined && requestIds.has(f.id)) {
        const send = s.sends.find((m) => m.id === f.id);
        add(f.t, `${f.from} -> ${f.to}: ${summarise(send?.msg)}  LOST (network loss)`);
      }
    }
    if (!shown(s) || (keyOps === undefined && !s.relevant)) continue;
    const h = s.head;
    switch (h.e) {
      case 'invoke': {
        const m = h.msg as { f: string; value: unknown; key?: string };
        if (h.op !== undefined) stepOfOp.set(h.op, n + 1);
        add(h.t, `client invokes ${m.f}${m.key !== undefined ? ` [${m.key}]` : ''}${m.value !== null && m.value !== undefined ? ` ${summarise(m.value)}` : ''} at ${h.node}  (op #${h.op})`);
        break;
      }
      case 'complete': {
        const m = h.msg as { type: string; value: unknown };
        add(h.t, `${h.node} answers op #${h.op !== undefined ? invokeOf.get(h.op) : '?'}: ${m.type}${m.value !== null && m.value !== undefined ? ` ${summarise(m.value)}` : ''}${h.detail ? ` (${h.detail})` : ''}`);
        break;
      }
      case 'deliver': {
        const dup = h.id !== undefined && delivered.has(h.id);
        if (h.id !== undefined) delivered.add(h.id);
        const sent = h.id !== undefined ? sentAt.get(h.id) : undefined;
        const late = sent !== undefined && h.t - sent > 1 ? ` (sent ${sent} ms)` : '';
        add(h.t, `${h.from} -> ${h.to}: ${summarise(h.msg)}${late}${dup ? '  DUPLICATE' : ''}`);
        break;
      }
      case 'drop': {
        const send = h.id !== undefined ? findSend(trace, h.id) : undefined;
        add(h.t, `${h.from} -> ${h.to}: ${summarise(send?.msg)}  LOST (${h.detail === 'cut' ? 'link cut' : 'receiver down'})`);
        break;
      }
      case 'timer':
        add(h.t, `${h.node}: timer ${h.detail ?? ''} fires`);
        break;
      case 'log':
        add(h.t, `${h.node}: ${h.detail ?? ''}`);
        break;
      case 'fault':
        add(h.t, `FAULT: ${h.detail}`);
        break;
      case 'heal':
        // The end of a crash is told by the restart line that follows it.
        // The fault's own line listed what it cut; the heal names it only.
        if (!h.detail?.startsWith('end of crash')) add(h.t, `HEAL: ${(h.detail ?? '').replace(/ for \d+ ms: cuts .*$/, '')}`);
        break;
      case 'crash':
        // Folded into its fault's line when it follows it (it always does, unless the fault is hidden).
        if (h.detail && lines.length > 0 && lines[lines.length - 1].includes(`FAULT: crash ${h.node} `)) lines[lines.length - 1] += ` (${h.detail})`;
        else if (!lines[lines.length - 1]?.includes(`FAULT: crash ${h.node} `)) add(h.t, `${h.node} CRASHES${h.detail ? ` (${h.detail})` : ''}`);
        break;
      case 'restart':
        add(h.t, `${h.node} restarts`);
        break;
      case 'resume':
        add(h.t, `${h.node} resumes`);
        break;
      default:
        break;
    }
  }
  const steps_ = n;
  const earlier = messageSteps.length - recentMessages.size;
  if (keyOps === undefined && earlier > 0) {
    lines.push(`     (${earlier} earlier messages and timers are left out: faults, client ops and milestones are all shown, messages only for the last ${RECENT_MESSAGES} before the violation)`);
  }
  if (keyOps !== undefined) {
    const others = r.sim.history.filter((h) => h.type === 'invoke' && !keyOps.has(h.index)).length;
    if (others > 0) lines.push(`     (${others} other ops and their messages are left out: they only set the stage; keyed on ops ${[...keyOps].sort((a, b) => a - b).map((x) => '#' + x).join(', ')})`);
  }
  lines.push('');
  lines.push(...explain(r.checks, stepOfOp));
  return { lines, steps: steps_, text: lines.join('\n') };
}

/** How many message and timer steps an invariant story keeps before its violation. */
const RECENT_MESSAGES = 20;

function isMessageStep(s: Step): boolean {
  const e = s.head.e;
  return e === 'deliver' || e === 'drop' || e === 'timer' || e === 'send';
}

/** The earliest time a failing check names (`always` results carry it); Infinity if none does. */
function violationTimeOf(checks: readonly CheckerResult[]): number {
  let t = Infinity;
  for (const c of checks) {
    const at = (c.details as { timeMs?: unknown } | undefined)?.timeMs;
    if (c.verdict !== 'ok' && typeof at === 'number') t = Math.min(t, at);
  }
  return t;
}

/** Why the run failed: each failing check, and for linearizability, the op that cannot be placed. */
export function explain(checks: readonly CheckerResult[], stepOfOp: ReadonlyMap<number, number> = new Map()): string[] {
  const out: string[] = [];
  const failing = checks.filter((c) => c.verdict !== 'ok');
  if (failing.length === 0) {
    out.push('Every check held.');
    return out;
  }
  const ref = (op: OpRef) => `op #${op.index} (${op.description}, process ${op.process}${stepOfOp.has(op.index) ? `, step ${stepOfOp.get(op.index)}` : ''})`;
  for (const c of failing) {
    out.push(`VIOLATION ${c.checker} (${c.verdict}): ${c.summary}`);
    const d = c.details as Partial<LinearizabilityResult> | undefined;
    const ce = d?.counterexamples?.[0];
    if (ce) {
      const p = ce.prefixes[0];
      if (p) {
        const order = p.ops.map((x) => `#${x.index} ${x.description}`);
        const shown = order.length > 12 ? [...order.slice(0, 4), '...', ...order.slice(-7)] : order;
        out.push(`  The longest order the ops can be explained in${ce.partition !== null ? ` (key ${ce.partition})` : ''}: ${shown.join(', ') || '(none)'}`);
        out.push(`  reaches state ${p.state}.`);
      }
      if (ce.op) out.push(`  From there ${ref(ce.op)} cannot be placed: no order of the ops agrees with what the clients saw.`);
    }
  }
  return out;
}

/** History index of each completion -> index of its invoke. */
function invokeIndexOfCompletion(r: RunResult): Map<number, number> {
  const open = new Map<number, number>();
  const out = new Map<number, number>();
  for (const h of r.sim.history) {
    const i = h.index ?? 0;
    if (h.type === 'invoke') open.set(h.process, i);
    else if (open.has(h.process)) {
      out.set(i, open.get(h.process)!);
      open.delete(h.process);
    }
  }
  return out;
}

/**
 * The ops a linearizability violation is about: the op that cannot be placed, the ops running at
 * the same time, and the last few ops of the longest explainable order. Undefined (show every op)
 * for other failures.
 */
function keyOpsOf(r: RunResult, invokeOf: Map<number, number>): Set<number> | undefined {
  const lin = r.checks.find((c) => c.verdict === 'illegal' && (c.details as Partial<LinearizabilityResult> | undefined)?.counterexamples?.length);
  const ce = (lin?.details as LinearizabilityResult | undefined)?.counterexamples[0];
  if (!ce?.op) return undefined;
  const key = new Set<number>([ce.op.index]);
  for (const x of ce.prefixes[0]?.ops.slice(-3) ?? []) key.add(x.index);
  // Real-time intervals of every op: [invoke time, completion time (or end of run)].
  const span = new Map<number, [number, number]>();
  for (const h of r.sim.history) {
    if (h.type === 'invoke') span.set(h.index, [h.time, Number.POSITIVE_INFINITY]);
    else {
      const inv = invokeOf.get(h.index);
      if (inv !== undefined) span.get(inv)![1] = h.time;
    }
  }
  const focus = [...key].map((k) => span.get(k)).filter((x): x is [number, number] => x !== undefined);
  for (const [i, [a, b]] of span) {
    if (focus.some(([fa, fb]) => a <= fb && fa <= b)) key.add(i);
  }
  return key;
}

/** The client op whose request reached `send.node` just before this send (client latency 1 ms). */
function arrivingOp(r: RunResult, send: TraceEvent): number | undefined {
  let found: number | undefined;
  for (const h of r.sim.history) {
    if (h.time > send.t) break;
    if (h.type === 'invoke' && h.node === send.node && h.time === send.t - 1) found = h.index;
  }
  return found;
}

function stepNode(s: Step): string | undefined {
  return s.head.e === 'deliver' ? s.head.to : s.head.node;
}

function callIdOf(msg: unknown): number | undefined {
  if (msg !== null && typeof msg === 'object' && 'callId' in msg && 'body' in msg) {
    const id = (msg as { callId: unknown }).callId;
    return typeof id === 'number' ? id : undefined;
  }
  return undefined;
}

function findSend(trace: readonly TraceEvent[], id: number): TraceEvent | undefined {
  for (const ev of trace) if (ev.e === 'send' && ev.id === id) return ev;
  return undefined;
}

/** A compact one-line rendering of a message: call envelopes unwrapped, keys unquoted, capped. */
export function summarise(msg: unknown, max = 72): string {
  let body = msg;
  let tag = '';
  const callId = callIdOf(msg);
  if (callId !== undefined) {
    body = (msg as { body: unknown }).body;
    tag = `call#${callId} `;
  }
  let text: string;
  try {
    text = JSON.stringify(body) ?? String(body);
  } catch {
    text = String(body);
  }
  text = text.replace(/"([A-Za-z_$][\w$]*)":/g, '$1:').replace(/"([\w.\-]*)"/g, '$1');
  if (text.length > max) text = text.slice(0, max - 3) + '...';
  return tag + text;
}
