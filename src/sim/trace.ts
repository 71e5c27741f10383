import type { NodeId } from '../node/api.ts';

/**
 * One event of a run's trace: what happened, when (virtual time), where, and what caused it.
 * Happens-before is recorded, never inferred: every event names its `cause`, the trace event during
 * whose handling it was sent or scheduled, so a reader walks `cause` links back from a violation to
 * the run's roots (planned client ops, planned faults, node start-up). The trace is recorded only
 * when asked for (it is large); the run's fingerprint is hashed separately and does not depend on it.
 *
 * @example
 * const r = await runScenario(abd, input, { recordTrace: true });
 * const deliver = r.sim.trace.find((e) => e.kind === 'deliver')!;
 * r.sim.trace[deliver.cause].kind; // 'send': the send this delivery carries
 */
export interface TraceEvent {
  /** Position in the trace (0-based); `cause` fields point at these. */
  index: number;
  /** True virtual time in ms (not a node's possibly skewed local clock). */
  timeMs: number;
  kind: TraceKind;
  /**
   * Index of the trace event that caused this one, or -1 for a root (a planned client op's invoke,
   * a planned fault, the final heal, node start-up, the end-of-run listings' run-end marker).
   * - `deliver` / `drop` / `dup` / `hold` / `in-flight`: the `send` of that message.
   * - `send`, `log`, `reply`, `pending`: the event whose handler (or continuation) was running.
   * - `timer` / `wake` / `call-timeout`: the event during which the timer, sleep or call was set.
   * - `arrive`: the client's `invoke`; `complete`: the `reply` it answers, or the `invoke` (timeout,
   *   refused connection).
   * - `restart` / `resume` / `heal` of one fault: that fault's `fault` event.
   */
  cause: number;
  /** The node where it happened: the handler's node, the crashed or paused node, the timer's owner. */
  node?: NodeId;
  /**
   * Index in the run's op plan of the client op this event descends from (the same id the choice
   * tape keys network decisions by); absent for background work that no client op led to.
   */
  clientOp?: number;
  /** For `invoke` / `complete`: the index of the history record. */
  historyIndex?: number;
  /** For message events (`send`, `deliver`, `drop`, `dup`, `hold`, `in-flight`): its envelope. */
  envelope?: Envelope;
  /**
   * The payload, copied: a message's body (without any call wrapper), a client request
   * `{ f, value, key? }` on `invoke` / `arrive`, a client result `{ type, value }` on `reply` / `complete`.
   */
  body?: unknown;
  /** For `timer`: the timer's name. For `drop`: why (`loss`, `cut`, `down`). For faults: what. */
  detail?: string;
  /** For fault events (`fault`, `heal`, `restart`, `resume`, `crash`, `pause`): its index in the fault plan. */
  fault?: number;
  /**
   * For a `send` the network routed: the positions [start, end) of the decisions it drew in the
   * run's choice tape (drop, dup, latency, reorder). The shrinker turns a message a partition cut
   * into a loss by them.
   */
  tapeRange?: [number, number];
}

/** Where a message goes and what it is, as the network sees it. */
export interface Envelope {
  /** Unique per run; a duplicate keeps its original's id. */
  msgId: number;
  from: NodeId;
  to: NodeId;
  /** `message`: `ctx.send`/`broadcast`; `call`: a `ctx.call` request; `reply`: its answer. */
  type: 'message' | 'call' | 'reply';
  /** For `call` and `reply`: the call id, unique per run. */
  callId?: number;
}

/**
 * What a trace event records. Message life: `send` then `deliver` (or `drop`, or `hold` while a
 * link is clogged, or `in-flight` when the run ended first); `dup` marks a second copy. Node life:
 * `timer`, `wake` (a `ctx.sleep` ends), `call-timeout`, `crash`, `restart`, `pause`, `resume`.
 * Clients: `invoke`, `arrive` (the request reaches the node), `reply` (the node answers),
 * `complete`. Faults: `fault`, `heal`. `log` is `ctx.log`. `pending` lists, at the end, async
 * protocol code still waiting when the run ended.
 */
export type TraceKind =
  | 'send'
  | 'deliver'
  | 'drop'
  | 'dup'
  | 'hold'
  | 'in-flight'
  | 'timer'
  | 'wake'
  | 'call-timeout'
  | 'crash'
  | 'restart'
  | 'pause'
  | 'resume'
  | 'fault'
  | 'heal'
  | 'invoke'
  | 'arrive'
  | 'reply'
  | 'complete'
  | 'log'
  | 'pending';
