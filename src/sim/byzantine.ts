/**
 * The simulator's side of the Byzantine fault kinds: per misbehaving node, whether it is silenced,
 * which corruptions are on, the log of what it sent (for replays) and its second copy (Twins).
 * The simulator asks `outgoing` before each send of such a node and `receiver` before each
 * delivery to it; nodes that no Byzantine fault names never reach this file (their `byz` is
 * undefined), so honest runs pay one property check per send.
 */
import { clonePlain } from '../kernel/clone.ts';
import { intBelow, stream, type Rng } from '../kernel/rng.ts';
import { mutateJson, type Mutator } from '../faults/mutate.ts';
import type { NodeId } from '../node/api.ts';
import { MessageType } from './events.ts';
import { NodeRuntime } from './node-runtime.ts';

/** Messages of one node kept for replays: the most recent ones. */
export const REPLAY_LOG_SIZE = 64;

/** The second copy of an equivocating node. */
interface Twin {
  fault: number;
  rt: NodeRuntime;
  /** Node indexes the twin hears and talks to; the first copy has the rest. */
  side: ReadonlySet<number>;
}

/** One Byzantine node's misbehaviour, shared by both of its copies. */
export class ByzantineState {
  silenced = 0;
  /** Active corruptions by fault index: chance in % and the fault's stream. */
  readonly corrupt = new Map<number, { percent: number; rng: Rng }>();
  /** Active replays by fault index: the fault's stream. */
  readonly replays = new Map<number, Rng>();
  /** Recently sent plain messages (a ring), kept only when a replay fault names the node. */
  readonly log: Array<{ to: NodeId; msg: unknown }> | undefined;
  private logNext = 0;
  twin: Twin | undefined;

  constructor(keepLog: boolean) {
    this.log = keepLog ? [] : undefined;
  }

  remember(to: NodeId, msg: unknown): void {
    if (this.log === undefined) return;
    const entry = { to, msg: clonePlain(msg) };
    if (this.log.length < REPLAY_LOG_SIZE) this.log.push(entry);
    else this.log[this.logNext] = entry;
    this.logNext = (this.logNext + 1) % REPLAY_LOG_SIZE;
  }
}

/** What the Byzantine runtime needs from the simulator. */
export interface ByzantineHost {
  readonly nodeCount: number;
  node(index: number): NodeRuntime;
  /** Boots the second copy of a node (its ctx, handlers, onStart). */
  bootTwin(twin: NodeRuntime): void;
  /** Sends as `from` without asking `outgoing` again (a replayed message is sent as it was). */
  sendRaw(from: NodeRuntime, to: NodeId, msg: unknown): void;
}

/** The answer of `outgoing`: the message to send, or why nothing is sent. */
export type Outgoing = { msg: unknown; copyMark: number } | { dropped: string };

/** Every Byzantine node's state in one run. */
export class ByzantineRuntime {
  private twinSerial = 0;

  constructor(
    private readonly host: ByzantineHost,
    private readonly mutate: Mutator | undefined,
  ) {}

  /** Gives each node a Byzantine fault names its state (a replay log where a replay names it). */
  attach(faults: ReadonlyArray<{ kind: string; node?: NodeId }>, indexOf: (id: NodeId) => number): void {
    for (const f of faults) {
      if (!['equivocate', 'corrupt', 'replay', 'silent'].includes(f.kind) || f.node === undefined) continue;
      const rt = this.host.node(indexOf(f.node));
      const keepLog = faults.some((g) => g.kind === 'replay' && g.node === f.node);
      rt.byz ??= new ByzantineState(keepLog);
    }
  }

  /**
   * What a send of a Byzantine node becomes: dropped (silenced, or addressed to the other copy's
   * side), mutated (corrupt), or sent as is; `copyMark` tells which copy sent a message to itself.
   */
  outgoing(from: NodeRuntime, st: ByzantineState, dst: number, to: NodeId, msg: unknown, type: MessageType): Outgoing {
    if (st.silenced > 0) return { dropped: 'Byzantine: silent' };
    const twin = st.twin;
    const isTwin = twin !== undefined && twin.rt === from;
    if (twin !== undefined && dst !== from.index && isTwin !== twin.side.has(dst)) return { dropped: "Byzantine: the other copy's side" };
    let out = msg;
    for (const c of st.corrupt.values()) {
      if (intBelow(c.rng, 100) >= c.percent) continue;
      out = type === MessageType.Plain ? this.mutated(out, c.rng, from.id, to) : this.mutatedCall(out, c.rng, from.id, to);
    }
    if (type === MessageType.Plain) st.remember(to, out);
    return { msg: out, copyMark: isTwin ? from.incarnation : -1 };
  }

  private mutated(msg: unknown, rng: Rng, from: NodeId, to: NodeId): unknown {
    if (this.mutate === undefined) return mutateJson(msg, rng);
    try {
      return this.mutate(msg, rng, { from, to });
    } catch (e) {
      throw new Error(`byzantine.mutate threw on a message of ${from} to ${to}: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  /** A call envelope keeps its call id: only the body is the sender's to lie about. */
  private mutatedCall(msg: unknown, rng: Rng, from: NodeId, to: NodeId): unknown {
    const { callId, body } = msg as { callId: number; body: unknown };
    return { callId, body: this.mutated(body, rng, from, to) };
  }

  /**
   * The copy of node `n` a message from `fromIndex` goes to: the twin when the sender is on its
   * side (or it is the twin's own message); undefined when it was the message of a twin now dead.
   */
  receiver(n: NodeRuntime, fromIndex: number, copyMark: number): NodeRuntime | undefined {
    const twin = n.byz?.twin;
    if (fromIndex === n.index && copyMark < -1) return twin?.rt.incarnation === copyMark ? twin.rt : undefined;
    return twin !== undefined && twin.side.has(fromIndex) ? twin.rt : n;
  }

  /** The live twin of node `index` with incarnation `incarnation`, for its timers. */
  twinOf(index: number, incarnation: number): NodeRuntime | undefined {
    const twin = this.host.node(index).byz?.twin;
    return twin?.rt.incarnation === incarnation ? twin.rt : undefined;
  }

  silence(node: number, delta: 1 | -1): void {
    const st = this.state(node);
    st.silenced += delta;
    if (st.silenced < 0) throw new Error(`assertion failed: ${this.host.node(node).id} unsilenced more often than silenced`);
  }

  corrupt(node: number, fault: number, percent: number, seed: number): void {
    const st = this.state(node);
    if (percent <= 0) st.corrupt.delete(fault);
    else st.corrupt.set(fault, { percent, rng: stream(seed, `corrupt:${this.host.node(node).id}`) });
  }

  replayStart(node: number, fault: number, seed: number): void {
    this.state(node).replays.set(fault, stream(seed, `replay:${this.host.node(node).id}`));
  }

  replayStop(node: number, fault: number): void {
    this.state(node).replays.delete(fault);
  }

  /** One old message of the node goes out again (nothing while it is down, paused or silenced). */
  replayOne(node: number, fault: number): void {
    const rt = this.host.node(node);
    const st = this.state(node);
    const rng = st.replays.get(fault);
    if (rng === undefined || st.log === undefined || st.log.length === 0) return;
    const old = st.log[intBelow(rng, st.log.length)];
    if (!rt.up || rt.paused || st.silenced > 0) return;
    this.host.sendRaw(rt, old.to, old.msg);
  }

  /** Boots the second copy (from a copy of the node's disk and clock) unless one runs already. */
  equivocate(node: number, fault: number, side: readonly number[], seed: number): void {
    const rt = this.host.node(node);
    const st = this.state(node);
    if (st.twin !== undefined || !rt.up) return;
    const twin = new NodeRuntime(rt.index, rt.id, stream(seed, `twin:${rt.id}`));
    // Negative incarnations (below -1) name twins: their timers and self-messages find them by it.
    twin.incarnation = -2 - this.twinSerial++;
    twin.byz = st;
    twin.storage.copyFrom(rt.storage);
    twin.setClock(rt.baseTrueMs, rt.baseLocalMs, rt.rate);
    twin.strobeOffsetMs = rt.strobeOffsetMs;
    st.twin = { fault, rt: twin, side: new Set(side) };
    this.host.bootTwin(twin);
  }

  /** The second copy of fault `fault` stops (if it is still the running one). */
  endEquivocate(node: number, fault: number): void {
    const st = this.state(node);
    if (st.twin?.fault === fault) this.killTwin(st);
  }

  /** The node crashed: its second copy dies with it. */
  crashed(rt: NodeRuntime): void {
    if (rt.byz?.twin !== undefined) this.killTwin(rt.byz);
  }

  private killTwin(st: ByzantineState): void {
    const rt = st.twin!.rt;
    st.twin = undefined;
    rt.up = false;
    rt.handlers = undefined;
    rt.timers.clear();
    rt.calls.clear();
    rt.sleeps.clear();
  }

  private state(node: number): ByzantineState {
    const st = this.host.node(node).byz;
    if (st === undefined) throw new Error(`assertion failed: ${this.host.node(node).id} has a Byzantine fault but no Byzantine state`);
    return st;
  }
}
