import type { NodeCtx, NodeHandlers, NodeId } from '../../src/node/api.ts';
import type { ProtocolDef } from '../../src/run/protocol.ts';

/** A ball: which one it is (unique in the cluster) and how often it has been hit. */
export interface Ball {
  id: number;
  hits: number;
}

/**
 * The smallest useful protocol, and the one to copy when you start: every node keeps `rallies`
 * balls in play, hitting each ball it receives back to where it came from. Clients read the
 * total number of hits a node has seen. It exists for benchmarks and as a template.
 *
 * The network may duplicate a message; hitting both copies back would double the balls in play
 * at every duplication until the run drowns. So a node hits a ball only if its count is newer than
 * the last it saw of that ball (a duplicate or a stale, reordered copy is ignored).
 *
 * @example
 * const node = createPingPong(ctx); // ctx from the simulator
 * node.onStart(); // serves its first balls
 */
export class PingPongNode implements NodeHandlers<Ball> {
  private hits = 0;
  /** The highest hit count seen per ball id (-1: never seen). */
  private readonly lastSeen: number[] = [];

  constructor(
    private readonly ctx: NodeCtx<Ball>,
    private readonly rallies: number,
  ) {}

  onStart(): void {
    const base = this.ctx.nodes.indexOf(this.ctx.id) * this.rallies;
    for (let i = 0; i < this.rallies; i++) this.ctx.send(this.ctx.peers[i % this.ctx.peers.length], { id: base + i, hits: 0 });
  }

  onMessage(from: NodeId, ball: Ball): void {
    if (ball.hits <= (this.lastSeen[ball.id] ?? -1)) return;
    this.lastSeen[ball.id] = ball.hits;
    this.hits++;
    this.ctx.send(from, { id: ball.id, hits: ball.hits + 1 });
  }

  onClientRequest(_op: unknown, reply: (r: { type: 'ok'; value: number }) => void): void {
    reply({ type: 'ok', value: this.hits });
  }
}

export const pingpong: ProtocolDef = {
  name: 'pingpong',
  description: 'balls bounced between nodes; duplicates ignored by ball id; a benchmark and a template, nothing to check',
  variants: { correct: { kind: 'correct', description: 'hits every new ball back, ignores duplicate copies' } },
  defaultVariant: 'correct',
  create: (ctx) => new PingPongNode(ctx as NodeCtx<Ball>, 1),
  workload: () => ({ f: 'read', value: null }),
  checkers: () => [],
  minNodes: 2,
};
