import { Choices, type ChoiceTape } from '../kernel/choices.ts';
import type { EventAt } from '../../checkers/invariant.ts';
import { cloneAndHash, clonePlain } from '../kernel/clone.ts';
import { acquireGuard, DeterminismError, enterProtocol, harnessClock, leaveProtocol, takeEscapedError, takeViolation } from '../kernel/guard.ts';
import { promisesCreated, settle, trackMicrotasks } from '../kernel/microtasks.ts';
import type { Hasher } from '../kernel/hash.ts';
import { EventQueue } from '../kernel/queue.ts';
import { stream } from '../kernel/rng.ts';
import type { HistoryOp } from '../history/types.ts';
import { byzantineNodes, byzantinePlanProblem, churnPlanProblem, type ChurnBounds, type Fault } from '../faults/index.ts';
import type { Mutator } from '../faults/mutate.ts';
import { Network, type NetConfig } from '../network/network.ts';
import { PctSchedule } from '../network/pct.ts';
import type { NodeCtx, NodeHandlers, NodeId } from '../node/api.ts';
import type { PlannedOp } from '../workload/workload.ts';
import { ByzantineRuntime, type ByzantineHost } from './byzantine.ts';
import { Clients } from './clients.ts';
import { deliverEvent, EventKind, MessageType, nodeTimerEvent, planEvent, type SimEvent } from './events.ts';
import { FaultPlan } from './fault-world.ts';
import { callTimeout, Ctx, NodeRuntime, type NodeHost, type NodeView } from './node-runtime.ts';
import { FingerprintTag, Recorder, type SimStats } from './recorder.ts';
import type { Envelope, TraceEvent } from './trace.ts';

export type { NodeView } from './node-runtime.ts';
export type { SimStats } from './recorder.ts';

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
  /**
   * Schedule deliveries by PCT of this depth (see `network/pct.ts`) instead of uniform latencies;
   * absent: the uniform draws (the default, unchanged).
   */
  pctDepth?: number;
  /** Re-drive the network from this tape instead of the seed. */
  tape?: ChoiceTape;
  recordTrace?: boolean;
  observers?: readonly Observer[];
  /**
   * The protocol's opt-in to Byzantine faults: at most `f` nodes may carry them, and `mutate`
   * replaces the generic JSON mutator of `corrupt`. Absent: a Byzantine fault is bad input.
   */
  byzantine?: { f: number; mutate?: Mutator };
  /** The protocol's opt-in to churn and its bounds. Absent: a churn fault is bad input. */
  churn?: ChurnBounds;
  /**
   * Called before each event with its virtual time, outside protocol code; the run waits for it.
   * Lets real processes (Maelstrom process mode) catch up before virtual time moves on. Resolving
   * `false` means new events were scheduled meanwhile: the loop looks at the queue again.
   */
  pace?: (nextMs: number, nowMs: number) => Promise<boolean>;
}

/** Watches the world after every event (invariants, liveness). */
export interface Observer {
  observe(view: WorldView, at: EventAt): void;
  /** Told once, when the final heal happens. */
  markHealed?(timeMs: number): void;
}

/** What observers see: each node's liveness and its handler object (the protocol's own state). */
export interface WorldView {
  timeMs: number;
  nodes: readonly NodeView[];
  /** The client history recorded so far (read-only: invariants may read it, never change it). */
  history: readonly HistoryOp[];
  /**
   * The nodes a Byzantine fault of the run names, in id order (empty in honest runs): checks judge
   * agreement among the others only, since a node that misbehaved once may hold anything after.
   */
  byzantine: readonly NodeId[];
}

/** How a run ended, before any checker looked at it. */
export type RunOutcome = 'completed' | 'crashed' | 'step-budget' | 'nondeterminism';

/** Async protocol code still waiting when the run ended (a sleep or a call that never settled). */
export interface PendingContinuation {
  node: NodeId;
  kind: 'sleep' | 'call';
  /** Virtual time the sleep or call began. */
  sinceMs: number;
  /** For calls: the callee. */
  to?: NodeId;
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
  /** Continuations of live nodes still waiting at the end (reported, never silently dropped). */
  pending: PendingContinuation[];
  /** `ctx.sometimes` names and how often each condition held (0: declared, never reached). */
  sometimes: Record<string, number>;
}

/** Most microtask rounds one event's async code may take to settle (an await chain of this depth). */
export const MAX_SETTLE_ROUNDS = 1_000_000;
/** Most events pending at once: a protocol that floods the queue ends its run with `step-budget`. */
export const MAX_QUEUED_EVENTS = 10_000_000;

/**
 * The deterministic simulator: one virtual clock, one event queue, one choice source; nodes,
 * network, clients and faults all run inside it. This file is the event loop and the node
 * runtime's kernel side (delivery, timers, crash/restart/pause); clients (`clients.ts`), fault
 * application (`fault-world.ts`), recording (`recorder.ts`) and the ctx (`node-runtime.ts`) sit
 * behind small interfaces.
 *
 * @example
 * const result = await new Simulator(config).run();
 * result.fingerprint; // equal for equal seeds, on every machine
 */
export class Simulator implements NodeHost, ByzantineHost {
  private readonly queue = new EventQueue<SimEvent>();
  readonly recorder: Recorder;
  /** The recorder's fingerprint hash, held directly: it is fed on every send and delivery. */
  private readonly hasher: Hasher;
  private readonly choices: Choices;
  readonly network: Network;
  private readonly nodes: NodeRuntime[] = [];
  private readonly nodeIndex = new Map<NodeId, number>();
  readonly nodeIds: readonly NodeId[];
  private readonly clients: Clients;
  private readonly faults: FaultPlan;
  readonly byzantine: ByzantineRuntime;
  private readonly view: WorldView;
  private now = 0;
  private steps = 0;
  private nextMsgId = 0;
  private nextTimerId = 1;
  private nextCallId = 1;
  private nextSleepId = 1;
  private endReached = false;
  /** The run is over (see `NodeHost.ended`). */
  ended = false;
  private healedAtMs: number;
  /** Set by an event that changed nothing (a cancelled or stale timer): observers skip it. */
  private idle = false;
  /** Set when a sleep or call was settled, so the loop settles microtasks after the event. */
  private asyncTouched = false;
  readonly sometimes = new Map<string, number>();
  private failure: { outcome: RunOutcome; error: NonNullable<SimResult['error']> } | undefined;

  constructor(private readonly config: SimConfig) {
    assert(Number.isInteger(config.nodeCount) && config.nodeCount >= 1, 'nodeCount must be a positive integer');
    assert(config.clients >= 1 || config.ops.length === 0, 'ops need at least one client');
    assert(config.maxSteps > 0, 'maxSteps must be positive');
    this.recorder = new Recorder(config.recordTrace ?? false);
    this.hasher = this.recorder.hasher;
    this.choices = new Choices(stream(config.seed, 'net'), config.tape);
    const pct = config.pctDepth === undefined ? undefined : new PctSchedule(stream(config.seed, 'pct'), config.nodeCount, config.pctDepth, config.healAtMs > 0 ? config.healAtMs : config.quietMs);
    this.network = new Network(config.nodeCount, config.net, this.choices, pct);
    this.healedAtMs = config.healAtMs;
    for (let i = 0; i < config.nodeCount; i++) {
      const id = `n${i + 1}`;
      this.nodes.push(new NodeRuntime(i, id, stream(config.seed, `node:${id}`)));
      this.nodeIndex.set(id, i);
    }
    this.nodeIds = this.nodes.map((n) => n.id);
    const byzantineProblem = byzantinePlanProblem(config.faults, config.byzantine?.f);
    if (byzantineProblem !== undefined) throw new Error(`fault plan: ${byzantineProblem}`);
    const churnProblem = churnPlanProblem(config.faults, config.churn);
    if (churnProblem !== undefined) throw new Error(`fault plan: ${churnProblem}`);
    this.byzantine = new ByzantineRuntime(this, config.byzantine?.mutate);
    this.byzantine.attach(config.faults, (id) => this.nodeOf(id, 'a Byzantine fault'));
    this.view = { timeMs: 0, nodes: this.nodes.map((n) => n.view), history: this.recorder.history, byzantine: byzantineNodes(config.faults) };
    this.clients = new Clients(this, config.clients, config.ops, config.clientLatencyMs ?? 1, config.opTimeoutMs);
    this.faults = new FaultPlan(this, config.faults);
  }

  /** Runs to the end (or to the first protocol failure) and returns what happened. */
  async run(): Promise<SimResult> {
    // Let foreign microtasks settle first: from here on, the only microtasks are the run's own.
    // The guard goes on after that yield: a test runner may restore globals between macrotasks.
    await new Promise<void>((r) => setImmediateReal(r));
    const release = acquireGuard();
    const untrack = trackMicrotasks();
    takeViolation();
    takeEscapedError();
    try {
      const before = promisesCreated;
      for (const n of this.nodes) this.boot(n);
      if (this.asyncTouched || promisesCreated !== before) await this.settleAsync();
      this.clients.start();
      this.queue.push(this.config.healAtMs, planEvent(EventKind.Heal, -1));
      this.queue.push(this.config.healAtMs + this.config.quietMs, planEvent(EventKind.End, -1));
      await this.loop();
    } finally {
      this.ended = true;
      untrack();
      release();
    }
    const rec = this.recorder;
    rec.stats.virtualMs = this.now;
    rec.stats.steps = this.steps;
    const pending = this.pendingContinuations();
    if (rec.traceOn) this.recordLeftovers(pending);
    return {
      outcome: this.failure?.outcome ?? 'completed',
      error: this.failure?.error,
      history: rec.history,
      trace: rec.trace,
      fingerprint: rec.fingerprint(),
      tape: this.choices.tape(),
      stats: rec.stats,
      healedAtMs: this.healedAtMs,
      pending,
      sometimes: Object.fromEntries(this.sometimes),
    };
  }

  private async loop(): Promise<void> {
    const queue = this.queue;
    const observers = this.config.observers ?? [];
    const maxSteps = this.config.maxSteps;
    const rec = this.recorder;
    for (;;) {
      if (this.failure) return;
      if (this.endReached && this.clients.active === 0) return;
      if (this.config.pace !== undefined) {
        const head = queue.peek();
        if (head !== undefined && !(await this.config.pace(head.timeMs, this.now))) continue;
      }
      const next = queue.pop();
      if (next === undefined) return;
      if (++this.steps > maxSteps) {
        this.fail('step-budget', new Error(`step budget exceeded: more than ${maxSteps} events (a message or timer loop?)`));
        return;
      }
      assert(next.timeMs >= this.now, 'virtual time never runs backwards');
      this.now = rec.nowMs = next.timeMs;
      this.choices.cause = next.item.clientOp;
      rec.current = next.item.traceCause;
      this.idle = false;
      const before = promisesCreated;
      this.dispatch(next.item);
      if (this.asyncTouched || promisesCreated !== before) await this.settleAsync();
      const violation = takeViolation();
      if (violation) this.fail('nondeterminism', violation);
      if (queue.size > MAX_QUEUED_EVENTS) this.fail('step-budget', new Error(`more than ${MAX_QUEUED_EVENTS} events pending at once (a message flood?)`));
      if (observers.length > 0 && !this.failure && !this.idle) {
        this.view.timeMs = this.now;
        // With a trace, the observation names the event just handled: the story anchors there.
        const at: EventAt = rec.traceOn ? { eventIndex: this.steps - 1, timeMs: this.now, traceIndex: rec.current } : { eventIndex: this.steps - 1, timeMs: this.now };
        for (const o of observers) o.observe(this.view, at);
      }
    }
  }

  /**
   * Runs every continuation the event caused, at its virtual time, until the microtask queue is
   * empty (see `kernel/microtasks.ts`), with the guard on: continuations are protocol code.
   */
  private async settleAsync(): Promise<void> {
    this.asyncTouched = false;
    const prev = enterProtocol();
    let rounds: number;
    try {
      rounds = await settle(MAX_SETTLE_ROUNDS);
    } finally {
      leaveProtocol(prev);
    }
    const escaped = takeEscapedError();
    if (escaped) this.fail('crashed', escaped.error, undefined, 'a queueMicrotask callback');
    if (rounds < 0) {
      this.fail('step-budget', new Error(`async protocol code still running after ${MAX_SETTLE_ROUNDS} microtask rounds at one instant (an endless await loop?)`));
    }
  }

  private dispatch(ev: SimEvent): void {
    switch (ev.kind) {
      case EventKind.Deliver:
        return this.deliver(ev);
      case EventKind.Timer:
      case EventKind.Wake:
      case EventKind.CallTimeout:
        return this.fireTimer(ev);
      case EventKind.ClientNext:
        return this.clients.next(ev.subject);
      case EventKind.ClientArrive:
        return this.clientArrive(ev);
      case EventKind.ClientReply:
        return this.clients.complete(ev.subject, ev.opId, ev.payload as { type: 'ok' }, ev.traceCause);
      case EventKind.ClientTimeout:
        return this.clients.complete(ev.subject, ev.opId, { type: 'info', error: 'timeout' }, ev.traceCause);
      case EventKind.FaultStart:
        return this.faults.start(ev.subject);
      case EventKind.FaultEnd:
        return this.faults.end(ev.subject);
      case EventKind.FaultTick:
        return this.faults.tick(ev);
      case EventKind.Heal:
        return this.healAll();
      case EventKind.End:
        this.endReached = true;
        return;
    }
  }

  // ---- protocol calls -------------------------------------------------------------------------

  /** Runs protocol code for node `n`, turning a throw (of anything) into the run's verdict. */
  invoke<T>(n: NodeRuntime, what: string, fn: () => T): T | undefined {
    const prev = enterProtocol();
    let out: T | undefined;
    try {
      out = fn();
      // A returned promise's rejection ends the run too. Reading `then` is protocol code as well.
      if (out !== null && typeof out === 'object' && typeof (out as { then?: unknown }).then === 'function') {
        const inc = n.incarnation;
        (out as unknown as Promise<unknown>).then(undefined, (e: unknown) => {
          if (n.incarnation === inc) this.fail(e instanceof DeterminismError ? 'nondeterminism' : 'crashed', e, n, what);
        });
      }
    } catch (e) {
      this.fail(e instanceof DeterminismError ? 'nondeterminism' : 'crashed', e, n, what);
      return undefined;
    } finally {
      leaveProtocol(prev);
    }
    return out;
  }

  crashed(message: string, n: NodeRuntime): void {
    this.fail('crashed', new Error(message), n);
  }

  /** Ends the run with `outcome` (the first failure wins); `e` may be anything a protocol threw. */
  private fail(outcome: RunOutcome, e: unknown, n?: NodeRuntime, what?: string): void {
    if (this.failure) return;
    const { message, stack } = describeThrown(e);
    const where = n ? ` in ${n.id}${what ? ` (${what})` : ''}` : what ? ` in ${what}` : '';
    this.failure = {
      outcome,
      error: { message: `${message}${where} at ${this.now} ms`, stack, node: n?.id, timeMs: this.now },
    };
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Boots the second copy of an equivocating node: its own ctx, handlers and timers, one id. */
  bootTwin(twin: NodeRuntime): void {
    // A second copy boots from a copy of the node's disk, mid-run: a restart as far as it can tell.
    twin.ctx = new Ctx(this, twin, twin.incarnation, 'restart');
    const handlers = this.invoke(twin, 'create (second copy)', () => this.config.create(twin.ctx));
    twin.handlers = handlers;
    if (handlers?.onStart) this.invoke(twin, 'onStart (second copy)', () => handlers.onStart!());
  }

  private boot(n: NodeRuntime): void {
    n.up = true;
    n.view.up = true;
    const start = n.wiped ? 'join' : n.incarnation === 0 ? 'boot' : 'restart';
    n.wiped = false;
    n.ctx = new Ctx(this, n, n.incarnation, start);
    const handlers = this.invoke(n, 'create', () => this.config.create(n.ctx));
    n.handlers = handlers;
    n.view.state = handlers;
    if (handlers?.onStart) this.invoke(n, 'onStart', () => handlers.onStart!());
  }

  // ---- network --------------------------------------------------------------------------------

  /** Called by a ctx: routes one message (or call envelope) through the network. */
  send(from: NodeRuntime, to: NodeId, msg: unknown, type: MessageType, callId: number): void {
    const dst = this.nodeOf(to, `${from.id} sent to`);
    let dropped: string | undefined;
    let copyMark = -1;
    if (from.byz !== undefined) {
      const out = this.byzantine.outgoing(from, from.byz, dst, to, msg, type);
      if ('dropped' in out) dropped = out.dropped;
      else ({ msg, copyMark } = out);
    }
    this.route(from, dst, to, msg, type, callId, dropped, copyMark);
  }

  /** A replayed message of a Byzantine node: sent as it was, past its silence and corruption. */
  sendRaw(from: NodeRuntime, to: NodeId, msg: unknown): void {
    this.route(from, this.nodeOf(to, `${from.id} replayed to`), to, msg, MessageType.Plain, 0, undefined, -1);
  }

  private route(from: NodeRuntime, dst: number, to: NodeId, msg: unknown, type: MessageType, callId: number, dropped: string | undefined, copyMark: number): void {
    const id = this.nextMsgId++;
    const h = this.hasher;
    h.int(FingerprintTag.Send);
    h.int(this.now);
    h.int(from.index);
    h.int(dst);
    const copy = cloneAndHash(msg, h);
    const rec = this.recorder;
    rec.stats.messagesSent++;
    const envelope = rec.traceOn ? envelopeOf(id, from.id, to, type, callId) : undefined;
    const sent = rec.traceOn ? rec.record('send', { node: from.id, envelope, body: bodyOf(type, clonePlain(copy)) }) : -1;
    const cause = this.choices.cause;
    if (dropped !== undefined) {
      this.lost(envelope, sent, dropped);
      return;
    }
    if (this.network.clogged(from.index, dst)) {
      const held = this.network.hold(from.index, dst, deliverEvent(dst, from.index, id, copy, type, cause, sent, copyMark));
      if (!held) this.lost(envelope, sent, 'clogged link full');
      else if (rec.traceOn) rec.record('hold', { envelope, detail: 'clogged' }, sent);
      return;
    }
    const tapeStart = this.choices.count;
    const copies = this.network.route(from.index, dst, this.now);
    if (sent >= 0) rec.trace[sent].tapeRange = [tapeStart, this.choices.count];
    if (copies === 0) {
      this.lost(envelope, sent, 'loss');
      return;
    }
    this.queue.push(this.now + this.network.delaysMs[0], deliverEvent(dst, from.index, id, copy, type, cause, sent, copyMark));
    if (copies === 2) {
      rec.stats.duplicated++;
      h.int(FingerprintTag.SendDuplicated);
      const twin = clonePlain(copy);
      this.queue.push(this.now + this.network.delaysMs[1], deliverEvent(dst, from.index, id, twin, type, cause, sent, copyMark));
      if (rec.traceOn) rec.record('dup', { envelope }, sent);
    }
  }

  private lost(envelope: Envelope | undefined, sent: number, why: string): void {
    this.recorder.stats.dropped++;
    this.recorder.hasher.int(FingerprintTag.SendLost);
    if (this.recorder.traceOn) this.recorder.record('drop', { envelope, detail: why }, sent);
  }

  private deliver(ev: SimEvent): void {
    const node = this.nodes[ev.node];
    const rec = this.recorder;
    const h = this.hasher;
    if (!node.up || !this.network.reachable(ev.from, ev.node)) {
      rec.stats.dropped++;
      h.int(FingerprintTag.DropOnArrival);
      h.int(ev.subject);
      if (rec.traceOn) rec.record('drop', { envelope: this.envelopeOfEvent(ev), detail: node.up ? 'cut' : 'down' }, ev.traceCause);
      return;
    }
    if (node.paused) {
      node.deferred.push(ev);
      return;
    }
    // An equivocating node: the copy whose side the sender is on hears it.
    const n = node.byz === undefined ? node : this.byzantine.receiver(node, ev.from, ev.incarnation);
    if (n === undefined) {
      this.idle = true;
      return;
    }
    rec.stats.delivered++;
    h.int(FingerprintTag.Deliver);
    h.int(this.now);
    h.int(ev.subject);
    const from = this.nodes[ev.from].id;
    if (rec.traceOn) rec.begin('deliver', { node: n.id, envelope: this.envelopeOfEvent(ev), body: bodyOf(ev.messageType, clonePlain(ev.payload)) }, ev.traceCause);
    const handlers = n.handlers;
    if (handlers === undefined) return;
    if (ev.messageType === MessageType.Plain) {
      if (handlers.onMessage) this.invoke(n, 'onMessage', () => handlers.onMessage!(from, ev.payload));
    } else if (ev.messageType === MessageType.CallRequest) {
      this.answerCall(n, from, ev);
    } else {
      this.settleCall(n, ev.payload as { callId: number; body: unknown });
    }
  }

  private answerCall(n: NodeRuntime, from: NodeId, ev: SimEvent): void {
    const { callId, body } = ev.payload as { callId: number; body: unknown };
    const handlers = n.handlers!;
    if (!handlers.onCall) {
      this.fail('crashed', new Error(`received a ctx.call from ${from} but has no onCall handler`), n);
      return;
    }
    const inc = n.incarnation;
    const answer = this.invoke(n, 'onCall', () => handlers.onCall!(from, body));
    const respond = (value: unknown) => {
      if (n.incarnation !== inc || !n.up) return;
      this.send(n, from, { callId, body: value }, MessageType.CallResponse, callId);
    };
    if (answer !== null && typeof answer === 'object' && typeof (answer as { then?: unknown }).then === 'function') {
      (answer as Promise<unknown>).then(respond, () => undefined);
    } else if (!this.failure) {
      respond(answer);
    }
  }

  /** A call's response arrived: resolve the caller's promise (its continuation runs now). */
  private settleCall(n: NodeRuntime, response: { callId: number; body: unknown }): void {
    const pending = n.calls.get(response.callId);
    if (pending === undefined) return;
    n.calls.delete(response.callId);
    this.asyncTouched = true;
    pending.resolve(response.body);
  }

  private envelopeOfEvent(ev: SimEvent): Envelope {
    const callId = ev.messageType === MessageType.Plain ? 0 : (ev.payload as { callId: number }).callId;
    return envelopeOf(ev.subject, this.nodes[ev.from].id, this.nodes[ev.node].id, ev.messageType, callId);
  }

  /** Messages released from a clogged link, each with a fresh latency. */
  release(held: SimEvent[], from: number, to: number): void {
    for (const ev of held) this.queue.push(this.now + this.network.latencyOf(from, to, this.now), ev);
  }

  // ---- timers and clocks ----------------------------------------------------------------------

  /** Schedules a timer-like event after `delayMs` of the node's clock (its rate stretches it). */
  schedule(n: NodeRuntime, kind: typeof EventKind.Timer | typeof EventKind.Wake | typeof EventKind.CallTimeout, delayMs: number, id: number, payload: unknown): void {
    if (!(typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0)) {
      throw new RangeError(`timer delay must be a finite number of ms >= 0, got ${String(delayMs)}`);
    }
    const trueDelay = n.rate === 1 ? Math.ceil(delayMs) : Math.ceil(delayMs / n.rate);
    this.queue.push(this.now + trueDelay, nodeTimerEvent(kind, n.index, id, payload, n.incarnation, this.choices.cause, this.recorder.current));
  }

  private fireTimer(ev: SimEvent): void {
    const n = ev.incarnation < -1 ? this.byzantine.twinOf(ev.node, ev.incarnation) : this.nodes[ev.node];
    if (n === undefined) {
      this.idle = true;
      return;
    }
    if (!n.up || n.incarnation !== ev.incarnation || n.paused) {
      if (n.paused && n.up && n.incarnation === ev.incarnation) n.deferred.push(ev);
      this.idle = true;
      return;
    }
    if (ev.kind === EventKind.Timer) this.fireUserTimer(n, ev);
    else if (ev.kind === EventKind.Wake) {
      n.sleeps.delete(ev.subject);
      this.asyncTouched = true;
      if (this.recorder.traceOn) this.recorder.begin('wake', { node: n.id }, ev.traceCause);
      (ev.payload as () => void)();
    } else {
      const pending = n.calls.get(ev.subject);
      if (pending === undefined) return;
      n.calls.delete(ev.subject);
      this.asyncTouched = true;
      this.recorder.begin('call-timeout', { node: n.id, detail: `call #${ev.subject} to ${pending.to}` }, ev.traceCause);
      pending.reject(callTimeout(pending.to, ev.payload as number));
    }
  }

  private fireUserTimer(n: NodeRuntime, ev: SimEvent): void {
    const t = n.timers.get(ev.subject);
    if (t === undefined) {
      // Cancelled: nothing ran, so no invariant needs a look.
      this.idle = true;
      return;
    }
    n.timers.delete(ev.subject);
    const h = this.recorder.hasher;
    h.int(FingerprintTag.Timer);
    h.int(this.now);
    h.int(ev.node);
    if (this.recorder.traceOn) this.recorder.begin('timer', { node: n.id, detail: t.name }, ev.traceCause);
    const handlers = n.handlers;
    if (handlers?.onTimer) this.invoke(n, `onTimer ${t.name}`, () => handlers.onTimer!(t.name, t.data));
  }

  // ---- NodeHost -------------------------------------------------------------------------------

  get traceOn(): boolean {
    return this.recorder.traceOn;
  }
  nowMs(): number {
    return this.now;
  }
  newTimerId(): number {
    return this.nextTimerId++;
  }
  newCallId(): number {
    return this.nextCallId++;
  }
  newSleepId(): number {
    return this.nextSleepId++;
  }
  markAsync(): void {
    this.asyncTouched = true;
  }
  log(n: NodeRuntime, line: string): void {
    this.recorder.record('log', { node: n.id, detail: line });
  }

  // ---- clients, faults and node life (the hosts' side) ----------------------------------------

  push(atMs: number, ev: SimEvent): void {
    assert(atMs >= this.now, 'events are scheduled now or later');
    this.queue.push(atMs, ev);
  }

  node(index: number): NodeRuntime {
    const n = this.nodes[index];
    assert(n !== undefined, `node index ${index} exists`);
    return n;
  }

  private clientArrive(ev: SimEvent): void {
    const n = this.nodes[ev.node];
    if (n.paused && n.up) {
      n.deferred.push(ev);
      return;
    }
    this.clients.arrive(ev, n);
  }

  crashNode(n: NodeRuntime): void {
    this.byzantine.crashed(n);
    const lost = n.crash();
    this.recorder.record('crash', { node: n.id, detail: lost > 0 ? `${lost} unsynced writes lost` : undefined });
  }

  restartNode(n: NodeRuntime): void {
    assert(!n.up, 'only a crashed node restarts');
    n.incarnation++;
    this.boot(n);
  }

  leaveNotice(n: NodeRuntime, graceMs: number): void {
    const handlers = n.handlers;
    if (handlers?.onLeave) this.invoke(n, 'onLeave', () => handlers.onLeave!(graceMs));
  }

  removeNode(n: NodeRuntime): void {
    if (n.up) {
      this.byzantine.crashed(n);
      n.crash();
    }
    n.storage.wipe();
    n.wiped = true;
  }

  pauseNode(n: NodeRuntime): void {
    assert(n.up && !n.paused, 'only a running node pauses');
    n.paused = true;
    n.view.paused = true;
  }

  /** What fell due while paused is handled first, in the order it fell due, before anything newer. */
  resumeNode(n: NodeRuntime): void {
    n.paused = false;
    n.view.paused = false;
    for (const ev of n.deferred as SimEvent[]) this.queue.pushFirst(this.now, ev);
    n.deferred = [];
  }

  private healAll(): void {
    this.healedAtMs = this.now;
    this.faults.healAll();
    this.recorder.begin('heal', { detail: 'final heal: every fault ends' }, -1);
    for (const o of this.config.observers ?? []) o.markHealed?.(this.now);
  }

  // ---- end of run -----------------------------------------------------------------------------

  /** Sleeps and calls of live nodes still waiting: async code the run ended under. */
  private pendingContinuations(): PendingContinuation[] {
    const out: PendingContinuation[] = [];
    for (const n of this.nodes) {
      if (!n.up) continue;
      for (const sinceMs of n.sleeps.values()) out.push({ node: n.id, kind: 'sleep', sinceMs });
      for (const c of n.calls.values()) out.push({ node: n.id, kind: 'call', sinceMs: c.sinceMs, to: c.to });
    }
    return out;
  }

  /** Lists, at the end of the trace, messages never delivered nor dropped, and pending continuations. */
  private recordLeftovers(pending: readonly PendingContinuation[]): void {
    const rec = this.recorder;
    const left = [...this.queue.pending().map((s) => s.item), ...(this.network.allHeld() as SimEvent[])];
    for (const ev of left) {
      if (ev.kind !== EventKind.Deliver) continue;
      rec.record('in-flight', { envelope: this.envelopeOfEvent(ev), detail: 'never delivered: the run ended first' }, ev.traceCause);
    }
    for (const p of pending) {
      const detail = p.kind === 'sleep' ? `a ctx.sleep since ${p.sinceMs} ms` : `a ctx.call to ${p.to} since ${p.sinceMs} ms`;
      rec.record('pending', { node: p.node, detail: `${detail} still waiting when the run ended` }, -1);
    }
  }

  nodeOf(id: NodeId, what: string): number {
    const i = this.nodeIndex.get(id);
    if (i === undefined) {
      throw new Error(`${what} unknown node '${id}': nodes are ${[...this.nodeIndex.keys()].join(', ')}`);
    }
    return i;
  }
}

/** The trace's view of a message envelope (call wrappers named, not guessed from the body's shape). */
function envelopeOf(msgId: number, from: NodeId, to: NodeId, type: MessageType, callId: number): Envelope {
  if (type === MessageType.Plain) return { msgId, from, to, type: 'message' };
  return { msgId, from, to, type: type === MessageType.CallRequest ? 'call' : 'reply', callId };
}

/** A message's payload without the call wrapper. */
function bodyOf(type: MessageType, msg: unknown): unknown {
  return type === MessageType.Plain ? msg : (msg as { body: unknown }).body;
}

/**
 * A message and stack for anything a protocol may throw: an Error, a string, `Object.create(null)`,
 * an object whose `message` getter throws. Never throws itself.
 */
export function describeThrown(e: unknown): { message: string; stack?: string } {
  try {
    if (typeof e === 'string') return { message: e };
    if (e instanceof Error) {
      const stack = typeof e.stack === 'string' ? e.stack : undefined;
      return { message: String(e.message), stack };
    }
  } catch {
    // A hostile getter: fall through to the generic description.
  }
  let text: string;
  try {
    text = typeof e === 'string' ? e : typeof e === 'object' && e !== null ? `a non-Error object ${safeString(e)}` : `${typeof e} ${String(e)}`;
  } catch {
    text = Object.prototype.toString.call(e);
  }
  return { message: `threw ${text.length > 200 ? `${text.slice(0, 197)}...` : text}` };
}

function safeString(e: object): string {
  try {
    const json = JSON.stringify(e);
    if (json !== undefined) return json;
  } catch {
    // not JSON: fall through
  }
  return Object.prototype.toString.call(e);
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

const setImmediateReal = harnessClock.setImmediate;
