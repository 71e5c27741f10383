import { cloneAndHash } from '../kernel/clone.ts';
import { Hasher } from '../kernel/hash.ts';
import type { HistoryOp } from '../history/types.ts';
import type { TraceEvent, TraceKind } from './trace.ts';

/**
 * Tags that open each record in the fingerprint hash. Their values are part of every stored
 * fingerprint (corpus entries): never renumber them.
 */
export const FingerprintTag = {
  /** A message sent: time, sender, receiver, then its content. */
  Send: 1,
  /** Follows a Send: the network lost it. */
  SendLost: 2,
  /** Follows a Send: the network duplicated it. */
  SendDuplicated: 3,
  /** A copy dropped on arrival (link cut, receiver down): its message id. */
  DropOnArrival: 4,
  /** A copy delivered: time, message id. */
  Deliver: 5,
  /** A timer fired: time, node. */
  Timer: 6,
  /** A history record: time, type, process, f, value. */
  ClientOp: 7,
  /** A fault started: time, index, whether it had an effect. */
  FaultStart: 8,
  /** A fault ended: time, index. */
  FaultEnd: 9,
  /** The final heal: time. */
  Heal: 10,
} as const;

/** Counters of one run. */
export interface SimStats {
  steps: number;
  virtualMs: number;
  messagesSent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  faults: number;
  ok: number;
  fail: number;
  info: number;
}

/**
 * Records what a run did: the fingerprint (always), the history (always), the stats (always) and
 * the causal trace (when asked). The simulator tells it what happened; it never decides anything.
 */
export class Recorder {
  readonly hasher = new Hasher();
  readonly history: HistoryOp[] = [];
  readonly trace: TraceEvent[] = [];
  readonly stats: SimStats = { steps: 0, virtualMs: 0, messagesSent: 0, delivered: 0, dropped: 0, duplicated: 0, faults: 0, ok: 0, fail: 0, info: 0 };
  /** Virtual time of what is being recorded (the simulator keeps it current). */
  nowMs = 0;
  /** Trace index of the event being handled: the default cause of whatever it records. */
  current = -1;

  constructor(readonly traceOn: boolean) {}

  /** Feeds a tag and its integer fields into the fingerprint. */
  tag(tag: number, ...fields: number[]): void {
    const h = this.hasher;
    h.int(tag);
    for (const x of fields) h.int(x);
  }

  /** Appends a history record and hashes it. */
  historyOp(op: HistoryOp): void {
    this.history.push(op);
    const h = this.hasher;
    h.int(FingerprintTag.ClientOp);
    h.int(op.time);
    h.str(op.type);
    h.int(op.process);
    h.str(op.f);
    cloneAndHash(op.value, h);
  }

  /**
   * Appends a trace event caused by `cause` (by default the event being handled); returns its
   * index, or -1 when the trace is off. It inherits its cause's client op unless it names one.
   */
  record(kind: TraceKind, fields: Omit<TraceEvent, 'index' | 'timeMs' | 'kind' | 'cause'>, cause = this.current): number {
    if (!this.traceOn) return -1;
    const trace = this.trace;
    if (!(cause < trace.length)) throw new Error(`assertion failed: trace cause ${cause} is not an earlier event`);
    const ev: TraceEvent = { index: trace.length, timeMs: this.nowMs, kind, cause };
    const inherited = cause >= 0 ? trace[cause].clientOp : undefined;
    if (inherited !== undefined && fields.clientOp === undefined) ev.clientOp = inherited;
    for (const k in fields) {
      const v = (fields as Record<string, unknown>)[k];
      if (v !== undefined) (ev as unknown as Record<string, unknown>)[k] = v;
    }
    trace.push(ev);
    return ev.index;
  }

  /** Records the head of a dispatched event: it becomes the cause of what its handler does. */
  begin(kind: TraceKind, fields: Omit<TraceEvent, 'index' | 'timeMs' | 'kind' | 'cause'>, cause: number): void {
    if (this.traceOn) this.current = this.record(kind, fields, cause);
  }

  fingerprint(): string {
    return this.hasher.hex();
  }
}
