import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';

/**
 * Causal broadcast with vector clocks. A client's `bcast` at node j becomes a message stamped with
 * j's vector clock after counting the send (vc[j] + 1); j delivers it at once and sends it to every
 * peer. A receiver delivers a message from j only when it is the next one from j (vc[j] = mine[j]
 * + 1) and everything it causally depends on is already delivered (vc[k] <= mine[k] for k != j);
 * until then it waits in a hold-back queue. Lost messages come back through anti-entropy: every
 * SYNC_MS each node tells its peers its clock, and a peer sends back, in its delivery order, the
 * messages that clock lacks.
 */

export type CausalVariant = 'correct' | 'no-hold-back' | 'clock-on-receive';

export const SYNC_MS = 100;
/** Bound on the hold-back queue and on the delivered log. */
const MAX_MESSAGES = 10_000;

export type VectorClock = Record<NodeId, number>;

export interface Bcast {
  /** `origin:seq`, unique in the run (seq is the origin's own count, made durable before sending). */
  id: string;
  origin: NodeId;
  vc: VectorClock;
  value: unknown;
}

type Msg = { t: 'msg'; m: Bcast } | { t: 'sync'; vc: VectorClock } | { t: 'batch'; ms: Bcast[] };

interface Disk {
  delivered: Bcast[];
  vc: VectorClock;
}

export class CausalNode implements NodeHandlers<Msg> {
  /** Messages in the order this node delivered them. */
  delivered: Bcast[];
  vc: VectorClock;
  private held: Bcast[] = [];

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly variant: CausalVariant,
  ) {
    const d = ctx.storage.get<Disk>('disk');
    this.delivered = d?.delivered ?? [];
    this.vc = d?.vc ?? {};
  }

  onStart(): void {
    this.ctx.setTimer(SYNC_MS, 'sync');
  }

  onTimer(name: string): void {
    if (name !== 'sync') return;
    this.ctx.broadcast({ t: 'sync', vc: this.vc });
    this.ctx.setTimer(SYNC_MS, 'sync');
  }

  onMessage(from: NodeId, msg: Msg): void {
    if (msg.t === 'msg') return this.receive([msg.m]);
    if (msg.t === 'batch') return this.receive(msg.ms);
    if (msg.t === 'sync') {
      const missing = this.delivered.filter((m) => m.vc[m.origin] > (msg.vc[m.origin] ?? 0));
      if (missing.length > 0) this.ctx.send(from, { t: 'batch', ms: missing });
    }
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (op.f === 'read') return reply({ type: 'ok', value: this.delivered.map((m) => m.id) });
    if (op.f !== 'bcast') return reply({ type: 'fail', error: `unknown op ${op.f}` });
    if (this.delivered.length >= MAX_MESSAGES) return reply({ type: 'fail', error: 'log full' });
    // The clock-on-receive bug counts events at the wrong place: not the send, but each receive.
    const seq = (this.vc[this.ctx.id] ?? 0) + (this.variant === 'clock-on-receive' ? 0 : 1);
    const m: Bcast = { id: `${this.ctx.id}:${seq}`, origin: this.ctx.id, vc: { ...this.vc, [this.ctx.id]: seq }, value: op.value };
    this.deliver(m);
    // Durable before it leaves: a restarted node must never reuse a sequence number.
    this.ctx.storage.sync();
    this.ctx.broadcast({ t: 'msg', m });
    reply({ type: 'ok', value: m.id });
  }

  private receive(ms: Bcast[]): void {
    for (const m of ms) {
      if ((this.vc[m.origin] ?? 0) >= m.vc[m.origin]) continue; // delivered already
      if (this.variant === 'no-hold-back') {
        // The bug: deliver on arrival, whatever it depends on; the clock just takes the max.
        this.deliver(m);
        continue;
      }
      if (!this.held.some((h) => h.id === m.id) && this.held.length < MAX_MESSAGES) this.held.push(m);
    }
    const before = this.delivered.length;
    this.drainHeld();
    if (this.variant === 'clock-on-receive' && this.delivered.length > before) {
      this.vc = { ...this.vc, [this.ctx.id]: (this.vc[this.ctx.id] ?? 0) + 1 };
      this.ctx.storage.set('disk', { delivered: this.delivered, vc: this.vc });
    }
  }

  /** Delivers every held message whose causal predecessors are all delivered, until none is. */
  private drainHeld(): void {
    for (let progress = true; progress; ) {
      progress = false;
      for (let i = 0; i < this.held.length; i++) {
        const m = this.held[i];
        if ((this.vc[m.origin] ?? 0) >= m.vc[m.origin]) {
          this.held.splice(i--, 1);
        } else if (this.deliverable(m)) {
          this.held.splice(i--, 1);
          this.deliver(m);
          progress = true;
        }
      }
    }
  }

  private deliverable(m: Bcast): boolean {
    for (const [k, v] of Object.entries(m.vc)) {
      const mine = this.vc[k] ?? 0;
      if (k === m.origin ? v !== mine + 1 : v > mine) return false;
    }
    return true;
  }

  private deliver(m: Bcast): void {
    this.delivered = [...this.delivered, m];
    const vc = { ...this.vc };
    for (const [k, v] of Object.entries(m.vc)) vc[k] = Math.max(vc[k] ?? 0, v);
    this.vc = vc;
    const d: Disk = { delivered: this.delivered, vc: this.vc };
    this.ctx.storage.set('disk', d);
  }
}
