/**
 * One event of a run's trace. The trace is what happened, in order, with virtual times; the run's
 * fingerprint is a stable hash of the same events. Recorded only when asked for (it is large).
 */
export interface TraceEvent {
  /** Position in the trace. */
  i: number;
  /** Virtual time, ms. */
  t: number;
  e: TraceKind;
  node?: string;
  from?: string;
  to?: string;
  /** Message id (links a send to its deliveries and drops). */
  id?: number;
  msg?: unknown;
  /** For drops: why (`loss`, `cut`, `down`). For faults: what. For timers: the name. */
  detail?: string;
  /** Index of the fault in the run's fault plan, for fault events. */
  fault?: number;
  /** Index of the history record, for client events. */
  op?: number;
}

export type TraceKind =
  | 'send'
  | 'deliver'
  | 'drop'
  | 'dup'
  | 'hold'
  | 'timer'
  | 'crash'
  | 'restart'
  | 'pause'
  | 'resume'
  | 'fault'
  | 'heal'
  | 'invoke'
  | 'complete'
  | 'log';
