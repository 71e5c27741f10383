import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';

/**
 * A state-based CRDT replicated by anti-entropy: every node holds a full replica, answers its
 * clients from it at once (always available, even alone in a partition), and every GOSSIP_MS
 * pushes its whole state to every peer, which merges it in. Merges are idempotent, commutative
 * and associative (in the correct variants), so lost, duplicated and reordered gossip is harmless
 * and every replica converges once the network heals.
 */

/** How often each node pushes its state to its peers. */
export const GOSSIP_MS = 100;

/** One CRDT type: its initial state, how a client op changes it, and how two states merge. */
export interface CrdtType<S> {
  init(): S;
  /** Applies a client op at `self`; returns the new state and the client's answer. */
  update(state: S, op: ClientOp, self: NodeId): { state: S; result: ClientResult };
  merge(local: S, remote: S): S;
}

interface Gossip<S> {
  t: 'gossip';
  state: S;
}

/** A replica node: local state, durable before any client hears ok, gossiped to every peer. */
export class CrdtReplica<S> implements NodeHandlers<Gossip<S>> {
  state: S;

  constructor(
    private readonly ctx: NodeCtx<Gossip<S>>,
    private readonly type: CrdtType<S>,
  ) {
    // What was synced survives a crash: every acknowledged update was synced before its ok.
    this.state = ctx.storage.get<S>('state') ?? type.init();
  }

  onStart(): void {
    this.ctx.setTimer(GOSSIP_MS, 'gossip');
  }

  onTimer(name: string): void {
    if (name !== 'gossip') return;
    this.ctx.broadcast({ t: 'gossip', state: this.state });
    this.ctx.setTimer(GOSSIP_MS, 'gossip');
  }

  onMessage(_from: NodeId, msg: Gossip<S>): void {
    if (msg.t !== 'gossip') return;
    this.state = this.type.merge(this.state, msg.state);
    // Not synced: what is lost in a crash comes back with the next gossip.
    this.ctx.storage.set('state', this.state);
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    const { state, result } = this.type.update(this.state, op, this.ctx.id);
    this.state = state;
    if (result.type === 'ok' && op.f !== 'read') {
      this.ctx.storage.set('state', state);
      this.ctx.storage.sync();
    }
    reply(result);
  }
}
