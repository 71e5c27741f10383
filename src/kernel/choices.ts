import type { Rng } from './rng.ts';

/** What a recorded choice decided; the shrinker uses it to know which simplification to try. */
export const ChoiceKind = {
  /** 1 = the message was lost. */
  drop: 0,
  /** 1 = the message was delivered twice. */
  dup: 1,
  /** Extra latency in ms above the link's minimum; 0 = the fastest, FIFO-preserving delivery. */
  latency: 2,
  /** 1 = the message was held back (explicit reordering). */
  reorder: 3,
} as const;
export type ChoiceKind = (typeof ChoiceKind)[keyof typeof ChoiceKind];

/**
 * The recorded scheduler decisions of a run: values and, in parallel, their kinds and causes.
 * A decision's cause is the index (in the run's op plan) of the client op whose handling led to
 * it, or -1 for background work (boot, timers armed outside any op). Replay matches decisions by
 * cause, so deleting one op from the plan removes exactly its decisions and leaves every other
 * op's decisions where they were: the shrinker depends on this.
 */
export interface ChoiceTape {
  values: number[];
  kinds: ChoiceKind[];
  /** Absent: every decision is background (-1), i.e. the tape is read in order. */
  causes?: number[];
}

/**
 * The single source of every scheduler decision in a run. In seed mode it draws from a seeded
 * stream; in tape mode it reads back a recorded tape (after the tape runs out, or where a value
 * no longer fits, it takes 0: the simplest choice, so a shortened tape means "plain delivery from
 * here on"). Either way it records what it decided, so any run can be re-driven from its tape.
 *
 * @example
 * const c = new Choices(stream(7, 'net'));
 * c.flip(ChoiceKind.drop, 0.1); // false most of the time
 * const again = new Choices(stream(0, 'unused'), c.tape()); // replays the same decisions
 */
export class Choices {
  private readonly values: number[] = [];
  /** Kind and cause of each decision packed in one number, `(cause + 1) * 4 + kind`: one push per draw. */
  private readonly meta: number[] = [];
  private readonly replay: ChoiceTape | undefined;
  /** Tape positions of each cause's decisions, in order, and how many of them were read. */
  private readonly byCause = new Map<number, { at: number[]; read: number }>();
  /** The cause of the decisions drawn now; the simulator sets it before each event. */
  cause = -1;

  constructor(
    private readonly rng: Rng,
    replay?: ChoiceTape,
  ) {
    this.replay = replay;
    if (replay !== undefined) {
      for (let i = 0; i < replay.values.length; i++) {
        const cause = replay.causes?.[i] ?? -1;
        let entry = this.byCause.get(cause);
        if (entry === undefined) this.byCause.set(cause, (entry = { at: [], read: 0 }));
        entry.at.push(i);
      }
    }
  }

  /** True with probability `p` (recorded as 1/0). */
  flip(kind: ChoiceKind, p: number): boolean {
    return this.below(kind, 2, p) === 1;
  }

  /** A uniform integer in [0, bound) (or, with `p`, 1 with probability p and else 0). */
  below(kind: ChoiceKind, bound: number, p?: number): number {
    let v: number;
    if (this.replay === undefined) {
      v = p === undefined ? Math.floor(this.rng() * bound) : this.rng() < p ? 1 : 0;
    } else {
      const entry = this.byCause.get(this.cause);
      v = entry !== undefined && entry.read < entry.at.length ? this.replay.values[entry.at[entry.read++]] : 0;
      if (!(v >= 0 && v < bound)) v = 0;
    }
    return this.record(kind, v);
  }

  /**
   * A decision a strategy made (e.g. a PCT latency), recorded like a drawn one. In seed mode it is
   * `chosen` (no random draw); in tape mode it is read back from the tape as `below` does, so a
   * replay or a shrink candidate re-drives the recorded decision.
   */
  decide(kind: ChoiceKind, bound: number, chosen: number): number {
    if (this.replay !== undefined) return this.below(kind, bound);
    if (!(Number.isInteger(chosen) && chosen >= 0 && chosen < bound)) throw new Error(`assertion failed: decided ${chosen} outside [0, ${bound})`);
    return this.record(kind, chosen);
  }

  private record(kind: ChoiceKind, v: number): number {
    this.values.push(v);
    this.meta.push((this.cause + 1) * 4 + kind);
    return v;
  }

  get count(): number {
    return this.values.length;
  }

  /** A copy of everything decided so far. */
  tape(): ChoiceTape {
    return {
      values: this.values.slice(),
      kinds: this.meta.map((m) => (m & 3) as ChoiceKind),
      causes: this.meta.map((m) => (m >> 2) - 1),
    };
  }
}
