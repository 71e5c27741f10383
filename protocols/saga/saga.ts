import { defineProtocol, type NodeCtx, type Workload } from '../../src/index.ts';
import { checkOrderOutcomes, sagaObservers } from './checks.ts';
import type { Msg } from './messages.ts';
import { SagaNode } from './node.ts';

/**
 * New orders, and now and then a client retrying an earlier order (same id: the idempotency key
 * from the client to the services).
 */
export const orderWorkload: Workload = (rng, info) => ({ f: 'order', value: info.opIndex > 0 && rng() < 0.2 ? Math.floor(rng() * info.opIndex) : info.opIndex });

export const saga = defineProtocol({
  name: 'saga',
  description: 'an order saga (inventory, payment, shipping) run by an orchestrator on n1, with compensations; requests retried on timeouts under idempotency keys',
  variants: {
    correct: {
      kind: 'correct',
      description: 'services dedup by idempotency key; a failed or unanswered step compensates it and every step before it; a compensation that arrives first leaves a tombstone',
    },
    'no-idempotency-key': { kind: 'bug', description: 'services apply every request they get: a retried or duplicated charge charges twice' },
    'skip-compensation': { kind: 'bug', description: 'when a step fails, only it and the step just before it are compensated: a shipping refusal leaves the item reserved' },
    'compensate-before-step': {
      kind: 'bug',
      description: 'a compensation that arrives before its step (reordered, or the orchestrator gave up waiting) is a no-op, and the late step then applies',
    },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new SagaNode(ctx as NodeCtx<Msg>, variant),
  workload: orderWorkload,
  checkers: () => [{ kind: 'custom', name: 'order-outcomes-agree', check: checkOrderOutcomes }],
  observers: (_variant, scenario) => sagaObservers(scenario.quietMs - 500),
  liveness: { opsCompleteWithinMs: 2500 },
  defaults: { quietMs: 3000, opTimeoutMs: 2500 },
  minNodes: 4,
});
