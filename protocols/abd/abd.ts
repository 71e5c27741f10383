import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/node/api.ts';
import type { ProtocolDef } from '../../src/run/protocol.ts';
import type { Workload } from '../../src/workload/workload.ts';

/**
 * ABD (Attiya, Bar-Noy, Dolev): a linearizable read/write register replicated over majority
 * quorums, with no leader. Every node is a replica and a coordinator for the clients that
 * address it. A write asks a majority for their timestamps, picks a higher one and stores the
 * value at a majority; a read asks a majority for the freshest value and writes it back to a
 * majority before answering, so no later read can see an older value.
 *
 * Written with `ctx.call` and async/await, as an example of the async helpers.
 */

/**
 * Orders writes: higher counter wins; ties break on the coordinator's id, then on the client op
 * id, so two writes coordinated concurrently by one node never share a timestamp.
 */
interface Timestamp {
  n: number;
  w: NodeId;
  op: number;
}

type Request = { type: 'get' } | { type: 'set'; ts: Timestamp; value: unknown };
type Response = { ts: Timestamp; value: unknown } | { ack: true };

const ZERO: Timestamp = { n: 0, w: '', op: -1 };
const CALL_TIMEOUT_MS = 100;

export type AbdVariant = 'correct' | 'no-write-back' | 'minority-quorum' | 'ack-before-sync';

export class AbdNode implements NodeHandlers {
  private ts: Timestamp;
  private value: unknown;

  constructor(
    private readonly ctx: NodeCtx,
    private readonly variant: AbdVariant,
  ) {
    // Recover what was synced before a crash; a fresh node starts at the initial value.
    this.ts = ctx.storage.get<Timestamp>('ts') ?? ZERO;
    this.value = ctx.storage.get('value') ?? null;
  }

  onCall(_from: NodeId, req: Request): Response {
    if (req.type === 'get') return { ts: this.ts, value: this.value };
    if (newer(req.ts, this.ts)) {
      this.ts = req.ts;
      this.value = req.value;
      this.ctx.storage.set('ts', req.ts);
      this.ctx.storage.set('value', req.value);
      // Acking before the write is durable means a crash can forget an acknowledged write.
      if (this.variant !== 'ack-before-sync') this.ctx.storage.sync();
    }
    return { ack: true };
  }

  async onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): Promise<void> {
    const seen = await this.quorum({ type: 'get' });
    if (seen === undefined) return reply({ type: 'fail', error: 'no quorum' });
    let best = seen[0] as { ts: Timestamp; value: unknown };
    for (const r of seen as Array<{ ts: Timestamp; value: unknown }>) if (newer(r.ts, best.ts)) best = r;
    if (op.f === 'read') {
      if (this.variant !== 'no-write-back') {
        const acks = await this.quorum({ type: 'set', ts: best.ts, value: best.value });
        // A read that could not write back changed nothing visible: it simply failed.
        if (acks === undefined) return reply({ type: 'fail', error: 'no quorum for write-back' });
      }
      return reply({ type: 'ok', value: best.value });
    }
    if (op.f === 'write') {
      const ts = { n: best.ts.n + 1, w: this.ctx.id, op: op.id };
      const acks = await this.quorum({ type: 'set', ts, value: op.value });
      // Some replicas may hold the value already: the write may or may not have happened.
      if (acks === undefined) return reply({ type: 'info', error: 'no quorum' });
      return reply({ type: 'ok' });
    }
    reply({ type: 'fail', error: `unknown op ${op.f}` });
  }

  /** Asks every node (itself included); resolves with the first quorum of answers, or undefined. */
  private quorum(req: Request): Promise<Response[] | undefined> {
    const nodes = this.ctx.nodes;
    const needed = this.variant === 'minority-quorum' ? Math.floor(nodes.length / 2) : Math.floor(nodes.length / 2) + 1;
    return new Promise((resolve) => {
      const answers: Response[] = [];
      let settled = 0;
      for (const to of nodes) {
        this.ctx.call<Response>(to, req, CALL_TIMEOUT_MS).then(
          (r) => {
            answers.push(r);
            if (answers.length === needed) resolve(answers.slice());
            if (++settled === nodes.length && answers.length < needed) resolve(undefined);
          },
          () => {
            if (++settled === nodes.length && answers.length < needed) resolve(undefined);
          },
        );
      }
    });
  }
}

function newer(a: Timestamp, b: Timestamp): boolean {
  return a.n > b.n || (a.n === b.n && (a.w > b.w || (a.w === b.w && a.op > b.op)));
}

/** Half reads, half writes of small integers: small values make collisions, and bugs, visible. */
export const registerWorkload: Workload = (rng) =>
  rng() < 0.5 ? { f: 'read', value: null } : { f: 'write', value: Math.floor(rng() * 10) };

export const abd: ProtocolDef = {
  name: 'abd',
  description: 'ABD quorum-replicated read/write register (every node coordinates; majorities; read write-back)',
  variants: {
    correct: { kind: 'correct', description: 'majority quorums, reads write back, replicas sync before acking' },
    'no-write-back': { kind: 'bug', description: 'reads return the freshest value without writing it back (new-old inversion)' },
    'minority-quorum': { kind: 'bug', description: 'quorum size off by one: floor(n/2) instead of floor(n/2)+1' },
    'ack-before-sync': { kind: 'bug', description: 'replicas ack a write before syncing it to disk (lost on crash)' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new AbdNode(ctx, variant as AbdVariant),
  workload: registerWorkload,
  checkers: () => [{ kind: 'linearizable', model: 'register' }],
  // Three replicas make quorums small, so a lost write or a missed write-back shows in few seeds.
  defaults: { nodes: 3 },
  minNodes: 1,
};
