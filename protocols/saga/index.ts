/** An order saga over inventory, payment and shipping, with compensations and idempotent retries. */
export { saga, orderWorkload } from './saga.ts';
export { checkOrderOutcomes, sagaObservers } from './checks.ts';
export { SagaNode, RESEND_MS } from './node.ts';
export { Orchestrator, MAX_TRIES, type SagaRecord } from './orchestrator.ts';
export { ServiceNode, STEPS, type LedgerEntry, type StepName } from './service.ts';
export { orderOf, type Msg, type Order, type SagaVariant } from './messages.ts';
