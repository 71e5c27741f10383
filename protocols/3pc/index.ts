/** Three-phase commit with a termination protocol: non-blocking under crash-stop, unsafe under partitions. */
export { threePc, txnWorkload, CRASH_STOP_FAULTS } from './3pc.ts';
export { ThreePcNode, type ThreePcVariant, type TxnState, type ThreePcJournal } from './node.ts';
