/**
 * The simulator's scheduled events: one record shape for every kind (it keeps the hot loop
 * monomorphic), with named fields whose meaning is fixed per field, not per kind.
 */

/** What a scheduled event does when it falls due. */
export const EventKind = {
  /** A message copy reaches `node`. */
  Deliver: 0,
  /** A `ctx.setTimer` timer of `node` fires. */
  Timer: 1,
  /** A `ctx.sleep` of `node` ends. */
  Wake: 2,
  /** A `ctx.call` of `node` gives up waiting. */
  CallTimeout: 3,
  /** A client issues its next op. */
  ClientNext: 4,
  /** A client's request reaches `node`. */
  ClientArrive: 5,
  /** A node's answer reaches the client. */
  ClientReply: 6,
  /** A client stops waiting (the op becomes `info`). */
  ClientTimeout: 7,
  FaultStart: 8,
  FaultEnd: 9,
  /** A fault kind's own timer (a clock strobe flipping). */
  FaultTick: 10,
  /** Every fault ends: the final heal. */
  Heal: 11,
  /** The end of the quiet period after the heal. */
  End: 12,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** How a message travels: a plain `ctx.send`, a `ctx.call` request or its response. */
export const MessageType = {
  Plain: 0,
  CallRequest: 1,
  CallResponse: 2,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Fields that do not apply to an event's kind hold -1 (numbers) or undefined. */
export class SimEvent {
  constructor(
    readonly kind: EventKind,
    /** The node it happens at (index), or -1. */
    readonly node: number,
    /**
     * What it is about: the message id (Deliver), timer id (Timer), call id (CallTimeout), client
     * process (Client*), fault index (Fault*), or -1.
     */
    readonly subject: number,
    /**
     * What it carries: the message copy (Deliver), the sleep's resolve function (Wake), the
     * timeout error (CallTimeout), the request (ClientArrive), the result (ClientReply), the
     * strobe phase (FaultTick).
     */
    readonly payload: unknown,
    /**
     * The incarnation of `node` that scheduled it (Timer, Wake, CallTimeout), or -1; below -1 it
     * names an equivocating node's second copy (see sim/byzantine.ts).
     */
    readonly incarnation: number,
    /** The client op id (Client*), or -1. */
    readonly opId: number,
    /** The sending node's index (Deliver), or -1. */
    readonly from: number,
    readonly messageType: MessageType,
    /** Plan index of the client op this event descends from, or -1 (the choice tape's cause). */
    readonly clientOp: number,
    /** Trace index of the event that sent or scheduled this one, or -1 (a root, or no trace). */
    readonly traceCause: number,
  ) {}
}

/** A message copy on its way (or held on a clogged link). */
export function deliverEvent(to: number, from: number, msgId: number, copy: unknown, type: MessageType, clientOp: number, traceCause: number, copyMark = -1): SimEvent {
  // `incarnation` of a delivery marks a message an equivocating node's second copy sent to itself.
  return new SimEvent(EventKind.Deliver, to, msgId, copy, copyMark, -1, from, type, clientOp, traceCause);
}

/** A timer-like event of one node's incarnation (Timer, Wake, CallTimeout). */
export function nodeTimerEvent(
  kind: typeof EventKind.Timer | typeof EventKind.Wake | typeof EventKind.CallTimeout,
  node: number,
  id: number,
  payload: unknown,
  incarnation: number,
  clientOp: number,
  traceCause: number,
): SimEvent {
  return new SimEvent(kind, node, id, payload, incarnation, -1, -1, MessageType.Plain, clientOp, traceCause);
}

/** A client event (ClientNext, ClientArrive, ClientReply, ClientTimeout). */
export function clientEvent(
  kind: typeof EventKind.ClientNext | typeof EventKind.ClientArrive | typeof EventKind.ClientReply | typeof EventKind.ClientTimeout,
  node: number,
  process: number,
  opId: number,
  payload: unknown,
  clientOp: number,
  traceCause: number,
): SimEvent {
  return new SimEvent(kind, node, process, payload, -1, opId, -1, MessageType.Plain, clientOp, traceCause);
}

/** A fault-plan event (FaultStart, FaultEnd, FaultTick) or a run milestone (Heal, End). */
export function planEvent(kind: EventKind, fault: number, node = -1, phase?: number): SimEvent {
  return new SimEvent(kind, node, fault, phase, -1, -1, -1, MessageType.Plain, -1, -1);
}
