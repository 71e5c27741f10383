import { describe, expect, it } from 'vitest';
import { checkHistory, combineResults } from '../../checkers/index.ts';
import { checkCounter } from '../../checkers/counter.ts';
import { checkSet, checkSetFull } from '../../checkers/set.ts';
import { checkTotalQueue } from '../../checkers/total-queue.ts';
import { checkUniqueIds } from '../../checkers/unique-ids.ts';
import { HB } from './helpers.ts';

describe('set', () => {
  it('ok when every acknowledged add is read; lost and unexpected otherwise; info adds may be recovered', () => {
    const h = new HB().invoke(0, 'add', 1).ok(0).invoke(1, 'add', 2).info(1).invoke(0, 'add', 3).ok(0);
    expect(checkSet(new HB().invoke(0, 'add', 1).ok(0).ops).verdict).toBe('unknown');
    const ok = h.clone().invoke(0, 'read').ok(0, [3, 1, 2]).ops;
    expect(checkSet(ok)).toMatchObject({ verdict: 'ok', details: { lost: [], recovered: [2] } });
    const lost = h.clone().invoke(0, 'read').ok(0, [3, 9]).ops;
    expect(checkSet(lost)).toMatchObject({ verdict: 'illegal', details: { lost: [1], unexpected: [9] } });
  });
});

describe('set-full', () => {
  it('classifies lost, stale and never-read elements', () => {
    const h = new HB()
      .invoke(0, 'add', 1).ok(0)
      .invoke(0, 'add', 2).ok(0)
      .invoke(1, 'read').ok(1, [1]) // misses 2 (known): stale if a later read has it
      .invoke(1, 'read').ok(1, [2]) // 1 missing from here on: lost
      .invoke(0, 'add', 3).ok(0) // no read after: never read
      .ops;
    const r = checkSetFull(h);
    expect(r.details).toMatchObject({ lost: [1], stale: [2], neverRead: [3], unexpected: [] });
    expect(r.verdict).toBe('illegal');
    const onlyStale = new HB().invoke(0, 'add', 1).ok(0).invoke(1, 'read').ok(1, []).invoke(1, 'read').ok(1, [1]).ops;
    expect(checkSetFull(onlyStale).verdict).toBe('ok');
    expect(checkSetFull(onlyStale, { linearizable: true }).verdict).toBe('illegal');
  });
});

describe('counter', () => {
  it('reads must lie within the bounds of ok and possible adds', () => {
    const h = new HB().invoke(0, 'add', 1).ok(0).invoke(0, 'add', 5).info(0).invoke(1, 'read');
    expect(checkCounter(h.clone().ok(1, 6).ops).verdict).toBe('ok');
    expect(checkCounter(h.clone().ok(1, 1).ops).verdict).toBe('ok');
    const low = checkCounter(h.clone().ok(1, 0).ops);
    expect(low).toMatchObject({ verdict: 'illegal', details: { errors: [{ lower: 1, upper: 6, value: 0 }] } });
    expect(checkCounter(h.clone().ok(1, 7).ops).verdict).toBe('illegal');
  });
});

describe('unique-ids', () => {
  it('flags an id generated twice', () => {
    const h = new HB().invoke(0, 'generate').ok(0, 1).invoke(1, 'generate').ok(1, 2).invoke(0, 'generate').info(0);
    expect(checkUniqueIds(h.clone().ops).verdict).toBe('ok');
    expect(checkUniqueIds(h.clone().invoke(1, 'generate').ok(1, 1).ops)).toMatchObject({ verdict: 'illegal', details: { duplicated: [{ value: 1, count: 2 }] } });
  });
});

describe('total-queue', () => {
  it('finds lost, duplicated and unexpected dequeues; info enqueues may be recovered', () => {
    const h = new HB().invoke(0, 'enqueue', 1).ok(0).invoke(0, 'enqueue', 2).info(0).invoke(1, 'enqueue', 3).ok(1);
    const ok = h.clone().invoke(1, 'dequeue').ok(1, 1).invoke(1, 'drain').ok(1, [3, 2]).ops;
    expect(checkTotalQueue(ok)).toMatchObject({ verdict: 'ok', details: { recovered: [2] } });
    const bad = h.clone().invoke(1, 'dequeue').ok(1, 1).invoke(1, 'dequeue').ok(1, 1).invoke(1, 'dequeue').ok(1, 7).ops;
    expect(checkTotalQueue(bad)).toMatchObject({ verdict: 'illegal', details: { lost: [3], duplicated: [1], unexpected: [7] } });
  });
});

describe('checkHistory + combineResults', () => {
  it('runs many checkers on one history and names every failing one', () => {
    const h = new HB().invoke(0, 'add', 1).ok(0).invoke(1, 'read').ok(1, []).ops;
    const results = checkHistory(h, [{ kind: 'set' }, { kind: 'set-full' }, { kind: 'unique-ids' }, { kind: 'linearizable', model: 'set' }]);
    expect(results.map((r) => [r.checker, r.verdict])).toEqual([
      ['set', 'illegal'],
      ['set-full', 'illegal'],
      ['unique-ids', 'ok'],
      ['linearizable(set)', 'illegal'],
    ]);
    const c = combineResults(results);
    expect(c.verdict).toBe('illegal');
    expect(c.failing).toEqual(['set', 'set-full', 'linearizable(set)']);
    expect(results[3].summary).toMatch(/op #2 read -> #\{\} by process 1 cannot be linearized/);
  });

  it('illegal beats unknown beats ok', () => {
    const r = (verdict: 'ok' | 'illegal' | 'unknown', checker: string) => ({ checker, verdict, summary: '' });
    expect(combineResults([r('ok', 'a'), r('unknown', 'b')])).toMatchObject({ verdict: 'unknown', failing: ['b'] });
    expect(combineResults([r('unknown', 'a'), r('illegal', 'b'), r('ok', 'c')])).toMatchObject({ verdict: 'illegal', failing: ['a', 'b'] });
    expect(combineResults([]).verdict).toBe('ok');
  });

  it('a malformed history is an unknown result naming the record, not a crash', () => {
    const h = new HB().invoke(0, 'write', 1).ops;
    h.push({ index: 1, time: 1, type: 'ok', process: 5, f: 'write', value: 1 });
    const [res] = checkHistory(h, [{ kind: 'linearizable', model: 'register' }]);
    expect(res.verdict).toBe('unknown');
    expect(res.summary).toMatch(/bad history: .*no matching invoke/);
  });
});
