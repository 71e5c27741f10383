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

/** The recorded scheduler decisions of a run: values and, in parallel, their kinds. */
export interface ChoiceTape {
  values: number[];
  kinds: ChoiceKind[];
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
  private readonly kinds: ChoiceKind[] = [];
  private readonly replay: ChoiceTape | undefined;

  constructor(
    private readonly rng: Rng,
    replay?: ChoiceTape,
  ) {
    this.replay = replay;
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
      const i = this.values.length;
      v = i < this.replay.values.length ? this.replay.values[i] : 0;
      if (!(v >= 0 && v < bound)) v = 0;
    }
    this.values.push(v);
    this.kinds.push(kind);
    return v;
  }

  get count(): number {
    return this.values.length;
  }

  /** A copy of everything decided so far. */
  tape(): ChoiceTape {
    return { values: this.values.slice(), kinds: this.kinds.slice() };
  }
}
