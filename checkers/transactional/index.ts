/**
 * Transactional isolation checking (Elle-class) for list-append and rw-register histories.
 *
 * @example
 * import { checkTransactional } from 'faultline/checkers';
 * checkTransactional(history, { workload: 'rw-register', consistency: 'snapshot-isolation' }).verdict;
 */
export { checkTransactional, explainAnomalies, type TransactionalOptions, type TransactionalDetails } from './check.ts';
export { ANOMALY_MEANING, type Anomaly, type AnomalyType } from './anomaly.ts';
export { CONSISTENCY_MODELS, consistencyModels } from './consistency.ts';
export { readTxns, type Txn, type MicroOp, type TxnWorkload } from './txns.ts';
export type { CycleStep, EdgeKind } from './graph.ts';
