import type { NodeCtx, NodeId } from '../../src/index.ts';
import { orderOf, type Msg, type SagaVariant, type Send } from './messages.ts';

/** One order's entry in a service's ledger (durable, keyed by the order's idempotency key). */
export type LedgerEntry = 'applied' | 'refused' | 'undone' | 'cancelled';

/** Which service a node runs: the saga's steps, in order. */
export const STEPS = ['inventory', 'payment', 'shipping'] as const;
export type StepName = (typeof STEPS)[number];

/** Starting stock of each item and starting balance of each customer. */
export const INITIAL_STOCK = 40;
export const INITIAL_BALANCE = 500;
export const ITEMS = 3;
export const CUSTOMERS = 4;
/** Share of shipments the carrier refuses (an address it does not serve): the late step that fails. */
const SHIPPING_REFUSAL = 0.15;

/**
 * A step's service: inventory (reserve / release an item), payment (charge / refund a customer;
 * the merchant account holds what was charged) or shipping (ship / cancel). Each request carries
 * the order's idempotency key; the ledger makes `do` and `undo` idempotent, and an `undo` that
 * arrives before its `do` (reordered, or the orchestrator gave up waiting) leaves a tombstone so
 * the late `do` is refused. All state is durable and synced before the reply.
 */
export class ServiceNode {
  constructor(
    private readonly ctx: NodeCtx<Msg>,
    readonly step: StepName,
    private readonly variant: SagaVariant,
    private readonly send: Send,
  ) {}

  onDo(from: NodeId, order: number): void {
    const key = `l:${order}`;
    const entry = this.ctx.storage.get<LedgerEntry>(key);
    // The idempotency key: a retried or duplicated request gets the first answer again.
    if (entry !== undefined && this.variant !== 'no-idempotency-key') return this.send(from, { t: 'done', order, step: this.step, ok: entry === 'applied' });
    if (entry === 'undone' || entry === 'cancelled') return this.send(from, { t: 'done', order, step: this.step, ok: false });
    const ok = this.tryApply(order);
    this.ctx.storage.set(key, ok ? 'applied' : 'refused');
    // How many times the effect was applied: an auditor's count (the checks want at most once).
    if (ok) this.ctx.storage.set(`n:${order}`, (this.ctx.storage.get<number>(`n:${order}`) ?? 0) + 1);
    this.bumpVersion(order);
    this.send(from, { t: 'done', order, step: this.step, ok });
  }

  onUndo(from: NodeId, order: number): void {
    const key = `l:${order}`;
    const entry = this.ctx.storage.get<LedgerEntry>(key);
    if (entry === 'applied') {
      this.reverse(order);
      this.ctx.storage.set(key, 'undone');
      this.bumpVersion(order);
    } else if (entry === undefined && this.variant !== 'compensate-before-step') {
      // The step never ran here (yet): remember the cancellation, so a late `do` is refused.
      this.ctx.storage.set(key, 'cancelled');
      this.bumpVersion(order);
    }
    // The planted bug (compensate-before-step): nothing to undo, nothing remembered.
    this.send(from, { t: 'undone', order, step: this.step });
  }

  /** Each write names the order it touched and bumps a version, so readers look only at what changed. */
  private bumpVersion(order: number): void {
    this.ctx.storage.set('last', order);
    this.ctx.storage.set('v', (this.ctx.storage.get<number>('v') ?? 0) + 1);
    this.ctx.storage.sync();
  }

  /** The step's effect, if it can be had: stock on hand, money in the account, a served address. */
  private tryApply(order: number): boolean {
    const o = orderOf(order);
    const s = this.ctx.storage;
    switch (this.step) {
      case 'inventory': {
        const stock = s.get<number>(`stock:${o.item}`) ?? INITIAL_STOCK;
        if (stock < 1) return false;
        s.set(`stock:${o.item}`, stock - 1);
        return true;
      }
      case 'payment': {
        const balance = s.get<number>(`bal:${o.customer}`) ?? INITIAL_BALANCE;
        if (balance < o.amount) return false;
        s.set(`bal:${o.customer}`, balance - o.amount);
        s.set('merchant', (s.get<number>('merchant') ?? 0) + o.amount);
        return true;
      }
      case 'shipping':
        if (this.ctx.random() < SHIPPING_REFUSAL) return false;
        s.set('shipped', (s.get<number>('shipped') ?? 0) + 1);
        return true;
    }
  }

  private reverse(order: number): void {
    const o = orderOf(order);
    const s = this.ctx.storage;
    switch (this.step) {
      case 'inventory':
        s.set(`stock:${o.item}`, (s.get<number>(`stock:${o.item}`) ?? INITIAL_STOCK) + 1);
        return;
      case 'payment':
        s.set(`bal:${o.customer}`, (s.get<number>(`bal:${o.customer}`) ?? INITIAL_BALANCE) + o.amount);
        s.set('merchant', (s.get<number>('merchant') ?? 0) - o.amount);
        return;
      case 'shipping':
        s.set('shipped', (s.get<number>('shipped') ?? 0) - 1);
        return;
    }
  }
}
