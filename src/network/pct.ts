import { intBelow, type Rng } from '../kernel/rng.ts';

/** Deepest PCT schedule accepted: d - 1 priority change points per run. */
export const MAX_PCT_DEPTH = 64;

/**
 * PCT for message passing (as in PCTCP), on a network with virtual time: each sender is a chain of
 * messages with a priority (a random permutation, drawn from the seed); at d - 1 random instants
 * of the run (priority change points) the next sender to send drops to a priority below every
 * initial one, the i-th change point to priority i. In a timed simulator "deliver the
 * highest-priority pending message first" means: of the messages in flight together, the ones
 * from higher-priority senders arrive sooner. So a message's latency is its sender's rank mapped
 * onto the link's latency range: the top sender's messages take the minimum, the bottom one's the
 * maximum. Latencies stay within the scenario's bounds (the timing model holds; no message is
 * starved past a timeout that the scenario would not also allow), and only their order is chosen.
 *
 * The decisions go into the run's choice tape like any drawn latency, so shrinking and replay
 * from a corpus entry re-drive exactly this schedule.
 *
 * @example
 * const pct = new PctSchedule(stream(7, 'pct'), 3, 3, 2000);
 * pct.extraMs(0, 0, 9); // 0, 4 or 9: n1's rank among the three senders, scaled onto 0..9 ms
 */
export class PctSchedule {
  /** Current priority of each sender (higher runs first); all distinct. */
  private readonly priority: number[];
  /** Change points not yet passed: [atMs, newPriority], sorted by time. */
  private readonly pending: Array<[number, number]>;

  constructor(
    rng: Rng,
    readonly nodeCount: number,
    readonly depth: number,
    horizonMs: number,
  ) {
    if (!(Number.isInteger(depth) && depth >= 1 && depth <= MAX_PCT_DEPTH)) {
      throw new RangeError(`PCT depth must be a whole number from 1 to ${MAX_PCT_DEPTH}, got ${depth}`);
    }
    if (!(Number.isInteger(nodeCount) && nodeCount >= 1)) throw new RangeError(`PCT needs at least one sender, got ${nodeCount}`);
    // Initial priorities depth .. depth + n - 1, shuffled (Fisher-Yates): change points go below them all.
    const p = Array.from({ length: nodeCount }, (_, i) => depth + i);
    for (let i = p.length - 1; i > 0; i--) {
      const j = intBelow(rng, i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    this.priority = p;
    const span = Math.max(1, Math.floor(horizonMs));
    this.pending = Array.from({ length: depth - 1 }, (_, i) => [intBelow(rng, span), i + 1] as [number, number]);
    this.pending.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  }

  /**
   * The extra latency (0..spreadMs) of a message `from` sends at `nowMs`: passes the change points
   * due by then (each lowers `from`, the sender taking this step), then scales `from`'s rank.
   */
  extraMs(from: number, nowMs: number, spreadMs: number): number {
    if (!(from >= 0 && from < this.nodeCount)) throw new Error(`assertion failed: PCT sender ${from} of ${this.nodeCount}`);
    while (this.pending.length > 0 && this.pending[0][0] <= nowMs) this.priority[from] = this.pending.shift()![1];
    if (spreadMs <= 0 || this.nodeCount === 1) return 0;
    const mine = this.priority[from];
    let rank = 0;
    for (const q of this.priority) if (q > mine) rank++;
    return Math.round((rank * spreadMs) / (this.nodeCount - 1));
  }
}
