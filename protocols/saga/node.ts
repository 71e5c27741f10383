import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';
import type { Msg, SagaVariant } from './messages.ts';
import { Orchestrator } from './orchestrator.ts';
import { ServiceNode, STEPS } from './service.ts';

/** How often unanswered requests go out again (orchestrator steps, forwarded orders). */
export const RESEND_MS = 60;

/**
 * One saga node. `n1` is the orchestrator; `n2`, `n3`, `n4` run inventory, payment and shipping;
 * any node takes client orders and forwards them to the orchestrator, resending on a timer until
 * the outcome comes back (the client's retry; the order id is the idempotency key end to end).
 */
export class SagaNode implements NodeHandlers<Msg> {
  readonly orchestrator: Orchestrator | undefined;
  readonly service: ServiceNode | undefined;
  private readonly head: NodeId;
  private readonly clients = new Map<number, Array<(r: ClientResult) => void>>();

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    variant: SagaVariant,
  ) {
    this.head = ctx.nodes[0];
    const services = ctx.nodes.slice(1, 1 + STEPS.length);
    const send = (to: NodeId, m: Msg) => ctx.send(to, m);
    const index = ctx.nodes.indexOf(ctx.id);
    if (index === 0) this.orchestrator = new Orchestrator(ctx, services, variant, send, (o, order, completed) => this.tell(o, order, completed));
    else if (index <= STEPS.length) this.service = new ServiceNode(ctx, STEPS[index - 1], variant, send);
  }

  onStart(): void {
    this.ctx.setTimer(RESEND_MS, 'tick');
    this.orchestrator?.resume();
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (op.f !== 'order' || !Number.isSafeInteger(op.value)) return reply({ type: 'fail', error: `expected {f: 'order', value: <integer id>}, got ${op.f}` });
    const order = op.value as number;
    const waiting = this.clients.get(order);
    if (waiting !== undefined) waiting.push(reply);
    else this.clients.set(order, [reply]);
    this.forward(order);
  }

  onMessage(from: NodeId, m: Msg): void {
    switch (m.t) {
      case 'order':
        return this.orchestrator?.onOrder(from, m.order);
      case 'outcome':
        return this.answer(m.order, m.completed);
      case 'do':
        return this.service?.onDo(from, m.order);
      case 'undo':
        return this.service?.onUndo(from, m.order);
      case 'done':
        return this.orchestrator?.onDone(m.order, STEPS.indexOf(m.step as never), m.ok);
      case 'undone':
        return this.orchestrator?.onUndone(m.order, STEPS.indexOf(m.step as never));
    }
  }

  onTimer(name: string): void {
    if (name !== 'tick') return;
    this.ctx.setTimer(RESEND_MS, 'tick');
    this.orchestrator?.tick();
    // The client's retry: an order with no outcome yet is sent again (the orchestrator dedups it).
    for (const order of this.clients.keys()) this.forward(order);
  }

  private forward(order: number): void {
    if (this.orchestrator !== undefined) this.orchestrator.onOrder(this.ctx.id, order);
    else this.ctx.send(this.head, { t: 'order', order });
  }

  private tell(origin: NodeId, order: number, completed: boolean): void {
    if (origin === this.ctx.id) this.answer(order, completed);
    else this.ctx.send(origin, { t: 'outcome', order, completed });
  }

  private answer(order: number, completed: boolean): void {
    for (const reply of this.clients.get(order) ?? []) reply(completed ? { type: 'ok' } : { type: 'fail', error: 'compensated' });
    this.clients.delete(order);
  }
}
