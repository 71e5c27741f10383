/**
 * One story line per told trace event: what happened, in words, from the recorded fields only
 * (envelope, body, detail, fault index). Kinds that are plumbing (a send: its delivery or loss
 * is told instead; a request arriving, a reply leaving: the client lines tell them) have no line.
 */
import type { Fault } from '../faults/index.ts';
import type { TraceEvent } from '../sim/trace.ts';
import { describeMessage, summarise } from './summarise.ts';

export interface LineContext {
  trace: readonly TraceEvent[];
  faults: readonly Fault[];
  /** Plan index of an op -> history index of its invoke (the `op #` people see). */
  opNumber: ReadonlyMap<number, number>;
  /** Message ids delivered so far (a second delivery is a duplicate). */
  delivered: Set<number>;
}

export interface Line {
  timeMs: number;
  text: string;
  /** For a plain delivery: what lets the story tell one broadcast's deliveries as one line. */
  fanout?: Fanout;
}

/**
 * A delivery that may share a line with the other deliveries of the same broadcast: same sender,
 * same handler sending it, same body, same instant. Duplicates and late deliveries never do (they
 * are what a reader must see on their own).
 */
export interface Fanout {
  /** Equal for deliveries that may be told as one line. */
  key: string;
  from: string;
  /** The receiver as the line names it: `n2`, or `n2 (call#7)` for one of several calls. */
  to: string;
  /** The message as told, after `from -> to: ` (a call's body without its call number). */
  body: string;
}

/**
 * The line for a run of deliveries of one broadcast: `n1 -> n2, n3, n4: {...}`; calls name each
 * receiver's call number, which its reply line repeats: `n1 -> n2 (call#4), n3 (call#5): {...}`.
 *
 * @example
 * fanoutText({ key: 'k', from: 'n1', to: 'n2', body: '{t:c}' }, ['n2', 'n3']); // 'n1 -> n2, n3: {t:c}'
 */
export function fanoutText(f: Fanout, to: readonly string[]): string {
  return `${f.from} -> ${to.join(', ')}: ${f.body}`;
}

/**
 * The line for one event, or undefined for kinds the story does not tell.
 *
 * @example
 * lineOf(trace[12], ctx); // { timeMs: 3, text: 'n2 -> n1: call#4 {type:set,...}  LOST (network loss)' }
 */
export function lineOf(ev: TraceEvent, ctx: LineContext): Line | undefined {
  const at = (text: string): Line => ({ timeMs: ev.timeMs, text });
  switch (ev.kind) {
    case 'invoke':
      return at(invokeText(ev));
    case 'complete':
      return at(completeText(ev, ctx));
    case 'deliver':
      return deliverLine(ev, ctx);
    case 'drop':
      return at(`${route(ev)}: ${sentBody(ev, ctx)}  LOST (${lossReason(ev.detail)})`);
    case 'in-flight': {
      const send = ctx.trace[ev.cause];
      return { timeMs: send?.timeMs ?? ev.timeMs, text: `${route(ev)}: ${sentBody(ev, ctx)}  NEVER ARRIVED (still in flight when the run ended)` };
    }
    case 'timer':
      return at(`${ev.node}: timer ${ev.detail ?? ''} fires`);
    case 'wake':
      return at(`${ev.node}: sleep ends`);
    case 'call-timeout':
      return at(`${ev.node}: ${ev.detail ?? 'a call'} times out`);
    case 'log':
      return at(`${ev.node}: ${ev.detail ?? ''}`);
    default:
      return faultLine(ev, ctx);
  }
}

/** Lines for fault-related events: the fault plan names what a heal ends (no text matching). */
function faultLine(ev: TraceEvent, ctx: LineContext): Line | undefined {
  const at = (text: string): Line => ({ timeMs: ev.timeMs, text });
  switch (ev.kind) {
    case 'fault':
      return at(`FAULT: ${ev.detail ?? ''}`);
    case 'heal': {
      const f = ev.fault === undefined ? undefined : ctx.faults[ev.fault];
      // The end of a crash or pause is told by the node's restart or resume line.
      if (f?.kind === 'crash' || f?.kind === 'pause' || f?.kind === 'churn') return undefined;
      return at(f === undefined ? `HEAL: ${ev.detail ?? 'every fault ends'}` : `HEAL: the ${f.kind} that began at ${f.atMs} ms ends`);
    }
    case 'crash':
      // A churned node leaves for good: said as such (its disk is gone, unlike a crash's).
      if (isChurn(ev, ctx)) return at(`${ev.node} LEAVES for good${ev.detail ? ` (${ev.detail})` : ''}`);
      // A crash fault's own line already says it, unless the crash lost writes.
      if (ev.detail === undefined && isCrashFaultOf(ctx.trace[ev.index - 1], ev.node, ctx)) return undefined;
      return at(`${ev.node} CRASHES${ev.detail ? ` (${ev.detail})` : ''}`);
    case 'restart':
      return at(isChurn(ev, ctx) ? `a fresh ${ev.node} starts (empty disk) and must join` : `${ev.node} restarts`);
    case 'pause':
      return at(`${ev.node} pauses`);
    case 'resume':
      return at(`${ev.node} resumes`);
    default:
      return undefined;
  }
}

/** Whether the event belongs to a churn fault (read from the fault plan, not its text). */
function isChurn(ev: TraceEvent, ctx: LineContext): boolean {
  return ev.fault !== undefined && ctx.faults[ev.fault]?.kind === 'churn';
}

/** Whether `prev` is the start of a crash fault of `node` (read from the fault plan, not its text). */
function isCrashFaultOf(prev: TraceEvent | undefined, node: string | undefined, ctx: LineContext): boolean {
  const f = prev?.kind === 'fault' && prev.fault !== undefined ? ctx.faults[prev.fault] : undefined;
  return f?.kind === 'crash' && f.node === node;
}

function invokeText(ev: TraceEvent): string {
  const b = (ev.body ?? {}) as { f?: string; value?: unknown; key?: unknown };
  const key = b.key !== undefined ? ` [${summarise(b.key)}]` : '';
  const value = b.value !== null && b.value !== undefined ? ` ${summarise(b.value)}` : '';
  return `client invokes ${b.f ?? '?'}${key}${value} at ${ev.node}  (op #${ev.historyIndex})`;
}

function completeText(ev: TraceEvent, ctx: LineContext): string {
  const b = (ev.body ?? {}) as { type?: string; value?: unknown };
  const op = ev.clientOp !== undefined ? ctx.opNumber.get(ev.clientOp) : undefined;
  const value = b.value !== null && b.value !== undefined ? ` ${summarise(b.value)}` : '';
  return `${ev.node} answers op #${op ?? '?'}: ${b.type ?? '?'}${value}${ev.detail ? ` (${ev.detail})` : ''}`;
}

function deliverLine(ev: TraceEvent, ctx: LineContext): Line {
  const id = ev.envelope?.msgId;
  const dup = id !== undefined && ctx.delivered.has(id);
  if (id !== undefined) ctx.delivered.add(id);
  const send = ctx.trace[ev.cause];
  const sentMs = send?.kind === 'send' ? send.timeMs : undefined;
  const late = sentMs !== undefined && ev.timeMs - sentMs > 1 ? ` (sent ${sentMs} ms)` : '';
  const body = describeMessage(ev.envelope, ev.body);
  const line: Line = { timeMs: ev.timeMs, text: `${route(ev)}: ${body}${late}${dup ? '  DUPLICATE' : ''}` };
  const from = ev.envelope?.from;
  const to = ev.envelope?.to;
  if (!dup && late === '' && send?.kind === 'send' && from !== undefined && to !== undefined) {
    // One call per receiver, each with its own number: the same request, told once with the numbers.
    const call = ev.envelope?.type === 'call' ? `call#${ev.envelope.callId}` : undefined;
    const shared = call === undefined ? body : body.slice(call.length + 1);
    const key = `${ev.timeMs} ${from} ${send.cause} ${call === undefined ? 'message' : 'call'} ${shared}`;
    line.fanout = { key, from, to: call === undefined ? to : `${to} (${call})`, body: shared };
  }
  return line;
}

/** The body of a message as its send recorded it (drops and in-flight events carry only the envelope). */
function sentBody(ev: TraceEvent, ctx: LineContext): string {
  const send = ctx.trace[ev.cause];
  return describeMessage(ev.envelope, send?.kind === 'send' ? send.body : ev.body);
}

function route(ev: TraceEvent): string {
  return `${ev.envelope?.from ?? '?'} -> ${ev.envelope?.to ?? '?'}`;
}

function lossReason(detail: string | undefined): string {
  if (detail === 'cut') return 'link cut';
  if (detail === 'down') return 'receiver down';
  return 'network loss';
}
