/** Anomalies a transactional history can show, and what each one is, in one place. */
import type { CycleStep } from './graph.ts';

/**
 * Cycle anomalies (Adya's, as Elle names them) may carry a `-process` or `-realtime` suffix when
 * the cycle needs a process-order or real-time edge; the rest are read anomalies found without
 * a cycle search.
 */
export type AnomalyType =
  | 'G0'
  | 'G1a'
  | 'G1b'
  | 'G1c'
  | 'G-single'
  | 'G2-item'
  | `${'G0' | 'G1c' | 'G-single' | 'G2-item'}-${'process' | 'realtime'}`
  | 'lost-update'
  | 'internal'
  | 'duplicate-elements'
  | 'incompatible-order'
  | 'garbage-read';

export interface Anomaly {
  type: AnomalyType;
  /** One line a person reads. */
  summary: string;
  /** Txn ids involved (the cycle's, in order, for a cycle). */
  txns: number[];
  /** For cycle anomalies: each edge with why it exists. */
  cycle?: CycleStep[];
}

/** What each anomaly means, for reports and `--help`. */
export const ANOMALY_MEANING: Record<string, string> = {
  G0: 'write cycle: txns overwrite (append after) each other in a cycle (dirty write)',
  G1a: 'aborted read: a committed txn read a value written by a txn that failed',
  G1b: "intermediate read: a txn read a value its writer later overwrote within the same txn",
  G1c: 'circular information flow: a cycle of write-write and write-read dependencies',
  'G-single': 'read skew: a cycle with exactly one read-write anti-dependency',
  'G2-item': 'write skew and kin: a cycle with two or more read-write anti-dependencies',
  'lost-update': 'two committed txns read the same version of a key and both wrote it',
  internal: "a txn's read contradicts its own earlier read or write of the key",
  'duplicate-elements': 'a read of a list holds the same appended element twice',
  'incompatible-order': 'two reads of one list where neither is a prefix of the other',
  'garbage-read': 'a read saw a value no txn ever wrote',
};
