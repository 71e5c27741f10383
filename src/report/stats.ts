/** Figures a report shows beside the diagram: latency per op kind, message rate over time. */

/** One client op with its invoke and completion paired (completion absent: never returned). */
export interface PairedClientOp {
  /** History index of the invoke record. */
  index: number;
  process: number;
  f: string;
  key?: string;
  node?: string;
  invokeMs: number;
  value: unknown;
  endMs?: number;
  /** History index of the completion record. */
  endIndex?: number;
  type: 'ok' | 'fail' | 'info' | 'pending';
  result?: unknown;
  error?: string;
}

export interface LatencyRow {
  f: string;
  count: number;
  ok: number;
  fail: number;
  info: number;
  pending: number;
  /** Quantiles of ok ops' latency (completion - invoke), ms; null without ok ops. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/**
 * Latency quantiles per op kind (`f`), over ops that completed `ok` (a timeout's latency is the
 * timeout, not the system's). Nearest-rank quantiles, so every figure is a latency that happened.
 *
 * @example
 * latencyByKind(ops).find((r) => r.f === 'read')?.p99; // 14
 */
export function latencyByKind(ops: readonly PairedClientOp[]): LatencyRow[] {
  const byF = new Map<string, { row: LatencyRow; lat: number[] }>();
  for (const op of ops) {
    let g = byF.get(op.f);
    if (!g) byF.set(op.f, (g = { row: { f: op.f, count: 0, ok: 0, fail: 0, info: 0, pending: 0, p50: null, p90: null, p99: null, max: null }, lat: [] }));
    g.row.count++;
    g.row[op.type]++;
    if (op.type === 'ok' && op.endMs !== undefined) g.lat.push(op.endMs - op.invokeMs);
  }
  const rows: LatencyRow[] = [];
  for (const { row, lat } of byF.values()) {
    lat.sort((a, b) => a - b);
    const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)] : null);
    rows.push({ ...row, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: lat.length ? lat[lat.length - 1] : null });
  }
  return rows.sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : 0));
}

/**
 * Counts per equal time bucket over [0, endMs]: `bucketMs` wide, at most `maxBuckets` of them.
 *
 * @example
 * const d = histogram([1, 2, 900], 1000, 10); // { bucketMs: 100, counts: [2, 0, ..., 1] }
 */
export function histogram(timesMs: Iterable<number>, endMs: number, maxBuckets: number): { bucketMs: number; counts: number[] } {
  const bucketMs = Math.max(1, Math.ceil((endMs + 1) / maxBuckets));
  const counts = new Array<number>(Math.max(1, Math.ceil((endMs + 1) / bucketMs))).fill(0);
  for (const t of timesMs) {
    const b = Math.min(counts.length - 1, Math.max(0, Math.floor(t / bucketMs)));
    counts[b]++;
  }
  return { bucketMs, counts };
}
