import { describe, expect, it } from 'vitest';
import { always } from '../../checkers/invariant.ts';
import { eventually, pendingOpsComplete } from '../../checkers/liveness.ts';
import type { History } from '../../src/history/types.ts';

describe('always', () => {
  it('remembers the first violation and stops evaluating after it', () => {
    let calls = 0;
    const inv = always('single-leader', (v: { leaders: number }) => {
      calls++;
      return v.leaders <= 1 || `${v.leaders} leaders`;
    });
    [0, 1, 2, 3, 1].forEach((leaders, i) => inv.observe({ leaders }, { eventIndex: i, timeMs: i * 100 }));
    expect(calls).toBe(3);
    expect(inv.result()).toMatchObject({ checker: 'always(single-leader)', verdict: 'illegal', summary: 'event #2 at 200ms: 2 leaders', details: { eventIndex: 2, timeMs: 200 } });
  });

  it('holds when the predicate returns true or nothing; a throwing predicate is a violation', () => {
    const ok = always('fine', () => undefined);
    ok.observe(null, { eventIndex: 0, timeMs: 0 });
    expect(ok.result()).toMatchObject({ verdict: 'ok', summary: 'held after all 1 events' });
    const boom = always('boom', () => {
      throw new Error('bad view');
    });
    boom.observe(null, { eventIndex: 4, timeMs: 9 });
    expect(boom.result().summary).toBe('event #4 at 9ms: predicate threw: bad view');
  });
});

describe('eventually', () => {
  const feed = (healAt: number | undefined, truths: [number, boolean][]) => {
    const ev = eventually('leader', (v: boolean) => v || 'no leader', { withinMs: 1000 });
    if (healAt !== undefined) ev.markHealed(healAt);
    truths.forEach(([t, v], i) => ev.observe(v, { eventIndex: i, timeMs: t }));
    return ev.result();
  };
  it('ok if the predicate holds within the bound after the heal; before the heal does not count', () => {
    expect(feed(5000, [[100, true], [5500, false], [5900, true], [7000, false]])).toMatchObject({ verdict: 'ok', summary: 'held 900ms after the heal (event #2)' });
    expect(feed(5000, [[100, true], [5500, false], [6500, true]])).toMatchObject({ verdict: 'illegal', summary: 'did not hold within 1000ms of the heal at 5000ms: no leader' });
  });
  it('unknown if never healed or the run ends before the deadline', () => {
    expect(feed(undefined, [[1, true]]).verdict).toBe('unknown');
    expect(feed(5000, [[5100, false]]).verdict).toBe('unknown');
  });
});

describe('pendingOpsComplete', () => {
  const op = (index: number, type: 'invoke' | 'ok' | 'info', process: number, time: number) => ({ index, time, type, process, f: 'put', value: 1 });
  it('names ops that did not complete within the bound after the heal', () => {
    const h: History = [
      op(0, 'invoke', 0, 100), op(1, 'info', 0, 900), // timed out before the heal: fine
      op(2, 'invoke', 1, 800), op(3, 'ok', 1, 1500), // completed within heal+bound: fine
      op(4, 'invoke', 2, 1200), // never completes, history runs on: stuck
      op(5, 'invoke', 3, 2500), op(6, 'info', 3, 2600), // timed out though invoked after heal+bound: stuck
      op(7, 'invoke', 4, 2600), op(8, 'ok', 4, 2700),
    ];
    const r = pendingOpsComplete(h, 1000, 1000);
    expect(r.verdict).toBe('illegal');
    expect((r.details as { stuck: { index: number }[] }).stuck.map((s) => s.index)).toEqual([4, 5]);
    expect(r.summary).toMatch(/^2 op\(s\) did not complete within 1000ms of the heal at 1000ms: #4 put by process 2 \(pending\)/);
    expect(pendingOpsComplete(h.slice(0, 4), 1000, 1000).verdict).toBe('ok');
  });
});
