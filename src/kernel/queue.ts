/**
 * The simulator's event queue: a binary min-heap ordered by (timeMs, seq). `seq` is a stable
 * sequence number assigned at scheduling, so ties in virtual time break by scheduling order and
 * never by object identity or hash-map order.
 *
 * @example
 * const q = new EventQueue<string>();
 * q.push(5, 'b'); q.push(5, 'c'); q.push(1, 'a');
 * q.pop()!.item; // 'a', then 'b', then 'c'
 */
export interface Scheduled<T> {
  timeMs: number;
  seq: number;
  item: T;
}

/** Sequence numbers of `pushFirst` entries: below every ordinary one, increasing among themselves. */
const FIRST_BASE = -(2 ** 52);

export class EventQueue<T> {
  private heap: Scheduled<T>[] = [];
  private nextSeq = 0;
  private nextFirstSeq = FIRST_BASE;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `item` at `timeMs`, after everything already scheduled for that time; returns its sequence number. */
  push(timeMs: number, item: T): number {
    return this.insert(timeMs, this.nextSeq++, item);
  }

  /**
   * Schedules `item` at `timeMs` before everything scheduled for that time by `push` (and after
   * earlier `pushFirst` items): what a resumed process handles first.
   */
  pushFirst(timeMs: number, item: T): number {
    if (this.nextFirstSeq >= 0) throw new Error('assertion failed: pushFirst sequence space exhausted');
    return this.insert(timeMs, this.nextFirstSeq++, item);
  }

  private insert(timeMs: number, seq: number, item: T): number {
    if (!Number.isFinite(timeMs)) throw new Error(`assertion failed: event scheduled at ${timeMs} ms`);
    const entry: Scheduled<T> = { timeMs, seq, item };
    const heap = this.heap;
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (p.timeMs < timeMs || (p.timeMs === timeMs && p.seq < entry.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
    return entry.seq;
  }

  /** Every scheduled entry in (timeMs, seq) order, without removing them (for end-of-run listings). */
  pending(): Scheduled<T>[] {
    return this.heap.slice().sort(before2);
  }

  peek(): Scheduled<T> | undefined {
    return this.heap[0];
  }

  pop(): Scheduled<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && before(heap[r], heap[l])) c = r;
        if (!before(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before<T>(a: Scheduled<T>, b: Scheduled<T>): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}

function before2<T>(a: Scheduled<T>, b: Scheduled<T>): number {
  return a.timeMs - b.timeMs || a.seq - b.seq;
}
