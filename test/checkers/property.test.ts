import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../../checkers/linearizability.ts';
import { getModel, modelNames } from '../../models/index.ts';
import type { History, HistoryOp } from '../../src/history/types.ts';
import { bruteForceLinearizable } from './brute-force.ts';

/** A random op for a model: invoke value, key, and a random (often wrong) result. */
type OpGen = (pick: (n: number) => number) => { f: string; value: unknown; key?: string; result: unknown };
const one = <T>(pick: (n: number) => number, xs: T[]): T => xs[pick(xs.length)];

const gens: Record<string, OpGen> = {
  register: (p) => (p(2) ? { f: 'write', value: p(3), result: null } : { f: 'read', value: null, result: one(p, [null, 0, 1, 2]) }),
  'cas-register': (p) =>
    [
      () => ({ f: 'write', value: p(3), result: null }),
      () => ({ f: 'read', value: null, result: one(p, [null, 0, 1, 2]) }),
      () => ({ f: 'cas', value: [one(p, [null, 0, 1]), p(3)], result: null }),
    ][p(3)](),
  kv: (p) => {
    const key = one(p, ['a', 'b']);
    return [
      () => ({ f: 'put', key, value: one(p, ['x', 'y']), result: null }),
      () => ({ f: 'append', key, value: 'z', result: null }),
      () => ({ f: 'get', key, value: null, result: one(p, [null, 'x', 'y', 'z', 'xz']) }),
      () => ({ f: 'cas', key, value: [one(p, [null, 'x']), 'y'], result: null }),
    ][p(4)]();
  },
  queue: (p) => (p(2) ? { f: 'enqueue', value: p(3), result: null } : { f: 'dequeue', value: null, result: one(p, [null, 0, 1, 2]) }),
  set: (p) => (p(2) ? { f: 'add', value: p(3), result: null } : { f: 'read', value: null, result: [0, 1, 2].filter(() => p(2) === 1) }),
  counter: (p) => (p(2) ? { f: 'add', value: 1 + p(2), result: null } : { f: 'read', value: null, result: p(5) }),
  mutex: (p) => (p(2) ? { f: 'acquire', value: null, result: one(p, [null, 1, 2, 3]) } : { f: 'release', value: null, result: null }),
  bag: (p) =>
    [
      () => ({ f: 'put', value: p(3), result: null }),
      () => ({ f: 'take', value: null, result: one(p, [null, null, 0, 1]) }),
      () => ({ f: 'read', value: null, result: [0, 1, 2].filter(() => p(2) === 1) }),
    ][p(3)](),
  log: (p) => (p(2) ? { f: 'append', value: one(p, ['a', 'b']), result: one(p, [null, 0, 1]) } : { f: 'read', value: null, result: one(p, [[], ['a'], ['b'], ['a', 'b'], ['b', 'a']]) }),
};

/** Interprets a tape of random numbers as a concurrent history of up to `maxOps` ops on 3 processes. */
function historyFrom(tape: number[], gen: OpGen, maxOps: number): History {
  let t = 0;
  const pick = (n: number) => (tape[t++ % tape.length] + t) % n;
  const h: History = [];
  const pending = new Map<number, { f: string; key?: string; result: unknown }>();
  let nextProcess = 3;
  const idle = [0, 1, 2];
  let invoked = 0;
  const push = (op: Omit<HistoryOp, 'index' | 'time'>) => h.push({ index: h.length, time: h.length, ...op });
  while (invoked < maxOps || pending.size > 0) {
    const canInvoke = invoked < maxOps && idle.length > 0;
    if (canInvoke && (pending.size === 0 || pick(2) === 0)) {
      const process = idle.splice(pick(idle.length), 1)[0];
      const g = gen(pick);
      push({ type: 'invoke', process, f: g.f, value: g.value, ...(g.key !== undefined ? { key: g.key } : {}) });
      pending.set(process, g);
      invoked++;
    } else {
      const procs = [...pending.keys()];
      const process = procs[pick(procs.length)];
      const g = pending.get(process)!;
      pending.delete(process);
      const r = pick(10);
      const type = r < 7 ? 'ok' : r < 9 ? 'info' : 'fail';
      // A history may also end with an op still in flight: leave some pending at the end.
      if (invoked >= maxOps && pick(6) === 0) continue;
      push({ type, process, f: g.f, value: type === 'ok' ? g.result : null, ...(g.key !== undefined ? { key: g.key } : {}) });
      idle.push(type === 'info' ? nextProcess++ : process);
    }
  }
  return h;
}

describe('fast checker agrees with brute force on small random histories', () => {
  for (const name of modelNames) {
    it(name, () => {
      const seen = { ok: 0, illegal: 0 };
      for (const partition of [true, false]) {
        fc.assert(
          fc.property(fc.array(fc.nat({ max: 1 << 20 }), { minLength: 8, maxLength: 40 }), fc.integer({ min: 1, max: 7 }), (tape, n) => {
            const history = historyFrom(tape, gens[name], n);
            const model = getModel(name);
            const expected = bruteForceLinearizable(history, model);
            const got = checkLinearizability(history, model, { partition });
            expect(got.verdict).toBe(expected ? 'ok' : 'illegal');
            seen[got.verdict as 'ok' | 'illegal']++;
            if (got.verdict === 'illegal') expect(got.counterexamples[0].prefixes.length).toBeGreaterThan(0);
          }),
          { numRuns: 250, seed: 42 + name.length },
        );
      }
      // The generator must exercise both verdicts, or agreement says little.
      expect(seen.ok).toBeGreaterThan(20);
      expect(seen.illegal).toBeGreaterThan(20);
    });
  }
});
