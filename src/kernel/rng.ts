import seedrandom from 'seedrandom';

/** A seeded stream of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * Derives an independent seeded stream for one concern of a run, so that an extra draw in one
 * concern (say, a node's `ctx.random()`) never reshuffles another (the network's decisions).
 *
 * @example
 * const net = stream(42, 'net');
 * const n1 = stream(42, 'node:n1');
 * net(); // same value for seed 42 on every machine, whatever n1 draws
 */
export function stream(seed: number, name: string): Rng {
  // alea: several times faster than seedrandom's default ARC4 and plenty for simulation.
  return seedrandom.alea(`faultline/${seed}/${name}`);
}

/**
 * A uniform integer in [0, bound).
 *
 * @example
 * intBelow(stream(1, 'workload'), 6); // 0..5
 */
export function intBelow(rng: Rng, bound: number): number {
  return Math.floor(rng() * bound);
}

/** Parses a seed given by a person: a non-negative safe integer, or throws a message saying so. */
export function parseSeed(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new Error(`bad seed '${text}': a seed is a non-negative integer, e.g. --seed 42`);
  }
  const seed = Number(text.trim());
  if (!Number.isSafeInteger(seed)) throw new Error(`bad seed '${text}': at most ${Number.MAX_SAFE_INTEGER}`);
  return seed;
}
