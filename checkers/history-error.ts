import type { HistoryOp } from '../src/history/types.ts';

/**
 * Bad input in a history: names the file, the 1-based line (when known) and the record, so a
 * person can find it. Callers map it to exit code 2, never to a verdict.
 *
 * @example
 * throw new HistoryError('completion without an invoke', { file: 'h.edn', line: 12, record: op });
 */
export class HistoryError extends Error {
  override name = 'HistoryError';
  readonly file?: string;
  readonly line?: number;
  readonly record?: unknown;
  readonly reason: string;

  constructor(reason: string, where: { file?: string; line?: number; record?: unknown } = {}) {
    const at = [where.file, where.line !== undefined ? `line ${where.line}` : undefined].filter(Boolean).join(':');
    const rec = where.record === undefined ? '' : ` (record: ${briefRecord(where.record)})`;
    super(`${at ? `${at}: ` : ''}${reason}${rec}`);
    this.file = where.file;
    this.line = where.line;
    this.record = where.record;
    this.reason = reason;
  }
}

function briefRecord(r: unknown): string {
  if (typeof r === 'string') return r.length > 120 ? `${r.slice(0, 117)}...` : r;
  try {
    const s = JSON.stringify(r) ?? String(r);
    return s.length > 160 ? `${s.slice(0, 157)}...` : s;
  } catch {
    return String(r);
  }
}

/** Where a history came from: file name and the source line of each record (parallel to the history). */
export interface HistorySource {
  file?: string;
  lines?: number[];
}

/** The HistoryError location of record `i` of a history. @example where(src, 3, op) */
export function where(src: HistorySource | undefined, i: number, record: HistoryOp | unknown): { file?: string; line?: number; record: unknown } {
  return { file: src?.file, line: src?.lines ? src.lines[i] : undefined, record };
}
