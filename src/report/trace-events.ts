/**
 * The report's view of a trace: one flat event shape, whichever trace format recorded it.
 *
 * Two formats exist: the first (`{ i, t, e, id, msg, op }`, no causality) and the causal one
 * (`{ index, timeMs, kind, cause, envelope, body, historyIndex, clientOp }`). Reports of older run
 * directories must keep opening, so both are read here and nowhere else. For the first format the
 * direct causes the simulator did not record are filled in from what the trace does say: a
 * delivery, drop, duplicate or hold is caused by its message's send, and a send by the event its
 * node was handling at that instant. Anything else is a root (-1).
 */

/** One trace event as the report uses it. */
export interface ReportEvent {
  index: number;
  timeMs: number;
  kind: string;
  /** Index of the event that caused this one, or -1 (a root, or not known). */
  cause: number;
  node?: string;
  from?: string;
  to?: string;
  msgId?: number;
  /** Call id of a `ctx.call` request or its reply. */
  callId?: number;
  /** The message body (call wrapper removed), client request or result. Untrusted. */
  body?: unknown;
  detail?: string;
  fault?: number;
  /** History record index, for `invoke` / `complete`. */
  historyIndex?: number;
  /** Index in the run's op plan of the client op this event descends from (causal format only). */
  clientOp?: number;
}

/** Events that start a handler on a node: sends at the same instant on that node descend from them. */
const HANDLER_STARTS = new Set(['deliver', 'timer', 'wake', 'call-timeout', 'invoke', 'arrive', 'restart', 'resume']);

/**
 * Reads raw trace records (parsed JSON or a run's `sim.trace`) into report events.
 * Throws an Error naming the record when one is not a trace event.
 *
 * @example
 * const events = readTrace(run.sim.trace);
 * events[0].kind; // 'invoke'
 */
export function readTrace(raw: readonly unknown[]): ReportEvent[] {
  const out: ReportEvent[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = readOne(raw[i], i);
  if (out.length > 0 && !('cause' in (raw[0] as object))) inferCauses(out);
  return out;
}

function readOne(r: unknown, position: number): ReportEvent {
  if (r === null || typeof r !== 'object') throw new Error(`trace record ${position + 1} is not an object`);
  const o = r as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if ('kind' in o) {
    const env = (o.envelope ?? {}) as Record<string, unknown>;
    return {
      index: num(o.index) ?? position,
      timeMs: num(o.timeMs) ?? 0,
      kind: str(o.kind) ?? 'unknown',
      cause: num(o.cause) ?? -1,
      node: str(o.node) ?? (o.kind === 'send' ? str(env.from) : undefined),
      from: str(env.from),
      to: str(env.to),
      msgId: num(env.msgId),
      callId: num(env.callId),
      body: o.body,
      detail: str(o.detail),
      fault: num(o.fault),
      historyIndex: num(o.historyIndex),
      clientOp: num(o.clientOp),
    };
  }
  if (!('e' in o)) throw new Error(`trace record ${position + 1} has neither 'kind' nor 'e': not a trace event`);
  // First format: call envelopes travel as { callId, body } inside `msg`.
  let body = o.msg;
  let callId: number | undefined;
  if (body !== null && typeof body === 'object' && 'callId' in body && 'body' in body) {
    callId = num((body as { callId: unknown }).callId);
    body = (body as { body: unknown }).body;
  }
  return {
    index: position,
    timeMs: num(o.t) ?? 0,
    kind: str(o.e) ?? 'unknown',
    cause: -1,
    node: str(o.node),
    from: str(o.from) ?? (o.e === 'send' ? str(o.node) : undefined),
    to: str(o.to),
    msgId: num(o.id),
    callId,
    body,
    detail: str(o.detail),
    fault: num(o.fault),
    historyIndex: num(o.op),
  };
}

/** Fills in the causes the first format left out (see the file comment). */
function inferCauses(events: ReportEvent[]): void {
  const sendOf = new Map<number, number>();
  const handling = new Map<string, ReportEvent>();
  for (const ev of events) {
    if (ev.kind === 'send') {
      if (ev.msgId !== undefined) sendOf.set(ev.msgId, ev.index);
      const h = ev.node === undefined ? undefined : handling.get(ev.node);
      if (h && h.timeMs === ev.timeMs) ev.cause = h.index;
    } else if (ev.msgId !== undefined) {
      ev.cause = sendOf.get(ev.msgId) ?? -1;
    }
    if (HANDLER_STARTS.has(ev.kind)) {
      const at = ev.kind === 'deliver' ? ev.to : ev.node;
      if (at !== undefined) handling.set(at, ev);
    }
  }
}

/** The lane (node) an event happens on: the receiver for deliveries and arrival drops. */
export function laneOf(ev: ReportEvent): string | undefined {
  if (ev.kind === 'deliver' || (ev.kind === 'drop' && ev.detail !== 'loss') || ev.kind === 'in-flight') return ev.to;
  return ev.node ?? ev.from;
}
