import type { Workload } from '../../src/workload/workload.ts';

/** The keys the workload touches: few keys, so ops on one key overlap and conflicts show. */
export const RAFT_KEYS = ['a', 'b', 'c'] as const;

/**
 * Key-value ops on three keys with one-character string values: 40% get, 25% put, 25% append,
 * 10% cas. Appends make each key's value a record of the writes that reached it, which makes a
 * lost or reordered write visible to later reads; small puts and cas values make collisions likely.
 */
export const raftWorkload: Workload = (rng) => {
  const key = RAFT_KEYS[Math.floor(rng() * RAFT_KEYS.length)];
  const r = rng();
  const small = () => String(Math.floor(rng() * 5));
  if (r < 0.4) return { f: 'get', key, value: null };
  if (r < 0.65) return { f: 'put', key, value: small() };
  if (r < 0.9) return { f: 'append', key, value: small() };
  // cas from a one-character value: it matches after a put of that value, and fails otherwise.
  return { f: 'cas', key, value: [small(), small()] };
};
