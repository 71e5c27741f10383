import type { Workload } from '../../src/index.ts';

/** The keys the workload touches: few, so ops on one key overlap and a divergence shows. */
export const PBFT_KEYS = ['a', 'b', 'c'] as const;

/**
 * Key-value ops on three keys with one-character values: 40% get, 25% put, 25% append, 10% cas.
 * Appends make each key a record of the writes that reached it, so an op executed twice, skipped
 * or reordered on the replicas that answer shows in later reads.
 */
export const pbftWorkload: Workload = (rng) => {
  const key = PBFT_KEYS[Math.floor(rng() * PBFT_KEYS.length)];
  const r = rng();
  const small = () => String(Math.floor(rng() * 5));
  if (r < 0.4) return { f: 'get', key, value: null };
  if (r < 0.65) return { f: 'put', key, value: small() };
  if (r < 0.9) return { f: 'append', key, value: small() };
  return { f: 'cas', key, value: [small(), small()] };
};
