/**
 * The sweep's progress for people: on a terminal one line rewritten in place (seeds done, seeds/s,
 * failures, ETA); otherwise (CI logs) a plain line every `plainEveryMs`. Written to stderr, so
 * `--json` output on stdout stays clean. Wall-clock figures here inform; they decide nothing.
 *
 * @example
 * const p = new Progress({ total: 1000, tty: process.stderr.isTTY, write: (s) => process.stderr.write(s) });
 * p.update(10, 0);
 * p.end();
 */
export class Progress {
  private readonly t0 = performance.now();
  private lastMs = -Infinity;
  private shown = false;

  constructor(
    private readonly o: {
      /** Seeds planned (Infinity under a time budget alone). */
      total: number;
      timeBudgetMs?: number;
      tty: boolean;
      write(text: string): void;
      /** Between plain lines (default 10 s). */
      plainEveryMs?: number;
    },
  ) {}

  /** Called after every seed; draws at most every 250 ms (terminal) or `plainEveryMs`. */
  update(done: number, failures: number): void {
    const now = performance.now();
    if (now - this.lastMs < (this.o.tty ? 250 : (this.o.plainEveryMs ?? 10_000))) return;
    this.lastMs = now;
    const line = this.line(done, failures, now - this.t0);
    if (this.o.tty) this.o.write(`\r\x1b[K${line}`);
    else this.o.write(`${line}\n`);
    this.shown = true;
  }

  /** Clears the terminal line. */
  end(): void {
    if (this.o.tty && this.shown) this.o.write('\r\x1b[K');
  }

  private line(done: number, failures: number, elapsedMs: number): string {
    const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const of = Number.isFinite(this.o.total) ? `/${this.o.total}` : '';
    const leftBySeeds = Number.isFinite(this.o.total) && rate > 0 ? ((this.o.total - done) / rate) * 1000 : Infinity;
    const leftByTime = this.o.timeBudgetMs !== undefined ? Math.max(0, this.o.timeBudgetMs - elapsedMs) : Infinity;
    const eta = Math.min(leftBySeeds, leftByTime);
    return `  ${done}${of} seeds  ${rate.toFixed(1)} seeds/s  ${failures} failing  ETA ${Number.isFinite(eta) ? formatDuration(eta) : '?'}`;
  }
}

/**
 * A duration for people: `45s`, `3m12s`, `1h04m`.
 *
 * @example
 * formatDuration(192_000); // '3m12s'
 */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
