/**
 * The protocol author's API: what a node can do (`NodeCtx`) and what it answers (`NodeHandlers`).
 * Protocol code reaches time, timers, randomness, storage and the network only through its ctx.
 */

/** A node's name, `n1` .. `nN`. */
export type NodeId = string;

/** A timer handle from `ctx.setTimer`. */
export type TimerId = number;

/** One client operation as the node receives it. */
export interface ClientOp {
  /** Unique per run; stable across retries of nothing (each invoke is a new op). */
  id: number;
  /** The client process issuing it (Jepsen's `process`). */
  process: number;
  f: string;
  value: unknown;
  /** For keyed workloads (key-value stores). */
  key?: string;
}

/** A node's answer to a client op. `fail` means it definitely did not happen; `info` means unknown. */
export type ClientResult =
  | { type: 'ok'; value?: unknown }
  | { type: 'fail'; error?: string }
  | { type: 'info'; error?: string };

/**
 * Durable storage. Writes are buffered until `sync()`; a crash loses every unsynced write, just as
 * a real machine loses what never reached the disk. Values are stored by value (copied).
 */
export interface Storage {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** Makes every write so far durable. */
  sync(): void;
}

/** Why a node is starting (see `NodeCtx.start`). */
export type StartKind = 'boot' | 'restart' | 'join';

/** Everything protocol code may touch: the only door to time, randomness, storage and network. */
export interface NodeCtx<Msg = unknown> {
  readonly id: NodeId;
  /** Every node of the cluster, this one included, in a stable order. */
  readonly nodes: readonly NodeId[];
  /** Every other node. */
  readonly peers: readonly NodeId[];
  /**
   * Why this node is starting: `'boot'` with the cluster at the run's start; `'restart'` after a
   * crash (synced storage kept); `'join'` as a fresh node in place of one that left for good (the
   * `churn` fault: empty storage, the cluster already running, so it must join through a peer).
   * A first boot and a fresh join both see empty storage; this is how a node tells them apart.
   *
   * @example
   * onStart() {
   *   if (ctx.start === 'join') ctx.send(ctx.peers[0], { t: 'snapshot-please' });
   * }
   */
  readonly start: StartKind;
  /** Sends `msg` (plain data, copied) to `to` over the faulty network. */
  send(to: NodeId, msg: Msg): void;
  /** Sends `msg` to every peer. */
  broadcast(msg: Msg): void;
  /** Calls `onTimer(name, data)` after `delayMs` of this node's (possibly skewed) clock. */
  setTimer(delayMs: number, name: string, data?: unknown): TimerId;
  cancelTimer(id: TimerId): void;
  /** This node's clock in ms: virtual time plus this node's skew. */
  now(): number;
  /** A seeded uniform number in [0, 1), this node's own stream. */
  random(): number;
  /** A seeded uniform integer in [0, bound). */
  randomInt(bound: number): number;
  readonly storage: Storage;
  /**
   * A "sometimes" assertion: names a situation exploration is expected to reach (a leader
   * deposed, a duplicate applied idempotently) and counts how often `cond` held. It never fails a
   * run and changes nothing in it; `faultline explore` reports which names were reached, how
   * often, and which never were.
   *
   * @example
   * ctx.sometimes('leader deposed by a higher term', msg.term > this.term && this.role === 'leader');
   */
  sometimes(name: string, cond: boolean): void;
  /** Appends a line to the run's trace (not to stdout). */
  log(...parts: unknown[]): void;
  /** Resolves after `delayMs` of this node's clock. Never resolves if the node crashes first. */
  sleep(delayMs: number): Promise<void>;
  /**
   * Sends `request` to `to`, whose `onCall` answers it; resolves with the answer, or rejects with
   * a `CallTimeoutError` after `timeoutMs`. Never settles if this node crashes first.
   */
  call<Res = unknown>(to: NodeId, request: unknown, timeoutMs: number): Promise<Res>;
}

/** What a node answers. Every handler may be async; the kernel runs continuations deterministically. */
export interface NodeHandlers<Msg = unknown> {
  /** At boot and after every restart (volatile state is fresh; synced storage survives). */
  onStart?(): void | Promise<void>;
  onMessage?(from: NodeId, msg: Msg): void | Promise<void>;
  onTimer?(name: string, data: unknown): void | Promise<void>;
  /** A client op addressed to this node. Call `reply` once; later calls are ignored. */
  onClientRequest?(op: ClientOp, reply: (result: ClientResult) => void): void | Promise<void>;
  /** Answers a peer's `ctx.call`. */
  onCall?(from: NodeId, request: unknown): unknown | Promise<unknown>;
  /**
   * The node is leaving the cluster for good (a graceful leave of the `churn` fault, for a protocol
   * that opts in with `churn` on defineProtocol). It keeps running for `graceMs` of virtual time to
   * hand off what it holds; then it is removed and its disk wiped, and if its name comes back it is
   * a fresh node that starts empty and must join again. A crash-stop leave gets no notice.
   *
   * @example
   * async onLeave(graceMs) {
   *   this.leaving = true; // serve nothing more
   *   await this.ctx.call(this.successor, { t: 'handoff', entries: [...this.store] }, graceMs);
   * }
   */
  onLeave?(graceMs: number): void | Promise<void>;
}

/** Raised (as a rejection) by `ctx.call` when no answer arrived in time. */
export class CallTimeoutError extends Error {
  constructor(to: NodeId, timeoutMs: number) {
    super(`call to ${to} timed out after ${timeoutMs} ms`);
    this.name = 'CallTimeoutError';
  }
}
