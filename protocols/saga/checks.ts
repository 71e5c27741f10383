import { always, eventually, pairOps, type CheckerResult } from '../../checkers/index.ts';
import type { CheckingObserver, History, NodeView, WorldView } from '../../src/index.ts';
import { orderOf, type Order } from './messages.ts';
import type { SagaRecord } from './orchestrator.ts';
import { INITIAL_BALANCE, INITIAL_STOCK, STEPS, type LedgerEntry } from './service.ts';

/**
 * Audits the durable state after every event: the orchestrator's saga log and each service's
 * ledger. Every write names the order it touched (`last`) and bumps a version (`v`), and one event
 * runs one handler, so the audit re-reads only the order that changed and keeps running sums of
 * what the ledgers hold applied. The first violation of each property is kept.
 */
class SagaAudit {
  private readonly versions: number[] = [];
  /** Per service: each order's ledger entry as last read. */
  private readonly ledgers = STEPS.map(() => new Map<number, LedgerEntry>());
  private readonly owed = new Map<string, number>();
  private readonly reserved = new Map<string, number>();
  private merchant = 0;
  atMostOnce: true | string = true;
  balances: true | string = true;
  allOrNothing: true | string = true;

  observe(view: WorldView): void {
    const head = view.nodes[0];
    for (let i = 0; i <= STEPS.length; i++) {
      const node = view.nodes[i];
      const v = node.storage.get<number>('v') ?? 0;
      if (v === (this.versions[i] ?? 0)) continue;
      this.versions[i] = v;
      const order = node.storage.get<number>('last');
      if (order === undefined) continue;
      if (i > 0) this.serviceChanged(i - 1, node, order);
      if (this.allOrNothing === true) this.allOrNothing = this.judgeOrder(view, head, order);
    }
  }

  private serviceChanged(step: number, node: NodeView, order: number): void {
    const n = node.storage.get<number>(`n:${order}`) ?? 0;
    if (n > 1 && this.atMostOnce === true) this.atMostOnce = `${STEPS[step]} applied order ${order} ${n} times`;
    const entry = node.storage.get<LedgerEntry>(`l:${order}`)!;
    const was = this.ledgers[step].get(order);
    this.ledgers[step].set(order, entry);
    const o = orderOf(order);
    const delta = (entry === 'applied' ? 1 : 0) - (was === 'applied' ? 1 : 0);
    if (step === 0) this.reserved.set(o.item, (this.reserved.get(o.item) ?? 0) + delta);
    if (step === 1) {
      this.owed.set(o.customer, (this.owed.get(o.customer) ?? 0) + delta * o.amount);
      this.merchant += delta * o.amount;
    }
    if (this.balances === true) this.balances = this.judgeBalances(step, node, o);
  }

  /**
   * Balances conserved: the customer's balance is the starting one less the charges the payment
   * ledger holds, the merchant holds exactly those, and the item's stock is the starting stock less
   * the reservations the inventory ledger holds.
   */
  private judgeBalances(step: number, node: NodeView, o: Order): true | string {
    if (step === 0) {
      const stock = node.storage.get<number>(`stock:${o.item}`) ?? INITIAL_STOCK;
      const expected = INITIAL_STOCK - (this.reserved.get(o.item) ?? 0);
      return stock === expected || `item ${o.item} has ${stock} in stock, but the reservations on the ledger leave ${expected}`;
    }
    if (step !== 1) return true;
    const balance = node.storage.get<number>(`bal:${o.customer}`) ?? INITIAL_BALANCE;
    const expected = INITIAL_BALANCE - (this.owed.get(o.customer) ?? 0);
    if (balance !== expected) return `customer ${o.customer} has ${balance}, but the charges on the ledger leave ${expected}`;
    const held = node.storage.get<number>('merchant') ?? 0;
    return held === this.merchant || `the merchant holds ${held}, but the charges on the ledger sum to ${this.merchant}`;
  }

  /** A finished saga is all-or-nothing: completed means every step applied, compensated means none. */
  private judgeOrder(view: WorldView, head: NodeView, order: number): true | string {
    const r = head.storage.get<SagaRecord>(`saga:${order}`);
    if (r === undefined || (r.phase !== 'completed' && r.phase !== 'compensated')) return true;
    for (let i = 0; i < STEPS.length; i++) {
      const entry = view.nodes[i + 1].storage.get<LedgerEntry>(`l:${order}`);
      if (r.phase === 'completed' && entry !== 'applied') return `order ${order} completed, but ${STEPS[i]} shows ${entry ?? 'nothing'}`;
      if (r.phase === 'compensated' && entry === 'applied') return `order ${order} was compensated, but ${STEPS[i]} still has it applied`;
    }
    return true;
  }
}

/** After the heal, every saga begun by then ends completed or compensated within `withinMs`. */
function sagasSettle(withinMs: number): CheckingObserver {
  let waiting: number[] | undefined;
  let version = -1;
  const finished = (head: NodeView, order: number) => {
    const phase = head.storage.get<SagaRecord>(`saga:${order}`)?.phase;
    return phase === 'completed' || phase === 'compensated';
  };
  const e = eventually<WorldView>(
    'sagas-settle',
    (view) => {
      const head = view.nodes[0];
      const v = head.storage.get<number>('v') ?? 0;
      if (waiting === undefined || v !== version) {
        waiting = (waiting ?? head.storage.get<number[]>('sagas') ?? []).filter((o) => !finished(head, o));
        version = v;
      }
      if (waiting.length === 0) return true;
      return `${waiting.length} saga(s) unfinished, e.g. order ${waiting[0]} (${head.storage.get<SagaRecord>(`saga:${waiting[0]}`)?.phase ?? 'not logged'})`;
    },
    { withinMs },
  );
  return { observe: (v, at) => e.observe(v, at), markHealed: (t) => e.markHealed(t), result: () => e.result() };
}

/**
 * The saga observers: at most once, balances, all-or-nothing (after every event), settling (after the heal).
 *
 * @example
 * observers: (_variant, scenario) => sagaObservers(scenario.quietMs - 500),
 */
export function sagaObservers(settleWithinMs: number): CheckingObserver[] {
  const audit = new SagaAudit();
  const atMostOnce = always<WorldView>('step-applied-at-most-once', () => audit.atMostOnce);
  const balances = always<WorldView>('balances-conserved', () => audit.balances);
  const allOrNothing = always<WorldView>('saga-all-or-nothing', () => audit.allOrNothing);
  return [
    {
      // The audit runs once per event, here; the other two observers read what it found.
      observe: (v, at) => {
        audit.observe(v);
        atMostOnce.observe(v, at);
        balances.observe(v, at);
        allOrNothing.observe(v, at);
      },
      result: () => atMostOnce.result(),
    },
    { observe: () => undefined, result: () => balances.result() },
    { observe: () => undefined, result: () => allOrNothing.result() },
    sagasSettle(settleWithinMs),
  ];
}

/**
 * On the history: an order retried by a client gets one outcome, whichever node it asked.
 *
 * @example
 * checkers: () => [{ kind: 'custom', name: 'order-outcomes-agree', check: checkOrderOutcomes }],
 */
export function checkOrderOutcomes(history: History): CheckerResult {
  const checker = 'order-outcomes-agree';
  const outcome = new Map<number, { ok: boolean; index: number }>();
  let answered = 0;
  for (const p of pairOps(history)) {
    // A fail for another reason (the node was down: the order never arrived) is no outcome.
    const compensated = p.outcome === 'fail' && p.completion!.error === 'compensated';
    if (p.invoke.f !== 'order' || (p.outcome !== 'ok' && !compensated)) continue;
    answered++;
    const order = p.invoke.value as number;
    const ok = p.outcome === 'ok';
    const prev = outcome.get(order);
    if (prev !== undefined && prev.ok !== ok) {
      return { checker, verdict: 'illegal', summary: `order ${order} was answered ${prev.ok ? 'completed' : 'compensated'} (#${prev.index}) and ${ok ? 'completed' : 'compensated'} (#${p.completion!.index})` };
    }
    outcome.set(order, { ok, index: p.completion!.index });
  }
  return { checker, verdict: 'ok', summary: `${answered} answered orders, ${outcome.size} distinct, each with one outcome` };
}
