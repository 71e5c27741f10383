import type { NodeCtx, NodeId } from '../../src/index.ts';
import type { Msg, SagaVariant, Send } from './messages.ts';

/** A saga's durable record: where it is, and how it ended. */
export interface SagaRecord {
  /** Forward: the step being run. Compensating: the steps still to undo, last first. */
  phase: 'forward' | 'compensating' | 'completed' | 'compensated';
  step: number;
  /** Steps whose compensation has not been acknowledged yet. */
  undo: number[];
}

/** Forward requests a step gets (one, then retries) before the orchestrator gives up on it. */
export const MAX_TRIES = 8;

/**
 * The saga orchestrator: runs each order's steps in order (inventory, payment, shipping), each
 * request retried on a timer with the order's idempotency key; a step that is refused, or that
 * stays unanswered after MAX_TRIES tries, fails the saga, and every step up to and including it
 * is compensated (the unanswered one may have run, or may run late), last first, each retried
 * until acknowledged. The saga record is durable and synced before each request goes out, so a
 * restarted orchestrator resumes every unfinished saga.
 */
export class Orchestrator {
  private readonly tries = new Map<number, number>();
  private readonly origins = new Map<number, Set<NodeId>>();

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly services: readonly NodeId[],
    private readonly variant: SagaVariant,
    private readonly send: Send,
    /** Tells a client-facing node the outcome (the orchestrator's own clients included). */
    private readonly tell: (origin: NodeId, order: number, completed: boolean) => void,
  ) {}

  /** Unfinished sagas after a restart: resume them. */
  resume(): void {
    for (const order of this.ctx.storage.get<number[]>('sagas') ?? []) {
      const r = this.record(order)!;
      if (r.phase === 'forward' || r.phase === 'compensating') this.push(order, r);
    }
  }

  onOrder(from: NodeId, order: number): void {
    const r = this.record(order);
    if (r !== undefined && (r.phase === 'completed' || r.phase === 'compensated')) return this.tell(from, order, r.phase === 'completed');
    let o = this.origins.get(order);
    if (o === undefined) this.origins.set(order, (o = new Set()));
    o.add(from);
    if (r !== undefined) return;
    this.ctx.storage.set('sagas', [...(this.ctx.storage.get<number[]>('sagas') ?? []), order]);
    this.save(order, { phase: 'forward', step: 0, undo: [] });
  }

  onDone(order: number, step: number, ok: boolean): void {
    const r = this.record(order);
    if (r === undefined || r.phase !== 'forward' || r.step !== step) return;
    if (!ok) return this.fail(order, r);
    if (step + 1 < this.services.length) return this.save(order, { phase: 'forward', step: step + 1, undo: [] });
    this.finish(order, 'completed');
  }

  onUndone(order: number, step: number): void {
    const r = this.record(order);
    if (r === undefined || r.phase !== 'compensating' || r.undo[0] !== step) return;
    const undo = r.undo.slice(1);
    if (undo.length === 0) return this.finish(order, 'compensated');
    this.save(order, { phase: 'compensating', step: r.step, undo });
  }

  /** Every resend period: each unanswered request again; a step out of tries fails the saga. */
  tick(): void {
    for (const order of [...this.tries.keys()]) {
      const r = this.record(order)!;
      const tries = this.tries.get(order)!;
      // Compensations are retried until acknowledged: a saga must end fully compensated.
      if (r.phase === 'forward' && tries >= MAX_TRIES) this.fail(order, r);
      else this.push(order, r);
    }
  }

  /** The steps to compensate when step `failed` fails: it and every step before it, last first. */
  private fail(order: number, r: SagaRecord): void {
    let undo = Array.from({ length: r.step + 1 }, (_, i) => r.step - i);
    // The planted bug (skip-compensation): only the failing step and the one just before it are
    // undone; earlier steps keep their effect.
    if (this.variant === 'skip-compensation') undo = undo.slice(0, 2);
    this.ctx.log(`order ${order}: step ${r.step} failed, compensating steps ${undo.join(', ')}`);
    this.save(order, { phase: 'compensating', step: r.step, undo });
  }

  private finish(order: number, phase: 'completed' | 'compensated'): void {
    this.tries.delete(order);
    this.ctx.storage.set(`saga:${order}`, { phase, step: 0, undo: [] } satisfies SagaRecord);
    // The finished order is named for readers (the checks re-judge only it).
    this.ctx.storage.set('last', order);
    this.bumpVersion();
    this.ctx.log(`order ${order} ${phase}`);
    for (const o of this.origins.get(order) ?? []) this.tell(o, order, phase === 'completed');
    this.origins.delete(order);
  }

  /** Logs the saga's new position durably, then sends its next request. */
  private save(order: number, r: SagaRecord): void {
    this.ctx.storage.set(`saga:${order}`, r);
    this.bumpVersion();
    this.tries.set(order, 0);
    this.push(order, r);
  }

  private push(order: number, r: SagaRecord): void {
    this.tries.set(order, (this.tries.get(order) ?? 0) + 1);
    if (r.phase === 'forward') this.send(this.services[r.step], { t: 'do', order });
    else if (r.phase === 'compensating') this.send(this.services[r.undo[0]], { t: 'undo', order });
  }

  /** The log's version goes up with every change (readers re-check only then), and is synced. */
  private bumpVersion(): void {
    this.ctx.storage.set('v', (this.ctx.storage.get<number>('v') ?? 0) + 1);
    this.ctx.storage.sync();
  }

  record(order: number): SagaRecord | undefined {
    return this.ctx.storage.get<SagaRecord>(`saga:${order}`);
  }
}
