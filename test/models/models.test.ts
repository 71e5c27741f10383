import { describe, expect, it } from 'vitest';
import { getModel, modelNames, ModelInputError, type Model } from '../../models/index.ts';
import type { HistoryOp } from '../../src/history/types.ts';

const inv = (f: string, value: unknown = null, extra: Partial<HistoryOp> = {}): HistoryOp => ({ index: 0, time: 0, type: 'invoke', process: 1, f, value, ...extra });
const ok = (value: unknown = null): HistoryOp => ({ index: 1, time: 1, type: 'ok', process: 1, f: '', value });

/** Applies ops (invoke value, completion value) in order; returns the final state or undefined if one was illegal. */
function run(m: Model, ops: [string, unknown, unknown?, Partial<HistoryOp>?][]): unknown {
  let s: unknown = m.init();
  for (const [f, v, out, extra] of ops) {
    const { input, output } = m.fromOp(inv(f, v, extra), ok(out));
    s = m.step(s, input, output);
    if (s === undefined) return undefined;
  }
  return s;
}

describe('model registry', () => {
  it('lists every model and rejects unknown names with the list', () => {
    expect(modelNames).toEqual(['register', 'cas-register', 'kv', 'queue', 'set', 'counter', 'mutex', 'log', 'bag']);
    expect(() => getModel('raft')).toThrow('unknown model "raft" (valid models: register, cas-register, kv, queue, set, counter, mutex, log, bag)');
    expect(() => getModel('__proto__')).toThrow(/unknown model/);
  });
});

describe('sequential specifications', () => {
  it('register and cas-register', () => {
    expect(run(getModel('register'), [['read', null, null], ['write', 3], ['read', null, 3]])).toBe(3);
    expect(run(getModel('register', { initial: 0 }), [['read', null, null]])).toBeUndefined();
    expect(run(getModel('cas-register'), [['write', 1], ['cas', [1, 2]], ['read', null, 2]])).toBe(2);
    expect(run(getModel('cas-register'), [['write', 1], ['cas', [0, 2]]])).toBeUndefined();
    expect(() => getModel('register').fromOp(inv('cas', [1, 2]), ok())).toThrow(ModelInputError);
  });

  it('kv: per-key values, append, cas; missing keys read as the initial value', () => {
    const kv = getModel('kv', { initial: '' });
    const k = (key: string) => ({ key });
    expect(run(kv, [['get', null, '', k('a')], ['append', 'x', null, k('a')], ['append', 'y', null, k('a')], ['get', null, 'xy', k('a')], ['get', null, '', k('b')]])).toBeDefined();
    expect(run(kv, [['put', 'v', null, k('a')], ['get', null, 'v', k('b')]])).toBeUndefined();
    expect(run(kv, [['put', 'v', null, k('a')], ['cas', ['v', 'w'], null, k('a')], ['get', null, 'w', k('a')]])).toBeDefined();
    expect(kv.partition!(kv.fromOp(inv('get', null, k('q')), ok('')).input)).toBe('q');
    expect(() => kv.fromOp(inv('get'), ok())).toThrow(/kv op get has no key/);
  });

  it('kv states are equal and hash equally however they were reached', () => {
    const kv = getModel('kv');
    const a = run(kv, [['put', 1, null, { key: 'x' }], ['put', 2, null, { key: 'y' }]]);
    const b = run(kv, [['put', 2, null, { key: 'y' }], ['put', 9, null, { key: 'x' }], ['put', 1, null, { key: 'x' }]]);
    const c = run(kv, [['put', 5, null, { key: 'z' }], ['put', null, null, { key: 'z' }]]);
    expect(kv.equal(a, b)).toBe(true);
    expect(kv.hash(a)).toBe(kv.hash(b));
    expect(kv.equal(c, kv.init())).toBe(true); // writing the initial value back = absent
    expect(kv.hash(c)).toBe(kv.hash(kv.init()));
  });

  it('queue is FIFO and dequeue of an empty queue returns null', () => {
    const q = getModel('queue');
    expect(run(q, [['enqueue', 1], ['enqueue', 2], ['dequeue', null, 1], ['dequeue', null, 2], ['dequeue', null, null]])).toEqual([]);
    expect(run(q, [['enqueue', 1], ['enqueue', 2], ['dequeue', null, 2]])).toBeUndefined();
  });

  it('set reads must match exactly, in any order', () => {
    const s = getModel('set');
    expect(run(s, [['add', 1], ['add', 'a'], ['add', 1], ['read', null, ['a', 1]]])).toBeDefined();
    expect(run(s, [['add', 1], ['read', null, []]])).toBeUndefined();
    expect(() => s.fromOp(inv('read'), ok(5))).toThrow(/array/);
  });

  it('counter', () => {
    expect(run(getModel('counter'), [['add', 2], ['increment', null], ['read', null, 3]])).toBe(3);
    expect(run(getModel('counter'), [['add', 2], ['read', null, 3]])).toBeUndefined();
  });

  it('mutex: one holder at a time, release by the holder, fencing tokens increase', () => {
    const m = getModel('mutex');
    const p = (process: number) => ({ process });
    expect(run(m, [['acquire', null, 1, p(1)], ['release', null, null, p(1)], ['acquire', null, 2, p(2)]])).toEqual({ holder: 2, token: 2 });
    expect(run(m, [['acquire', null, 1, p(1)], ['acquire', null, 2, p(2)]])).toBeUndefined();
    expect(run(m, [['acquire', null, 1, p(1)], ['release', null, null, p(2)]])).toBeUndefined();
    expect(run(m, [['acquire', null, 5, p(1)], ['release', null, null, p(1)], ['acquire', null, 5, p(2)]])).toBeUndefined();
  });

  it('log: appends in order, offsets must match, reads return the whole log', () => {
    const l = getModel('log');
    expect(run(l, [['append', 'a', 0], ['append', 'b', 1], ['read', null, ['a', 'b']]])).toBeDefined();
    expect(run(l, [['append', 'a', 1]])).toBeUndefined();
    expect(run(l, [['append', 'a'], ['append', 'b'], ['read', null, ['b', 'a']]])).toBeUndefined();
  });

  it('a completion that echoes the invoke value (a plain reply({type: "ok"})) is no result, in every model', () => {
    // The simulator and Jepsen record an ok with no value of its own as the invoke's value.
    const echo = (m: Model, ops: [string, unknown, Partial<HistoryOp>?][], read: [string, unknown, Partial<HistoryOp>?]) =>
      run(m, [...ops.map(([f, v, x]) => [f, v, v, x] as [string, unknown, unknown, Partial<HistoryOp>?]), [read[0], null, read[1], read[2]]]);
    expect(echo(getModel('log'), [['append', 7]], ['read', [7]])).toBeDefined();
    expect(echo(getModel('log'), [['append', 7], ['append', 3]], ['read', [7, 3]])).toBeDefined();
    expect(echo(getModel('register'), [['write', 5]], ['read', 5])).toBeDefined();
    expect(echo(getModel('cas-register'), [['write', 1], ['cas', [1, 2]]], ['read', 2])).toBeDefined();
    expect(echo(getModel('kv', { initial: '' }), [['append', 'x', { key: 'a' }]], ['get', 'x', { key: 'a' }])).toBeDefined();
    expect(echo(getModel('queue'), [['enqueue', 4]], ['dequeue', 4])).toBeDefined();
    expect(echo(getModel('set'), [['add', 4]], ['read', [4]])).toBeDefined();
    expect(echo(getModel('counter'), [['add', 2]], ['read', 2])).toBeDefined();
    // A lock acquired twice with the same (echoed) request value is not a stale fencing token.
    const m = getModel('mutex');
    expect(run(m, [['acquire', 5, 5, { process: 1 }], ['release', null, null, { process: 1 }], ['acquire', 5, 5, { process: 2 }]])).toEqual({ holder: 2, token: null });
    // An explicit offset still counts, as a number or {offset}.
    expect(run(getModel('log'), [['append', 7, 1]])).toBeUndefined();
    expect(run(getModel('log'), [['append', 7, { offset: 0 }], ['read', null, [7]]])).toBeDefined();
    expect(run(getModel('log'), [['append', 7, { offset: 2 }]])).toBeUndefined();
  });

  it('bag (nondeterministic): a take with no result may have taken any element', () => {
    const b = getModel('bag');
    // put 1, put 2, take (plain ok: the echo of its invoke value), read: either element may remain.
    expect(run(b, [['put', 1], ['put', 2], ['take', null, null], ['read', null, [2]]])).toBeDefined();
    expect(run(b, [['put', 1], ['put', 2], ['take', null, null], ['read', null, [1]]])).toBeDefined();
    expect(run(b, [['put', 1], ['put', 2], ['take', null, null], ['read', null, [1, 2]]])).toBeUndefined();
    // A take that names its element is deterministic.
    expect(run(b, [['put', 1], ['put', 2], ['take', null, 1], ['read', null, [1]]])).toBeUndefined();
    expect(run(b, [['take', null, null]])).toBeUndefined();
    const s = run(b, [['put', 1], ['put', 2], ['take', null, null]]);
    expect(b.describeState(s)).toBe('one of {{2} | {1}}');
  });

  it('an op that never returned accepts any result', () => {
    for (const name of ['register', 'queue', 'counter', 'log']) {
      const m = getModel(name);
      const f = { register: 'read', queue: 'dequeue', counter: 'read', log: 'read' }[name]!;
      const { input, output } = m.fromOp(inv(f), undefined);
      expect(output).toBeUndefined();
      expect(m.step(m.init(), input, output)).toBeDefined();
    }
  });

  it('every model describes its ops and states in one line', () => {
    for (const name of modelNames) {
      const m = getModel(name);
      expect(m.describeState(m.init())).not.toMatch(/\n/);
    }
    expect(getModel('cas-register').describeOp({ f: 'cas', from: 1, to: 2 }, true)).toBe('cas 1->2');
  });
});
