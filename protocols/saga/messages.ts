import type { NodeId } from '../../src/index.ts';

export type SagaVariant = 'correct' | 'no-idempotency-key' | 'skip-compensation' | 'compensate-before-step';

/** Messages between entry nodes, the orchestrator (`n1`) and the services (`n2`..`n4`). */
export type Msg =
  | { t: 'order'; order: number }
  | { t: 'outcome'; order: number; completed: boolean }
  | { t: 'do'; order: number }
  | { t: 'done'; order: number; step: string; ok: boolean }
  | { t: 'undo'; order: number }
  | { t: 'undone'; order: number; step: string };

export type Send = (to: NodeId, m: Msg) => void;

/** What an order asks for, derived from its id (so every node agrees without shipping it around). */
export interface Order {
  item: string;
  customer: string;
  amount: number;
}

/**
 * An order's item, customer and amount, from its id.
 *
 * @example
 * orderOf(7); // { item: 'i1', customer: 'c3', amount: 30 }
 */
export function orderOf(order: number): Order {
  return { item: `i${order % 3}`, customer: `c${order % 4}`, amount: 10 + (order % 5) * 10 };
}
