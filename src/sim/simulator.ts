import { Choices, type ChoiceTape } from '../kernel/choices.ts';
import { cloneAndHash, clonePlain } from '../kernel/clone.ts';
import { acquireGuard, DeterminismError, enterProtocol, leaveProtocol, takeViolation } from '../kernel/guard.ts';
import { Hasher } from '../kernel/hash.ts';
import { EventQueue } from '../kernel/queue.ts';
import { stream } from '../kernel/rng.ts';
import type { HistoryOp } from '../history/types.ts';
import { describeFault, type Fault } from '../nemesis/faults.ts';
import { Network, type NetConfig } from '../network/network.ts';
import {
  CallTimeoutError,
  type ClientOp,
  type ClientResult,
  type NodeCtx,
  type NodeHandlers,
  type NodeId,
  type TimerId,
} from '../node/api.ts';
import { SimStorage } from '../node/storage.ts';
import type { PlannedOp } from '../workload/workload.ts';
import type { Envelope, TraceEvent, TraceKind } from './trace.ts';

/** Everything one simulated run needs, as data (plus the node factory). */
export interface SimConfig {
  seed: number;
  nodeCount: number;
  /** Builds a node's handlers; called at boot and again at every restart. */
  create: (ctx: NodeCtx) => NodeHandlers;
  net: NetConfig;
  clients: number;
  ops: readonly PlannedOp[];
  faults: readonly Fault[];
  /** Every fault ends here (the final heal). */
  healAtMs: number;
  /** The run goes on at least this long after the heal (for liveness), and until every client is done. */
  quietMs: number;
  opTimeoutMs: number;
  /** One-way latency between a client and the node it addresses. */
  clientLatencyMs?: number;
  /** Bound on processed events: a protocol that loops past it ends its run with `step-budget`. */
  maxSteps: number;
  /** Re-drive the network from this tape instead of the seed. */
  tape?: ChoiceTape;
  recordTrace?: boolean;
  observers?: readonly Observer[];
}

/** Watches the world after every event (invariants, liveness). */
export interface Observer {
  observe(view: WorldView, at: { eventIndex: number; timeMs: number }): void;
  /** Told once, when the final heal happens. */
  markHealed?(timeMs: number): void;
}

/** What observers see: each node's liveness and its handler object (the protocol's own state). */
export interface WorldView {
  timeMs: number;
  nodes: readonly NodeView[];
  /** The client history recorded so far (read-only: invariants may read it, never change it). */
  history: readonly HistoryOp[];
}

export interface NodeView {
  id: NodeId;
  up: boolean;
  paused: boolean;
  /** The node's handler object (the protocol's instance); undefined while crashed. */
  state: NodeHandlers | undefined;
  /** Durable storage, as it would survive a crash right now. */
  storage: SimStorage;
}

/** How a run ended, before any checker looked at it. */
export type RunOutcome = 'completed' | 'crashed' | 'step-budget' | 'nondeterminism';

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

export interface SimResult {
  outcome: RunOutcome;
  /** For `crashed` / `nondeterminism` / `step-budget`: what went wrong, where, when. */
  error?: { message: string; stack?: string; node?: NodeId; timeMs: number };
  history: HistoryOp[];
  trace: TraceEvent[];
  fingerprint: string;
  tape: ChoiceTape;
  stats: SimStats;
  healedAtMs: number;
}

const enum K {
  Deliver,
  Timer,
  Wake,
  CallTimeout,
  ClientNext,
  ClientArrive,
  ClientReply,
  ClientTimeout,
  FaultStart,
  FaultEnd,
  Strobe,
  Heal,
  End,
}

/** Message envelope kinds inside a Deliver event. */
const enum Env {
  Plain,
  CallRequest,
  CallResponse,
}

/** One scheduled event. A single shape keeps the hot loop monomorphic. */
class Ev {
  constructor(
    readonly kind: K,
    /** Target node index, or -1. */
    readonly node: number,
    readonly a: number,
    readonly b: unknown,
    readonly c: number,
    readonly env: Env = Env.Plain,
    /** The plan index of the client op this event descends from, or -1 (see `ChoiceTape`). */
    readonly cause: number = -1,
    /** Trace index of the event that sent or scheduled this one (-1: a root, or no trace). */
    readonly traceCause: number = -1,
  ) {}
}

interface Call {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface ClientState {
  process: number;
  ops: PlannedOp[];
  /** Each op's index in the run's op plan (its cause id). */
  planIndex: number[];
  next: number;
  /** The op in flight: its id, or -1. */
  opId: number;
  invoke?: HistoryOp;
}

/** A node's runtime: liveness, incarnation, clock, timers, disk. */
class NodeRt {
  up = true;
  paused = false;
  incarnation = 0;
  handlers: NodeHandlers | undefined;
  ctx!: Ctx;
  readonly storage = new SimStorage();
  readonly timers = new Map<TimerId, { name: string; data: unknown }>();
  readonly calls = new Map<number, Call>();
  deferred: Ev[] = [];
  /** Local clock: localMs = baseLocalMs + (trueMs - baseTrueMs) * rate. */
  baseLocalMs = 0;
  baseTrueMs = 0;
  rate = 1;
  strobeOffsetMs = 0;
  readonly view: NodeView;
  constructor(
    readonly index: number,
    readonly id: NodeId,
    readonly rng: () => number,
  ) {
    this.view = { id, up: true, paused: false, state: undefined, storage: this.storage };
  }
}

const MAX_DRAIN_HOPS = 10_000;
const DRAIN_STABLE_HOPS = 8;

/**
 * The deterministic simulator: one virtual clock, one event queue, one choice source; nodes,
 * network, clients and nemesis all run inside it. `run()` drives it to the end and returns the
 * history, the trace, the fingerprint and the recorded choice tape.
 *
 * @example
 * const result = await new Simulator(config).run();
 * result.fingerprint; // equal for equal seeds, on every machine
 */
export class Simulator {
  private readonly queue = new EventQueue<Ev>();
  private readonly hasher = new Hasher();
  private readonly choices: Choices;
  private readonly network: Network;
  private readonly nodes: NodeRt[] = [];
  private readonly nodeIndex = new Map<NodeId, number>();
  readonly nodeIds: readonly NodeId[];
  private readonly clients: ClientState[] = [];
  private readonly history: HistoryOp[] = [];
  private readonly trace: TraceEvent[] = [];
  private readonly recordTrace: boolean;
  private readonly view: WorldView;
  private readonly faultActive: boolean[];
  private readonly clientLatencyMs: number;
  private nowMs = 0;
  /** Trace index of the event being handled (the cause of whatever it sends or schedules). */
  private current = -1;
  private steps = 0;
  private nextMsgId = 0;
  private nextTimerId = 1;
  private nextCallId = 1;
  private nextOpId = 0;
  /** Clients that still have an op to issue or to see completed: the run waits for them. */
  private clientsActive = 0;
  private endReached = false;
  private healed = false;
  private healedAtMs: number;
  /** Set by an event that changed nothing (a cancelled or stale timer): observers skip it. */
  private idle = false;
  /** Bumped by every ctx call: tells the microtask drain whether async protocol code is still moving. */
  activity = 0;
  /** Set when something async was resumed or started, so the loop drains microtasks after the event. */
  private asyncTouched = false;
  private failure: { outcome: RunOutcome; error: NonNullable<SimResult['error']> } | undefined;
  private readonly stats: SimStats = {
    steps: 0,
    virtualMs: 0,
    messagesSent: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    faults: 0,
    ok: 0,
    fail: 0,
    info: 0,
  };

  constructor(private readonly config: SimConfig) {
    assert(Number.isInteger(config.nodeCount) && config.nodeCount >= 1, 'nodeCount must be a positive integer');
    assert(config.clients >= 1 || config.ops.length === 0, 'ops need at least one client');
    assert(config.maxSteps > 0, 'maxSteps must be positive');
    this.choices = new Choices(stream(config.seed, 'net'), config.tape);
    this.network = new Network(config.nodeCount, config.net, this.choices);
    this.recordTrace = config.recordTrace ?? false;
    this.clientLatencyMs = config.clientLatencyMs ?? 1;
    this.healedAtMs = config.healAtMs;
    for (let i = 0; i < config.nodeCount; i++) {
      const id = `n${i + 1}`;
      this.nodes.push(new NodeRt(i, id, stream(config.seed, `node:${id}`)));
      this.nodeIndex.set(id, i);
    }
    this.nodeIds = this.nodes.map((n) => n.id);
    this.view = { timeMs: 0, nodes: this.nodes.map((n) => n.view), history: this.history };
    for (let c = 0; c < config.clients; c++) {
      this.clients.push({ process: c, ops: [], planIndex: [], next: 0, opId: -1 });
    }
    for (const [i, op] of config.ops.entries()) {
      assert(op.client >= 0 && op.client < config.clients, `op for client ${op.client} but only ${config.clients} clients`);
      this.nodeOf(op.node, 'a planned op');
      this.clients[op.client].ops.push(op);
      this.clients[op.client].planIndex.push(i);
    }
    this.faultActive = config.faults.map(() => false);
    config.faults.forEach((f, i) => {
      assert(f.atMs >= 0 && f.durationMs >= 0, `fault ${i} has a negative time`);
      this.validateFault(f);
      this.queue.push(f.atMs, new Ev(K.FaultStart, -1, i, undefined, 0));
    });
  }

  /** Runs to the end (or to the first protocol failure) and returns what happened. */
  async run(): Promise<SimResult> {
    const release = acquireGuard();
    takeViolation();
    try {
      // Let foreign microtasks settle first: from here on, the only microtasks are the run's own.
      await new Promise<void>((r) => setImmediateReal(r));
      for (const n of this.nodes) this.boot(n);
      if (this.asyncTouched) await this.drain();
      for (const c of this.clients) {
        if (c.ops.length === 0) continue;
        this.clientsActive++;
        this.queue.push(c.ops[0].thinkMs, new Ev(K.ClientNext, -1, c.process, undefined, 0));
      }
      this.queue.push(this.config.healAtMs, new Ev(K.Heal, -1, 0, undefined, 0));
      this.queue.push(this.config.healAtMs + this.config.quietMs, new Ev(K.End, -1, 0, undefined, 0));
      await this.loop();
    } finally {
      release();
    }
    if (this.recordTrace) this.recordInFlight();
    this.stats.virtualMs = this.nowMs;
    this.stats.steps = this.steps;
    return {
      outcome: this.failure?.outcome ?? 'completed',
      error: this.failure?.error,
      history: this.history,
      trace: this.trace,
      fingerprint: this.hasher.hex(),
      tape: this.choices.tape(),
      stats: this.stats,
      healedAtMs: this.healedAtMs,
    };
  }

  /** Lists, at the end of the trace, every message sent but never delivered nor dropped. */
  private recordInFlight(): void {
    const left = [...this.queue.pending().map((s) => s.item), ...(this.network.allHeld() as Ev[])];
    for (const ev of left) {
      if (ev.kind !== K.Deliver) continue;
      const to = this.nodes[ev.node].id;
      const envelope = envelopeOf(ev.c, this.nodes[ev.a].id, to, ev.env, ev.b);
      this.record('in-flight', { envelope, detail: 'never delivered: the run ended first' }, ev.traceCause);
    }
  }

  private async loop(): Promise<void> {
    const queue = this.queue;
    const observers = this.config.observers ?? [];
    const maxSteps = this.config.maxSteps;
    for (;;) {
      if (this.failure) return;
      if (this.endReached && this.clientsActive === 0) return;
      const next = queue.pop();
      if (next === undefined) return;
      if (++this.steps > maxSteps) {
        this.fail('step-budget', new Error(`step budget exceeded: more than ${maxSteps} events (a message or timer loop?)`));
        return;
      }
      this.nowMs = next.timeMs;
      this.choices.cause = next.item.cause;
      this.current = next.item.traceCause;
      this.idle = false;
      this.dispatch(next.item);
      if (this.asyncTouched) await this.drain();
      const violation = takeViolation();
      if (violation) this.fail('nondeterminism', violation);
      if (observers.length > 0 && !this.failure && !this.idle) {
        this.view.timeMs = this.nowMs;
        const at = { eventIndex: this.steps - 1, timeMs: this.nowMs };
        for (const o of observers) o.observe(this.view, at);
      }
    }
  }

  /** Lets protocol continuations (awaits on ctx.sleep / ctx.call) run until they settle. */
  private async drain(): Promise<void> {
    this.asyncTouched = false;
    const prev = enterProtocol();
    try {
      let stable = 0;
      for (let hop = 0; hop < MAX_DRAIN_HOPS && stable < DRAIN_STABLE_HOPS; hop++) {
        const before = this.activity;
        await null;
        stable = this.activity === before ? stable + 1 : 0;
      }
    } finally {
      leaveProtocol(prev);
    }
  }

  private dispatch(ev: Ev): void {
    switch (ev.kind) {
      case K.Deliver:
        return this.deliver(ev);
      case K.Timer:
      case K.Wake:
      case K.CallTimeout:
        return this.fireTimer(ev);
      case K.ClientNext:
        return this.clientNext(ev.a);
      case K.ClientArrive:
        return this.clientArrive(ev);
      case K.ClientReply:
        return this.clientComplete(ev.a, ev.c, ev.b as ClientResult, ev.traceCause);
      case K.ClientTimeout:
        return this.clientComplete(ev.a, ev.c, { type: 'info', error: 'timeout' }, ev.traceCause);
      case K.FaultStart:
        return this.faultStart(ev.a);
      case K.FaultEnd:
        return this.faultEnd(ev.a);
      case K.Strobe:
        return this.strobe(ev);
      case K.Heal:
        return this.healAll();
      case K.End:
        this.endReached = true;
        return;
    }
  }

  // ---- protocol calls -------------------------------------------------------------------------

  /** Runs protocol code for node `n`, turning a throw into the run's verdict. */
  private invoke<T>(n: NodeRt, what: string, fn: () => T): T | undefined {
    const prev = enterProtocol();
    let out: T | undefined;
    try {
      out = fn();
    } catch (e) {
      this.fail(e instanceof DeterminismError ? 'nondeterminism' : 'crashed', e, n, what);
      return undefined;
    } finally {
      leaveProtocol(prev);
    }
    if (out !== null && typeof out === 'object' && typeof (out as { then?: unknown }).then === 'function') {
      this.asyncTouched = true;
      const inc = n.incarnation;
      (out as unknown as Promise<unknown>).then(undefined, (e) => {
        if (n.incarnation === inc) this.fail(e instanceof DeterminismError ? 'nondeterminism' : 'crashed', e, n, what);
      });
    }
    return out;
  }

  private fail(outcome: RunOutcome, e: unknown, n?: NodeRt, what?: string): void {
    if (this.failure) return;
    const err = e instanceof Error ? e : new Error(String(e));
    const where = n ? ` in ${n.id}${what ? ` (${what})` : ''}` : '';
    this.failure = {
      outcome,
      error: { message: `${err.message}${where} at ${this.nowMs} ms`, stack: err.stack, node: n?.id, timeMs: this.nowMs },
    };
  }

  private boot(n: NodeRt): void {
    n.up = true;
    n.view.up = true;
    n.ctx = new Ctx(this, n, n.incarnation);
    const handlers = this.invoke(n, 'create', () => this.config.create(n.ctx));
    n.handlers = handlers;
    n.view.state = handlers;
    if (handlers?.onStart) this.invoke(n, 'onStart', () => handlers.onStart!());
  }

  // ---- network --------------------------------------------------------------------------------

  /** Called by a ctx: routes one message (or call envelope) through the network. */
  send(from: NodeRt, to: NodeId, msg: unknown, env: Env, callId: number): void {
    const dst = this.nodeOf(to, `${from.id} sent to`);
    const id = this.nextMsgId++;
    const h = this.hasher;
    h.int(1);
    h.int(this.nowMs);
    h.int(from.index);
    h.int(dst);
    const copy = cloneAndHash(msg, h);
    this.stats.messagesSent++;
    const envelope = this.recordTrace ? envelopeOf(id, from.id, to, env, copy) : undefined;
    const sent = this.recordTrace ? this.record('send', { node: from.id, envelope, body: bodyOf(env, clonePlain(copy)) }) : -1;
    if (this.network.clogged(from.index, dst)) {
      this.network.hold(from.index, dst, new Ev(K.Deliver, dst, from.index, copy, id, env, this.choices.cause, sent));
      if (this.recordTrace) this.record('hold', { envelope, detail: 'clogged' }, sent);
      return;
    }
    const copies = this.network.route(from.index, dst);
    if (copies === 0) {
      this.stats.dropped++;
      h.int(2);
      if (this.recordTrace) this.record('drop', { envelope, detail: 'loss' }, sent);
      return;
    }
    this.queue.push(this.nowMs + this.network.delaysMs[0], new Ev(K.Deliver, dst, from.index, copy, id, env, this.choices.cause, sent));
    if (copies === 2) {
      this.stats.duplicated++;
      h.int(3);
      const twin = clonePlain(copy);
      this.queue.push(this.nowMs + this.network.delaysMs[1], new Ev(K.Deliver, dst, from.index, twin, id, env, this.choices.cause, sent));
      if (this.recordTrace) this.record('dup', { envelope }, sent);
    }
  }

  private deliver(ev: Ev): void {
    const n = this.nodes[ev.node];
    const h = this.hasher;
    if (!n.up || !this.network.reachable(ev.a, ev.node)) {
      this.stats.dropped++;
      h.int(4);
      h.int(ev.c);
      if (this.recordTrace) {
        this.record('drop', { envelope: envelopeOf(ev.c, this.nodes[ev.a].id, n.id, ev.env, ev.b), detail: n.up ? 'cut' : 'down' }, ev.traceCause);
      }
      return;
    }
    if (n.paused) {
      n.deferred.push(ev);
      return;
    }
    this.stats.delivered++;
    h.int(5);
    h.int(this.nowMs);
    h.int(ev.c);
    const from = this.nodes[ev.a].id;
    if (this.recordTrace) {
      const envelope = envelopeOf(ev.c, from, n.id, ev.env, ev.b);
      this.current = this.record('deliver', { node: n.id, envelope, body: bodyOf(ev.env, clonePlain(ev.b)) }, ev.traceCause);
    }
    const handlers = n.handlers;
    if (handlers === undefined) return;
    if (ev.env === Env.Plain) {
      if (handlers.onMessage) this.invoke(n, 'onMessage', () => handlers.onMessage!(from, ev.b));
    } else if (ev.env === Env.CallRequest) {
      this.answerCall(n, from, ev);
    } else {
      const callId = (ev.b as { callId: number }).callId;
      const pending = n.calls.get(callId);
      if (pending) {
        n.calls.delete(callId);
        this.asyncTouched = true;
        pending.resolve((ev.b as { body: unknown }).body);
      }
    }
  }

  private answerCall(n: NodeRt, from: string, ev: Ev): void {
    const { callId, body } = ev.b as { callId: number; body: unknown };
    const handlers = n.handlers!;
    if (!handlers.onCall) {
      this.fail('crashed', new Error(`received a ctx.call from ${from} but has no onCall handler`), n);
      return;
    }
    const inc = n.incarnation;
    const answer = this.invoke(n, 'onCall', () => handlers.onCall!(from, body));
    const respond = (value: unknown) => {
      if (n.incarnation !== inc || !n.up) return;
      this.send(n, from, { callId, body: value }, Env.CallResponse, callId);
    };
    if (answer !== null && typeof answer === 'object' && typeof (answer as { then?: unknown }).then === 'function') {
      (answer as Promise<unknown>).then(respond, () => undefined);
    } else if (!this.failure) {
      respond(answer);
    }
  }

  // ---- timers and clocks ----------------------------------------------------------------------

  /** Local clock of node `n` now. */
  localNow(n: NodeRt): number {
    return Math.floor(n.baseLocalMs + (this.nowMs - n.baseTrueMs) * n.rate + n.strobeOffsetMs);
  }

  /** Schedules a timer-like event after `delayMs` of the node's clock (its rate stretches it). */
  schedule(n: NodeRt, kind: K.Timer | K.Wake | K.CallTimeout, delayMs: number, id: number, payload: unknown): void {
    assert(Number.isFinite(delayMs) && delayMs >= 0, `timer delay must be a finite number of ms >= 0, got ${delayMs}`);
    const trueDelay = n.rate === 1 ? Math.ceil(delayMs) : Math.ceil(delayMs / n.rate);
    this.queue.push(this.nowMs + trueDelay, new Ev(kind, n.index, id, payload, n.incarnation, Env.Plain, this.choices.cause, this.current));
  }

  private fireTimer(ev: Ev): void {
    const n = this.nodes[ev.node];
    if (!n.up || n.incarnation !== ev.c || n.paused) {
      if (n.paused && n.up && n.incarnation === ev.c) n.deferred.push(ev);
      this.idle = true;
      return;
    }
    if (ev.kind === K.Timer) {
      const t = n.timers.get(ev.a);
      if (t === undefined) {
        // Cancelled: nothing ran, so no invariant needs a look.
        this.idle = true;
        return;
      }
      n.timers.delete(ev.a);
      this.hasher.int(6);
      this.hasher.int(this.nowMs);
      this.hasher.int(ev.node);
      if (this.recordTrace) this.current = this.record('timer', { node: n.id, detail: t.name }, ev.traceCause);
      const handlers = n.handlers;
      if (handlers?.onTimer) this.invoke(n, `onTimer ${t.name}`, () => handlers.onTimer!(t.name, t.data));
    } else if (ev.kind === K.Wake) {
      this.asyncTouched = true;
      if (this.recordTrace) this.current = this.record('wake', { node: n.id }, ev.traceCause);
      (ev.b as () => void)();
    } else {
      const pending = n.calls.get(ev.a);
      if (pending === undefined) return;
      n.calls.delete(ev.a);
      this.asyncTouched = true;
      if (this.recordTrace) this.current = this.record('call-timeout', { node: n.id, detail: `call #${ev.a}` }, ev.traceCause);
      pending.reject(ev.b);
    }
  }

  newTimerId(): number {
    return this.nextTimerId++;
  }

  newCallId(): number {
    return this.nextCallId++;
  }

  markAsync(): void {
    this.asyncTouched = true;
  }

  // ---- clients --------------------------------------------------------------------------------

  private clientNext(c: number): void {
    const client = this.clientByProcess(c);
    assert(client !== undefined && client.opId === -1, `client process ${c} asked to start an op while retired or busy`);
    const op = client.ops[client.next++];
    const opId = this.nextOpId++;
    const invoke: HistoryOp = {
      index: this.history.length,
      time: this.nowMs,
      type: 'invoke',
      process: client.process,
      f: op.f,
      value: clonePlain(op.value),
      node: op.node,
    };
    if (op.key !== undefined) invoke.key = op.key;
    this.history.push(invoke);
    client.opId = opId;
    client.invoke = invoke;
    this.hashOp(invoke);
    const planIndex = client.planIndex[client.next - 1];
    const invoked = this.recordTrace
      ? this.record('invoke', { node: op.node, clientOp: planIndex, historyIndex: invoke.index, body: clonePlain({ f: op.f, value: op.value, key: op.key }) }, -1)
      : -1;
    const dst = this.nodeOf(op.node, 'a client op');
    const req: ClientOp = { id: opId, process: client.process, f: op.f, value: clonePlain(op.value) };
    if (op.key !== undefined) req.key = op.key;
    this.queue.push(this.nowMs + this.clientLatencyMs, new Ev(K.ClientArrive, dst, client.process, req, opId, Env.Plain, planIndex, invoked));
    this.queue.push(this.nowMs + this.config.opTimeoutMs, new Ev(K.ClientTimeout, -1, client.process, undefined, opId, Env.Plain, planIndex, invoked));
  }

  private clientArrive(ev: Ev): void {
    const client = this.clientByProcess(ev.a);
    if (client?.opId !== ev.c) return;
    const n = this.nodes[ev.node];
    if (!n.up || n.handlers === undefined) {
      // Connection refused: the op definitely did not happen.
      this.clientComplete(ev.a, ev.c, { type: 'fail', error: 'node-down' }, ev.traceCause);
      return;
    }
    if (n.paused) {
      n.deferred.push(ev);
      return;
    }
    if (this.recordTrace) {
      const req = ev.b as ClientOp;
      this.current = this.record('arrive', { node: n.id, clientOp: ev.cause, body: clonePlain({ f: req.f, value: req.value, key: req.key }) }, ev.traceCause);
    }
    const handlers = n.handlers;
    if (!handlers.onClientRequest) {
      this.fail('crashed', new Error('received a client op but has no onClientRequest handler'), n);
      return;
    }
    const inc = n.incarnation;
    let replied = false;
    const reply = (result: ClientResult) => {
      this.activity++;
      if (replied || n.incarnation !== inc || !n.up) return;
      replied = true;
      assertResult(result);
      const copy = clonePlain(result);
      const replyIndex = this.recordTrace ? this.record('reply', { node: n.id, clientOp: ev.cause, body: clonePlain(copy) }) : -1;
      this.queue.push(this.nowMs + this.clientLatencyMs, new Ev(K.ClientReply, -1, ev.a, copy, ev.c, Env.Plain, ev.cause, replyIndex));
    };
    this.invoke(n, 'onClientRequest', () => handlers.onClientRequest!(ev.b as ClientOp, reply));
  }

  private clientComplete(process: number, opId: number, result: ClientResult, cause: number): void {
    const client = this.clientByProcess(process);
    if (client === undefined || client.opId !== opId) return;
    const invoke = client.invoke!;
    const done: HistoryOp = {
      index: this.history.length,
      time: this.nowMs,
      type: result.type,
      process,
      f: invoke.f,
      value: result.type === 'ok' && 'value' in result && result.value !== undefined ? result.value : clonePlain(invoke.value),
      node: invoke.node,
    };
    if (invoke.key !== undefined) done.key = invoke.key;
    if (result.type !== 'ok' && result.error !== undefined) done.error = result.error;
    this.history.push(done);
    this.stats[result.type]++;
    this.hashOp(done);
    if (this.recordTrace) {
      const clientOp = client.planIndex[client.next - 1];
      this.current = this.record('complete', { node: invoke.node, clientOp, historyIndex: done.index, body: clonePlain({ type: done.type, value: done.value }), detail: done.error }, cause);
    }
    client.opId = -1;
    client.invoke = undefined;
    // Jepsen: a process whose op may or may not have happened is retired; the client goes on fresh.
    if (result.type === 'info') client.process += this.config.clients;
    if (client.next < client.ops.length) {
      this.queue.push(this.nowMs + client.ops[client.next].thinkMs, new Ev(K.ClientNext, -1, client.process, undefined, 0));
    } else {
      this.clientsActive--;
    }
  }

  /** The client currently running as `process`; undefined once that process is retired. */
  private clientByProcess(process: number): ClientState | undefined {
    const client = this.clients[process % this.config.clients];
    return client.process === process ? client : undefined;
  }

  private hashOp(op: HistoryOp): void {
    const h = this.hasher;
    h.int(7);
    h.int(op.time);
    h.str(op.type);
    h.int(op.process);
    h.str(op.f);
    cloneAndHash(op.value, h);
  }

  // ---- nemesis --------------------------------------------------------------------------------

  private faultStart(i: number): void {
    if (this.healed) return;
    const f = this.config.faults[i];
    const target = 'node' in f ? this.nodes[this.nodeIndex.get(f.node)!] : undefined;
    // A crash of a node that is down, or a pause of one that is down or paused, does nothing.
    const applied = f.kind === 'crash' ? target!.up : f.kind === 'pause' ? target!.up && !target!.paused : true;
    this.hasher.int(8);
    this.hasher.int(this.nowMs);
    this.hasher.int(i);
    this.hasher.int(applied ? 1 : 0);
    if (!applied) {
      if (this.recordTrace) this.record('fault', { fault: i, detail: `${describeFault(f)} (no effect: node already down or paused)` });
      return;
    }
    // Recorded before its effects, so the trace reads cause first.
    if (this.recordTrace) this.record('fault', { fault: i, detail: describeFault(f) });
    this.faultActive[i] = true;
    this.stats.faults++;
    switch (f.kind) {
      case 'partition':
        for (const [a, b] of f.cut) this.network.cut(this.nodeIndex.get(a)!, this.nodeIndex.get(b)!, 1);
        break;
      case 'crash':
        this.crash(target!);
        break;
      case 'pause':
        target!.paused = true;
        target!.view.paused = true;
        break;
      case 'clock': {
        const n = target!;
        this.setClock(n, this.localNow(n) - n.strobeOffsetMs + f.offsetMs, f.rate);
        if (f.strobeMs) this.queue.push(this.nowMs + f.strobeMs, new Ev(K.Strobe, n.index, i, undefined, 1));
        break;
      }
      case 'loss':
        this.network.lossSpike(f.rate, true);
        break;
      case 'dup':
        this.network.dupSpike(f.rate, true);
        break;
      case 'clog':
        this.network.clog(this.nodeIndex.get(f.from)!, this.nodeIndex.get(f.to)!);
        break;
    }
    this.queue.push(this.nowMs + f.durationMs, new Ev(K.FaultEnd, -1, i, undefined, 0));
  }

  private faultEnd(i: number): void {
    if (!this.faultActive[i]) return;
    this.faultActive[i] = false;
    const f = this.config.faults[i];
    switch (f.kind) {
      case 'partition':
        for (const [a, b] of f.cut) this.network.cut(this.nodeIndex.get(a)!, this.nodeIndex.get(b)!, -1);
        break;
      case 'crash': {
        const n = this.nodes[this.nodeIndex.get(f.node)!];
        if (this.recordTrace) this.record('restart', { node: n.id, fault: i });
        n.incarnation++;
        this.boot(n);
        break;
      }
      case 'pause': {
        const n = this.nodes[this.nodeIndex.get(f.node)!];
        n.paused = false;
        n.view.paused = false;
        if (this.recordTrace) this.record('resume', { node: n.id, fault: i });
        // Everything that reached the paused process happens now, in the order it arrived.
        for (const ev of n.deferred) this.queue.push(this.nowMs, ev);
        n.deferred = [];
        break;
      }
      case 'clock': {
        const n = this.nodes[this.nodeIndex.get(f.node)!];
        n.strobeOffsetMs = 0;
        this.setClock(n, this.nowMs, 1);
        break;
      }
      case 'loss':
        this.network.lossSpike(f.rate, false);
        break;
      case 'dup':
        this.network.dupSpike(f.rate, false);
        break;
      case 'clog': {
        const from = this.nodeIndex.get(f.from)!;
        const to = this.nodeIndex.get(f.to)!;
        for (const held of this.network.unclog(from, to) as Ev[]) {
          this.queue.push(this.nowMs + this.network.latencyOf(from, to), held);
        }
        break;
      }
    }
    this.hasher.int(9);
    this.hasher.int(this.nowMs);
    this.hasher.int(i);
    if (this.recordTrace) this.record('heal', { fault: i, detail: `end of ${describeFault(f)}` });
  }

  private strobe(ev: Ev): void {
    const f = this.config.faults[ev.a];
    if (!this.faultActive[ev.a] || f.kind !== 'clock' || !f.strobeMs) return;
    const n = this.nodes[ev.node];
    // Phase 1 means "offset currently applied": flip it off, and back on next time.
    n.strobeOffsetMs = ev.c === 1 ? -f.offsetMs : 0;
    this.queue.push(this.nowMs + f.strobeMs, new Ev(K.Strobe, n.index, ev.a, undefined, ev.c === 1 ? 0 : 1));
  }

  private setClock(n: NodeRt, localMs: number, rate: number): void {
    n.baseLocalMs = localMs;
    n.baseTrueMs = this.nowMs;
    n.rate = rate;
  }

  private crash(n: NodeRt): void {
    n.up = false;
    n.paused = false;
    n.view.up = false;
    n.view.paused = false;
    n.view.state = undefined;
    n.handlers = undefined;
    // A new incarnation number makes every timer, sleep, call and reply of the old one stale.
    n.incarnation++;
    n.timers.clear();
    n.calls.clear();
    n.deferred = [];
    const lost = n.storage.crash();
    if (this.recordTrace) this.record('crash', { node: n.id, detail: lost > 0 ? `${lost} unsynced writes lost` : undefined });
  }

  private healAll(): void {
    this.healed = true;
    this.healedAtMs = this.nowMs;
    this.config.faults.forEach((_, i) => this.faultEnd(i));
    this.hasher.int(10);
    this.hasher.int(this.nowMs);
    if (this.recordTrace) this.record('heal', { detail: 'final heal: every fault ends' });
    for (const o of this.config.observers ?? []) o.markHealed?.(this.nowMs);
  }

  private validateFault(f: Fault): void {
    const names: NodeId[] =
      f.kind === 'partition' ? f.cut.flat() : f.kind === 'clog' ? [f.from, f.to] : 'node' in f ? [f.node] : [];
    for (const id of names) this.nodeOf(id, `a ${f.kind} fault`);
    if (f.kind === 'clock') assert(f.rate > 0, `clock rate must be > 0, got ${f.rate}`);
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  nodeOf(id: NodeId, what: string): number {
    const i = this.nodeIndex.get(id);
    if (i === undefined) {
      throw new Error(`${what} unknown node '${id}': nodes are ${[...this.nodeIndex.keys()].join(', ')}`);
    }
    return i;
  }

  /** Appends a trace event (caused by `cause`, by default the event being handled); returns its index. */
  record(kind: TraceKind, fields: Omit<TraceEvent, 'index' | 'timeMs' | 'kind' | 'cause'>, cause = this.current): number {
    const ev: TraceEvent = { index: this.trace.length, timeMs: this.nowMs, kind, cause };
    if (cause >= 0 && this.trace[cause]?.clientOp !== undefined && fields.clientOp === undefined) ev.clientOp = this.trace[cause].clientOp;
    for (const k in fields) {
      const v = (fields as Record<string, unknown>)[k];
      if (v !== undefined) (ev as unknown as Record<string, unknown>)[k] = v;
    }
    this.trace.push(ev);
    return ev.index;
  }

  get traceOn(): boolean {
    return this.recordTrace;
  }
}

/** The ctx handed to one incarnation of one node. Calls from a stale incarnation do nothing. */
class Ctx implements NodeCtx {
  readonly id: NodeId;
  readonly nodes: readonly NodeId[];
  readonly peers: readonly NodeId[];
  readonly storage: SimStorage;

  constructor(
    private readonly sim: Simulator,
    private readonly rt: NodeRt,
    private readonly incarnation: number,
  ) {
    this.id = rt.id;
    this.nodes = sim.nodeIds;
    this.peers = this.nodes.filter((n) => n !== rt.id);
    this.storage = rt.storage;
  }

  private live(): boolean {
    this.sim.activity++;
    return this.rt.incarnation === this.incarnation && this.rt.up;
  }

  send(to: NodeId, msg: unknown): void {
    if (this.live()) this.sim.send(this.rt, to, msg, Env.Plain, 0);
  }

  broadcast(msg: unknown): void {
    if (!this.live()) return;
    for (const p of this.peers) this.sim.send(this.rt, p, msg, Env.Plain, 0);
  }

  setTimer(delayMs: number, name: string, data?: unknown): TimerId {
    const id = this.sim.newTimerId();
    if (!this.live()) return id;
    this.rt.timers.set(id, { name, data });
    this.sim.schedule(this.rt, K.Timer, delayMs, id, undefined);
    return id;
  }

  cancelTimer(id: TimerId): void {
    if (this.live()) this.rt.timers.delete(id);
  }

  now(): number {
    this.sim.activity++;
    return this.sim.localNow(this.rt);
  }

  random(): number {
    this.sim.activity++;
    return this.rt.rng();
  }

  randomInt(bound: number): number {
    return Math.floor(this.random() * bound);
  }

  log(...parts: unknown[]): void {
    if (!this.live() || !this.sim.traceOn) return;
    this.sim.record('log', { node: this.id, detail: parts.map((p) => (typeof p === 'string' ? p : safeJson(p))).join(' ') });
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.live()) return;
      this.sim.markAsync();
      this.sim.schedule(this.rt, K.Wake, delayMs, 0, resolve);
    });
  }

  call<Res = unknown>(to: NodeId, request: unknown, timeoutMs: number): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (!this.live()) return;
      const callId = this.sim.newCallId();
      this.sim.markAsync();
      this.rt.calls.set(callId, { resolve: resolve as (v: unknown) => void, reject });
      this.sim.send(this.rt, to, { callId, body: request }, Env.CallRequest, callId);
      this.sim.schedule(this.rt, K.CallTimeout, timeoutMs, callId, new CallTimeoutError(to, timeoutMs));
    });
  }
}

/** The trace's view of a message envelope (call wrappers named, not guessed from the body's shape). */
function envelopeOf(msgId: number, from: NodeId, to: NodeId, env: Env, msg: unknown): Envelope {
  if (env === Env.Plain) return { msgId, from, to, type: 'message' };
  return { msgId, from, to, type: env === Env.CallRequest ? 'call' : 'reply', callId: (msg as { callId: number }).callId };
}

/** A message's payload without the call wrapper. */
function bodyOf(env: Env, msg: unknown): unknown {
  return env === Env.Plain ? msg : (msg as { body: unknown }).body;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function assertResult(r: ClientResult): void {
  if (r === null || typeof r !== 'object' || !['ok', 'fail', 'info'].includes((r as { type: string }).type)) {
    throw new Error(`reply() takes { type: 'ok' | 'fail' | 'info', value?, error? }, got ${safeJson(r)}`);
  }
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

const setImmediateReal = globalThis.setImmediate;
