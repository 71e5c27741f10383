import type { NodeCtx, NodeHandlers, NodeId } from '../../src/node/api.ts';
import type { ProtocolDef } from '../../src/run/protocol.ts';

interface Ball {
  hits: number;
}

/**
 * The smallest useful protocol, and the one to copy when you start: every node keeps `rallies`
 * balls in play, hitting each ball it receives back to where it came from. Clients read the
 * total number of hits a node has seen. It exists for benchmarks and as a template.
 *
 * @example
 * const node = createPingPong(ctx); // ctx from the simulator
 * node.onStart(); // serves its first balls
 */
export class PingPongNode implements NodeHandlers<Ball> {
  private hits = 0;

  constructor(
    private readonly ctx: NodeCtx<Ball>,
    private readonly rallies: number,
  ) {}

  onStart(): void {
    for (let i = 0; i < this.rallies; i++) this.ctx.send(this.ctx.peers[i % this.ctx.peers.length], { hits: 0 });
  }

  onMessage(from: NodeId, ball: Ball): void {
    this.hits++;
    this.ctx.send(from, { hits: ball.hits + 1 });
  }

  onClientRequest(_op: unknown, reply: (r: { type: 'ok'; value: number }) => void): void {
    reply({ type: 'ok', value: this.hits });
  }
}

export const pingpong: ProtocolDef = {
  name: 'pingpong',
  description: 'balls bounced between nodes forever; a benchmark and a template, nothing to check',
  variants: { correct: { kind: 'correct', description: 'hits every ball back' } },
  defaultVariant: 'correct',
  create: (ctx) => new PingPongNode(ctx as NodeCtx<Ball>, 1),
  workload: () => ({ f: 'read', value: null }),
  checkers: () => [],
  minNodes: 2,
};
