import { CallTimeoutError, type NodeCtx, type NodeHandlers, type NodeId, type StartKind, type TimerId } from '../node/api.ts';
import { SimStorage } from '../node/storage.ts';
import type { ByzantineState } from './byzantine.ts';
import { EventKind, MessageType } from './events.ts';

/** What the world looks like to an observer: each node's liveness and its handler object. */
export interface NodeView {
  id: NodeId;
  up: boolean;
  paused: boolean;
  /** The node's handler object (the protocol's instance); undefined while crashed. */
  state: NodeHandlers | undefined;
  /** Durable storage, as it would survive a crash right now. */
  storage: SimStorage;
}

/** A pending `ctx.call`: how to settle it, and when it started (for end-of-run reports). */
interface PendingCall {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  to: NodeId;
  sinceMs: number;
}

/** A node's runtime: liveness, incarnation, clock, timers, pending calls, disk. */
export class NodeRuntime {
  up = true;
  paused = false;
  /** Bumped by every crash: timers, sleeps, calls and replies of an older incarnation are stale. */
  incarnation = 0;
  /** Its disk was wiped when it left for good (churn): its next start is a fresh join. */
  wiped = false;
  handlers: NodeHandlers | undefined;
  ctx!: NodeCtx;
  readonly storage = new SimStorage();
  readonly timers = new Map<TimerId, { name: string; data: unknown }>();
  readonly calls = new Map<number, PendingCall>();
  /** Sleeps in progress (by wake id), for the end-of-run report of pending continuations. */
  readonly sleeps = new Map<number, number>();
  /** Events that fell due while paused, in the order they fell due. */
  deferred: unknown[] = [];
  /** Local clock: localMs = baseLocalMs + (trueMs - baseTrueMs) * rate + strobeOffsetMs. */
  baseLocalMs = 0;
  baseTrueMs = 0;
  rate = 1;
  strobeOffsetMs = 0;
  /** Set only for a node a Byzantine fault of the plan names (shared with its second copy). */
  byz: ByzantineState | undefined = undefined;
  readonly view: NodeView;

  constructor(
    readonly index: number,
    readonly id: NodeId,
    readonly rng: () => number,
  ) {
    this.view = { id, up: true, paused: false, state: undefined, storage: this.storage };
  }

  /** The node's local clock at true time `nowMs`. */
  localNow(nowMs: number): number {
    return Math.floor(this.baseLocalMs + (nowMs - this.baseTrueMs) * this.rate + this.strobeOffsetMs);
  }

  setClock(nowMs: number, localMs: number, rate: number): void {
    if (!(rate > 0 && Number.isFinite(localMs))) throw new Error(`assertion failed: clock of ${this.id} set to ${localMs} at rate ${rate}`);
    this.baseLocalMs = localMs;
    this.baseTrueMs = nowMs;
    this.rate = rate;
  }

  /** Forgets everything volatile; returns how many unsynced writes were lost. */
  crash(): number {
    if (!this.up) throw new Error(`assertion failed: ${this.id} crashed while already down`);
    this.up = false;
    this.paused = false;
    this.view.up = false;
    this.view.paused = false;
    this.view.state = undefined;
    this.handlers = undefined;
    this.incarnation++;
    this.timers.clear();
    this.calls.clear();
    this.sleeps.clear();
    this.deferred = [];
    return this.storage.crash();
  }
}

/** What a ctx needs from the simulator. */
export interface NodeHost {
  readonly nodeIds: readonly NodeId[];
  /** True once the run is over: protocol code still running (a runaway async loop) is stopped. */
  readonly ended: boolean;
  readonly traceOn: boolean;
  send(from: NodeRuntime, to: NodeId, msg: unknown, type: MessageType, callId: number): void;
  /** Schedules a timer-like event after `delayMs` of the node's clock. */
  schedule(n: NodeRuntime, kind: typeof EventKind.Timer | typeof EventKind.Wake | typeof EventKind.CallTimeout, delayMs: number, id: number, payload: unknown): void;
  newTimerId(): number;
  /** Call ids travel inside call messages, so they count in the fingerprint: their own counter. */
  newCallId(): number;
  newSleepId(): number;
  nowMs(): number;
  /** Tells the loop that async protocol code may have work queued. */
  markAsync(): void;
  log(n: NodeRuntime, line: string): void;
  /** `ctx.sometimes` counts: observations only, never part of the fingerprint or the run. */
  readonly sometimes: Map<string, number>;
}

/** Most timers one node may have armed at once: a bound on a runaway `setTimer` loop. */
export const MAX_TIMERS_PER_NODE = 100_000;

/** The ctx handed to one incarnation of one node. Calls from a stale incarnation do nothing. */
export class Ctx implements NodeCtx {
  readonly id: NodeId;
  readonly nodes: readonly NodeId[];
  readonly peers: readonly NodeId[];
  readonly storage: SimStorage;

  constructor(
    private readonly host: NodeHost,
    private readonly rt: NodeRuntime,
    private readonly incarnation: number,
    readonly start: StartKind,
  ) {
    this.id = rt.id;
    this.nodes = host.nodeIds;
    this.peers = this.nodes.filter((n) => n !== rt.id);
    this.storage = rt.storage;
  }

  private live(): boolean {
    this.checkRunning();
    return this.rt.incarnation === this.incarnation && this.rt.up;
  }

  /** A ctx outlives its run only in runaway async code: stop it there with an error. */
  private checkRunning(): void {
    if (this.host.ended) throw new Error(`${this.id}: this run has ended; its protocol code cannot go on (an async loop that never finished?)`);
  }

  send(to: NodeId, msg: unknown): void {
    if (this.live()) this.host.send(this.rt, to, msg, MessageType.Plain, 0);
  }

  broadcast(msg: unknown): void {
    if (!this.live()) return;
    for (const p of this.peers) this.host.send(this.rt, p, msg, MessageType.Plain, 0);
  }

  setTimer(delayMs: number, name: string, data?: unknown): TimerId {
    const id = this.host.newTimerId();
    if (!this.live()) return id;
    if (this.rt.timers.size >= MAX_TIMERS_PER_NODE) {
      throw new RangeError(`${this.id} has ${MAX_TIMERS_PER_NODE} timers armed at once (a timer leak? cancel the ones you replace)`);
    }
    this.rt.timers.set(id, { name, data });
    this.host.schedule(this.rt, EventKind.Timer, delayMs, id, undefined);
    return id;
  }

  cancelTimer(id: TimerId): void {
    if (this.live()) this.rt.timers.delete(id);
  }

  now(): number {
    this.checkRunning();
    return this.rt.localNow(this.host.nowMs());
  }

  random(): number {
    this.checkRunning();
    return this.rt.rng();
  }

  randomInt(bound: number): number {
    return Math.floor(this.random() * bound);
  }

  sometimes(name: string, cond: boolean): void {
    // Observation only: no trace, no draw, no event, so a run is the same with or without it.
    const counts = this.host.sometimes;
    counts.set(name, (counts.get(name) ?? 0) + (cond ? 1 : 0));
  }

  log(...parts: unknown[]): void {
    if (!this.live() || !this.host.traceOn) return;
    this.host.log(this.rt, parts.map((p) => (typeof p === 'string' ? p : safeJson(p))).join(' '));
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.live()) return;
      const id = this.host.newSleepId();
      this.rt.sleeps.set(id, this.host.nowMs());
      this.host.markAsync();
      this.host.schedule(this.rt, EventKind.Wake, delayMs, id, resolve);
    });
  }

  call<Res = unknown>(to: NodeId, request: unknown, timeoutMs: number): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (!this.live()) return;
      const callId = this.host.newCallId();
      this.host.markAsync();
      this.rt.calls.set(callId, { resolve: resolve as (v: unknown) => void, reject, to, sinceMs: this.host.nowMs() });
      this.host.send(this.rt, to, { callId, body: request }, MessageType.CallRequest, callId);
      // The timeout error is built when it fires (a stack per call would cost on the hot path).
      this.host.schedule(this.rt, EventKind.CallTimeout, timeoutMs, callId, timeoutMs);
    });
  }
}

/** The rejection of a call that timed out, built only when it happens. */
export function callTimeout(to: NodeId, timeoutMs: number): CallTimeoutError {
  return new CallTimeoutError(to, timeoutMs);
}

export function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
