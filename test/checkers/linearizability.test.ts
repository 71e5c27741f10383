import { describe, expect, it } from 'vitest';
import { HistoryError } from '../../checkers/history-error.ts';
import { checkLinearizability } from '../../checkers/linearizability.ts';
import { getModel, type Model } from '../../models/index.ts';
import { HB } from './helpers.ts';

const reg = () => getModel('cas-register');

describe('checkLinearizability', () => {
  it('accepts a sequential history and a concurrent one with a valid order', () => {
    const seq = new HB().invoke(0, 'write', 1).ok(0).invoke(1, 'read').ok(1, 1).ops;
    expect(checkLinearizability(seq, reg()).verdict).toBe('ok');
    // The read overlaps the write: it may see either value.
    const conc = new HB().invoke(0, 'write', 1).invoke(1, 'read').ok(1, null).ok(0).invoke(1, 'read').ok(1, 1).ops;
    expect(checkLinearizability(conc, reg()).verdict).toBe('ok');
  });

  it('rejects a stale read after a completed write, naming the op and the prefix state', () => {
    const h = new HB().invoke(0, 'write', 1).ok(0).invoke(0, 'write', 2).ok(0).invoke(1, 'read').ok(1, 1).ops;
    const r = checkLinearizability(h, reg());
    expect(r.verdict).toBe('illegal');
    const ce = r.counterexamples[0];
    expect(ce.op).toMatchObject({ index: 4, process: 1, f: 'read', description: 'read -> 1' });
    expect(ce.prefixes[0].ops.map((o) => o.index)).toEqual([0, 2]);
    expect(ce.prefixes[0].stateValue).toBe(2);
    expect(r.summary).toBe('op #4 read -> 1 by process 1 cannot be linearized; longest linearizable prefix (2 ops) reaches cas-register state 2');
  });

  it('drops fail ops: a failed write never happened', () => {
    const h = new HB().invoke(0, 'write', 1).fail(0).invoke(1, 'read').ok(1, null).ops;
    expect(checkLinearizability(h, reg()).verdict).toBe('ok');
    const seen = new HB().invoke(0, 'write', 1).fail(0).invoke(1, 'read').ok(1, 1).ops;
    expect(checkLinearizability(seen, reg()).verdict).toBe('illegal');
  });

  it('info ops may take effect at any later time, or never', () => {
    const later = new HB().invoke(0, 'write', 1).info(0).invoke(1, 'read').ok(1, null).invoke(1, 'read').ok(1, 1).ops;
    expect(checkLinearizability(later, reg()).verdict).toBe('ok');
    const never = new HB().invoke(0, 'write', 1).info(0).invoke(1, 'read').ok(1, null).ops;
    expect(checkLinearizability(never, reg()).verdict).toBe('ok');
    // ...but only once: it cannot be undone.
    const flip = new HB().invoke(0, 'write', 1).info(0).invoke(1, 'read').ok(1, 1).invoke(1, 'read').ok(1, null).ops;
    expect(checkLinearizability(flip, reg()).verdict).toBe('illegal');
    // An invoke with no completion at the end of the history counts as info.
    const open = new HB().invoke(0, 'write', 1).invoke(1, 'read').ok(1, 1).ops;
    expect(checkLinearizability(open, reg()).verdict).toBe('ok');
  });

  it('an info cas takes effect only if it matched', () => {
    const h = new HB().invoke(0, 'write', 0).ok(0).invoke(0, 'cas', [5, 6]).info(0).invoke(1, 'read').ok(1, 6).ops;
    expect(checkLinearizability(h, reg()).verdict).toBe('illegal');
    const m = new HB().invoke(0, 'write', 5).ok(0).invoke(0, 'cas', [5, 6]).info(0).invoke(1, 'read').ok(1, 6).ops;
    expect(checkLinearizability(m, reg()).verdict).toBe('ok');
  });

  it('partitions by key and reports the failing key', () => {
    const kv = getModel('kv');
    const h = new HB().invoke(0, 'put', 'x', 'a').ok(0).invoke(1, 'put', 'y', 'b').ok(1).invoke(0, 'get', null, 'b').ok(0, 'x').invoke(1, 'get', null, 'a').ok(1, 'y').ops;
    const r = checkLinearizability(h, kv);
    expect(r.verdict).toBe('illegal');
    expect(r.partitions).toBe(2);
    expect(r.counterexamples[0].partition).toMatch(/^[ab]$/);
    const all = checkLinearizability(h, kv, { allPartitions: true });
    expect(all.counterexamples.map((c) => c.partition).sort()).toEqual(['a', 'b']);
    const whole = checkLinearizability(h, kv, { partition: false });
    expect(whole.verdict).toBe('illegal');
    expect(whole.counterexamples[0].partition).toBeNull();
  });

  it('keeps at most maxPrefixes longest prefixes', () => {
    // Three concurrent writes, then a read of a value never written: many equally long prefixes.
    const h = new HB().invoke(0, 'write', 1).invoke(1, 'write', 2).invoke(2, 'write', 3).ok(0).ok(1).ok(2).invoke(0, 'read').ok(0, 9).ops;
    const r = checkLinearizability(h, reg(), { maxPrefixes: 2 });
    expect(r.verdict).toBe('illegal');
    expect(r.counterexamples[0].prefixes).toHaveLength(2);
    for (const p of r.counterexamples[0].prefixes) expect(p.ops).toHaveLength(3);
  });

  it('rejects malformed histories with a HistoryError naming the record', () => {
    const orphan = new HB().invoke(0, 'write', 1).ok(0).ops;
    orphan.push({ index: 2, time: 2, type: 'ok', process: 7, f: 'read', value: 1 });
    expect(() => checkLinearizability(orphan, reg(), { source: { file: 'h.jsonl', lines: [1, 2, 3] } })).toThrow(/h\.jsonl:line 3: ok completion for process 7 has no matching invoke/);
    const twice = new HB().invoke(0, 'write', 1).invoke(0, 'write', 2).ops;
    expect(() => checkLinearizability(twice, reg())).toThrow(HistoryError);
    const badType = [{ index: 0, time: 0, type: 'begin', process: 0, f: 'read', value: null }] as never;
    expect(() => checkLinearizability(badType, reg())).toThrow(/unknown op type "begin"/);
    const badValue = new HB().invoke(0, 'cas', 3).ok(0).ops;
    expect(() => checkLinearizability(badValue, reg())).toThrow(/cas expects a value \[from, to\], got 3/);
    const badF = new HB().invoke(0, 'frobnicate', 3).ok(0).ops;
    expect(() => checkLinearizability(badF, reg())).toThrow(/unknown op f="frobnicate"/);
  });

  it('works with a user-defined model', () => {
    // A max-register: write raises the value, read returns the max so far.
    const maxReg: Model<number, { f: string; v: number }, number> = {
      name: 'max-register',
      init: () => 0,
      step: (s, i, o) => (i.f === 'write' ? Math.max(s, i.v) : o === undefined || o === s ? s : undefined),
      equal: (a, b) => a === b,
      hash: (s) => s | 0,
      fromOp: (inv, done) => ({ input: { f: inv.f, v: Number(inv.value) }, output: done && inv.f === 'read' ? Number(done.value) : undefined }),
      describeOp: (i, o) => (i.f === 'write' ? `write ${i.v}` : `read -> ${o}`),
      describeState: String,
    };
    const ok = new HB().invoke(0, 'write', 5).ok(0).invoke(0, 'write', 3).ok(0).invoke(1, 'read').ok(1, 5).ops;
    expect(checkLinearizability(ok, maxReg).verdict).toBe('ok');
    const bad = new HB().invoke(0, 'write', 5).ok(0).invoke(0, 'write', 3).ok(0).invoke(1, 'read').ok(1, 3).ops;
    expect(checkLinearizability(bad, maxReg).verdict).toBe('illegal');
  });

  it('returns unknown(wall-time) when the wall-clock safety net runs out', () => {
    // Many concurrent writes and an impossible final read: exponential without a verdict in 1 ms.
    const b = new HB();
    for (let p = 0; p < 18; p++) b.invoke(p, 'write', p);
    for (let p = 0; p < 18; p++) b.ok(p);
    b.invoke(0, 'read').ok(0, 99);
    const r = checkLinearizability(b.ops, getModel('register'), { timeoutMs: 1 });
    expect(r.verdict).toBe('unknown');
    expect(r.budget).toBe('wall-time');
    expect(r.summary).toMatch(/wall-time safety net \(1 ms\)/);
  });
});

describe('log model regression (issue 15 item 4)', () => {
  it('a correct append 7 then read [7], with a plain ok reply, is linearizable', () => {
    const h = [
      { index: 0, time: 0, type: 'invoke' as const, process: 0, f: 'append', value: 7 },
      { index: 1, time: 1, type: 'ok' as const, process: 0, f: 'append', value: 7 },
      { index: 2, time: 2, type: 'invoke' as const, process: 0, f: 'read', value: null },
      { index: 3, time: 3, type: 'ok' as const, process: 0, f: 'read', value: [7] },
    ];
    expect(checkLinearizability(h, getModel('log')).verdict).toBe('ok');
    const bad = h.map((o) => (o.index === 3 ? { ...o, value: [8] } : o));
    expect(checkLinearizability(bad, getModel('log')).verdict).toBe('illegal');
  });
});

describe('nondeterministic models through the powerset construction', () => {
  it('checks a bag whose takes do not say what they took', () => {
    // Two puts, two concurrent takes with plain replies, then a read: legal iff one element is left... or none.
    const base = () => new HB().invoke(0, 'put', 'a').ok(0).invoke(1, 'put', 'b').ok(1).invoke(2, 'put', 'c').ok(2).invoke(0, 'take').invoke(1, 'take').ok(0).ok(1);
    for (const left of [['a'], ['b'], ['c']]) expect(checkLinearizability(base().invoke(2, 'read').ok(2, left).ops, getModel('bag')).verdict).toBe('ok');
    expect(checkLinearizability(base().invoke(2, 'read').ok(2, ['a', 'b']).ops, getModel('bag')).verdict).toBe('illegal');
    expect(checkLinearizability(base().invoke(2, 'read').ok(2, ['d']).ops, getModel('bag')).verdict).toBe('illegal');
    // A take that timed out may or may not have happened.
    const maybe = new HB().invoke(0, 'put', 'a').ok(0).invoke(1, 'take').info(1).invoke(2, 'read').ok(2, ['a']).ops;
    expect(checkLinearizability(maybe, getModel('bag')).verdict).toBe('ok');
  });
});
