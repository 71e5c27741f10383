/**
 * The history format shared by the simulator (which writes it) and the checkers (which read it).
 * Jepsen-compatible: one record per invoke and one per completion.
 *
 * @example
 * const h: HistoryOp[] = [
 *   { index: 0, time: 5, type: 'invoke', process: 0, f: 'write', value: 3, node: 'n1' },
 *   { index: 1, time: 9, type: 'ok', process: 0, f: 'write', value: 3, node: 'n1' },
 * ];
 */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

export interface HistoryOp {
  /** Position in the history, 0-based, dense. */
  index: number;
  /** Virtual time in milliseconds (for imported histories: whatever unit the source used). */
  time: number;
  type: OpType;
  /** Client process id. A process that saw `info` is retired; its client continues as a fresh id. */
  process: number;
  /** Operation name, e.g. `read`, `write`, `cas`, `put`, `get`, `enqueue`. */
  f: string;
  /** Operation argument on invoke; the observed result on `ok` (e.g. a read's value). Plain JSON data. */
  value: unknown;
  /** Node the client addressed, where known. */
  node?: string;
  /** Key for partitioned (independent-key) models; omitted when the model has one key. */
  key?: string;
  /** Free-form reason for `fail` / `info` completions (e.g. `timeout`, `node-down`). */
  error?: string;
}

export type History = HistoryOp[];
