import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';

/**
 * Total-order broadcast with Lamport clocks. A client's `bcast` at node j ticks j's Lamport clock
 * and stamps the message with it; every node delivers messages in (timestamp, origin) order. A
 * message m is delivered once it is the least undelivered message this node holds and it is
 * *stable*: every node k has announced a clock >= m.ts, and this node holds all of k's messages
 * up to the count k announced with it. Since k's clock only grows, k can never send anything that
 * sorts before m any more, and nothing k sent before is missing.
 *
 * Announcements: a receiver answers each new message with its clock (an ack), and every HEARTBEAT_MS
 * every node announces its clock, how many messages it has sent, and how many of each origin's it
 * holds (anti-entropy: a peer sends back what that count lacks). A node makes its clock durable
 * before announcing it, so a restart never sends a timestamp it promised not to.
 *
 * The protocol blocks while a node is unreachable (no stability without it) and catches up after
 * the heal: the classic price of this algorithm, not a bug.
 */

export type TobVariant = 'correct' | 'arrival-tiebreak';

export const HEARTBEAT_MS = 50;
/** Bound on the messages a node holds, and on one anti-entropy batch. */
const MAX_MESSAGES = 10_000;
const MAX_BATCH = 200;

export interface TobMsg {
  /** `origin:seq`, unique in the run (seq is the origin's own count, durable before sending). */
  id: string;
  origin: NodeId;
  seq: number;
  /** The origin's Lamport clock when it sent the message. */
  ts: number;
  value: unknown;
}

/** A node's promise: its clock is `clock`, so it will send nothing stamped <= clock after its message `sent`. */
interface Announce {
  clock: number;
  sent: number;
}

type Msg =
  | { t: 'msg'; m: TobMsg }
  | { t: 'clock'; a: Announce; have: Record<NodeId, number>; heartbeat: boolean }
  | { t: 'batch'; ms: TobMsg[] };

interface Disk {
  clock: number;
  sent: number;
  delivered: TobMsg[];
  /** This node's own messages: it is their source of last resort after anyone's crash. */
  own: TobMsg[];
}

export class TobNode implements NodeHandlers<Msg> {
  /** Messages in the order this node delivered them. */
  delivered: TobMsg[];
  /** The Lamport clock. */
  clock: number;
  private sent: number;
  private own: TobMsg[];
  /** Every message this node holds (delivered or waiting), by id. */
  private held = new Map<string, TobMsg>();
  /** Per origin: the highest seq s such that this node holds all of 1..s. */
  private have: Record<NodeId, number> = {};
  /** Per node: the latest announcement heard (messages count as announcements of their sender). */
  private known: Record<NodeId, Announce> = {};
  private deliveredIds = new Set<string>();

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly variant: TobVariant,
  ) {
    const d = ctx.storage.get<Disk>('disk');
    this.clock = d?.clock ?? 0;
    this.sent = d?.sent ?? 0;
    this.own = d?.own ?? [];
    this.delivered = d?.delivered ?? [];
    for (const m of [...this.delivered, ...this.own]) this.hold(m);
    for (const m of this.delivered) this.deliveredIds.add(m.id);
  }

  onStart(): void {
    this.ctx.setTimer(HEARTBEAT_MS, 'heartbeat');
    this.announce(true);
  }

  onTimer(name: string): void {
    if (name !== 'heartbeat') return;
    this.ctx.setTimer(HEARTBEAT_MS, 'heartbeat');
    this.announce(true);
  }

  onMessage(from: NodeId, msg: Msg): void {
    if (msg.t === 'msg') {
      if (this.receive([msg.m])) this.announce(false);
    } else if (msg.t === 'batch') {
      if (this.receive(msg.ms)) this.announce(false);
    } else {
      this.learn(from, msg.a);
      // Only heartbeats: an ack's counts are often just overtaken by the message in flight.
      if (msg.heartbeat) this.resend(from, msg.have);
    }
    this.deliverStable();
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (op.f === 'read') return reply({ type: 'ok', value: this.delivered.map((m) => m.id) });
    if (op.f !== 'bcast') return reply({ type: 'fail', error: `unknown op ${op.f}` });
    if (this.held.size >= MAX_MESSAGES) return reply({ type: 'fail', error: 'too many messages' });
    this.clock += 1;
    this.sent += 1;
    const m: TobMsg = { id: `${this.ctx.id}:${this.sent}`, origin: this.ctx.id, seq: this.sent, ts: this.clock, value: op.value };
    this.own = [...this.own, m];
    this.hold(m);
    // Durable before it leaves: a restarted node must never reuse a sequence number or a timestamp.
    this.save();
    this.ctx.broadcast({ t: 'msg', m });
    reply({ type: 'ok', value: m.id });
    this.deliverStable();
  }

  /** Takes in messages; true when one was new (worth an ack). Each new one moves the clock past its stamp. */
  private receive(ms: TobMsg[]): boolean {
    let fresh = false;
    for (const m of ms) {
      this.learn(m.origin, { clock: m.ts, sent: m.seq });
      if (this.held.has(m.id) || this.held.size >= MAX_MESSAGES) continue;
      this.hold(m);
      this.clock = Math.max(this.clock, m.ts) + 1;
      fresh = true;
    }
    return fresh;
  }

  private hold(m: TobMsg): void {
    this.held.set(m.id, m);
    let s = this.have[m.origin] ?? 0;
    while (this.held.has(`${m.origin}:${s + 1}`)) s++;
    this.have[m.origin] = s;
  }

  private learn(node: NodeId, a: Announce): void {
    const k = this.known[node];
    if (k === undefined || a.clock > k.clock) this.known[node] = a;
  }

  /** Announces this node's clock (made durable first) and what it holds: an ack, or a heartbeat that also asks for what is missing. */
  private announce(heartbeat: boolean): void {
    this.save();
    this.ctx.broadcast({ t: 'clock', a: { clock: this.clock, sent: this.sent }, have: { ...this.have }, heartbeat });
  }

  /** Anti-entropy: sends a peer, in (origin, seq) order, the messages it says it lacks. */
  private resend(to: NodeId, theirs: Record<NodeId, number>): void {
    const missing: TobMsg[] = [];
    for (const m of this.held.values()) if (m.seq > (theirs[m.origin] ?? 0)) missing.push(m);
    if (missing.length === 0) return;
    missing.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : a.seq - b.seq));
    this.ctx.send(to, { t: 'batch', ms: missing.slice(0, MAX_BATCH) });
  }

  /** The delivery order: timestamp, then origin. The arrival-tiebreak bug leaves ties in arrival order. */
  private before(a: TobMsg, b: TobMsg): number {
    if (a.ts !== b.ts) return a.ts - b.ts;
    if (this.variant === 'arrival-tiebreak') return 0;
    return a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0;
  }

  /** True when no node can still send, or hold back from us, a message ordered before `m`. */
  private stable(m: TobMsg): boolean {
    for (const k of this.ctx.nodes) {
      // This node knows its own clock; what it sends next is stamped above it.
      const a = k === this.ctx.id ? { clock: this.clock, sent: this.sent } : this.known[k];
      if (a === undefined || a.clock < m.ts || (this.have[k] ?? 0) < a.sent) return false;
    }
    return true;
  }

  /** Delivers, in order, the waiting messages while the least of them is stable. */
  private deliverStable(): void {
    // Map iteration is arrival order, which a stable sort keeps for the pairs `before` calls equal.
    const waiting = [...this.held.values()].filter((m) => !this.deliveredIds.has(m.id)).sort((a, b) => this.before(a, b));
    let changed = false;
    for (const m of waiting) {
      if (!this.stable(m)) break;
      this.delivered = [...this.delivered, m];
      this.deliveredIds.add(m.id);
      changed = true;
    }
    if (changed) this.ctx.storage.set('disk', this.disk());
  }

  private disk(): Disk {
    return { clock: this.clock, sent: this.sent, delivered: this.delivered, own: this.own };
  }

  private save(): void {
    this.ctx.storage.set('disk', this.disk());
    this.ctx.storage.sync();
  }
}
