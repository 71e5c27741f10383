import { describe, expect, it } from 'vitest';
import { allowedElements, counterType, counterValue, crdtCounter, crdtOrSet, orSetElements, orSetType } from '../../protocols/crdt/index.ts';
import type { ClientOp, History } from '../../src/index.ts';
import * as shared from './helpers.ts';

const op = (id: number, f: string, value: unknown): ClientOp => ({ id, process: 0, f, value });

/** The convergence check's count of quiet moments it judged (0 would make a pass vacuous). */
function quietMoments(r: Awaited<ReturnType<typeof shared.runVariant>>, name: string): number {
  const c = r.checks.find((x) => x.checker === `converges(${name})`);
  return (c?.details as { checked?: number } | undefined)?.checked ?? 0;
}

describe('crdt-counter (gossip PN-counter)', () => {
  it('correct passes seeds 0..9 under the full nemesis, and convergence was judged in every seed', async () => {
    for (let seed = 0; seed <= 9; seed++) {
      const r = await shared.runVariant(crdtCounter, 'correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      expect(quietMoments(r, 'crdt-counter'), `seed ${seed}`).toBeGreaterThan(0);
      expect(r.sim.stats.ok).toBeGreaterThan(100);
    }
  });

  it('max-merge is idempotent (duplicated gossip is harmless); sum-merge double counts', () => {
    const good = counterType('correct');
    let s = good.update(good.init(), op(0, 'add', 3), 'n1').state;
    s = good.update(s, op(1, 'add', -1), 'n1').state;
    expect(counterValue(good.merge(s, s))).toBe(2);
    const bad = counterType('sum-merge');
    const b = bad.update(bad.init(), op(0, 'add', 3), 'n1').state;
    expect(counterValue(bad.merge(b, b))).toBe(6);
  });

  it('one-g-counter loses a decrement once a peer saw the higher entry', () => {
    const t = counterType('one-g-counter');
    const a = t.update(t.init(), op(0, 'add', 3), 'n1').state;
    const peer = t.merge(t.init(), a);
    const a2 = t.update(a, op(1, 'add', -2), 'n1').state;
    expect(counterValue(a2)).toBe(1);
    expect(counterValue(t.merge(a2, peer))).toBe(3);
  });

  it('one-g-counter fails convergence at seed 0; sum-merge fails the read check too at seed 0', async () => {
    const g = await shared.firstFailure(crdtCounter, 'one-g-counter', 0, 9);
    expect(g?.seed).toBe(0);
    expect(g?.r.failing).toEqual(['converges(crdt-counter)']);
    const s = await shared.firstFailure(crdtCounter, 'sum-merge', 0, 9);
    expect(s?.seed).toBe(0);
    expect(s?.r.failing).toEqual(['counter-reads', 'converges(crdt-counter)']);
  });
});

describe('crdt-orset (gossip add-wins OR-set)', () => {
  it('correct passes seeds 0..5 under the full nemesis, and convergence was judged in every seed', async () => {
    for (let seed = 0; seed <= 5; seed++) {
      const r = await shared.runVariant(crdtOrSet, 'correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      expect(quietMoments(r, 'crdt-orset'), `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  it('a concurrent add wins over a remove that did not observe it; the bug drops it', () => {
    for (const [variant, expected] of [['correct', [7]], ['remove-drops-unobserved', []]] as const) {
      const t = orSetType(variant);
      let a = t.update(t.init(), op(0, 'add', 7), 'n1').state;
      const b = t.update(t.init(), op(1, 'add', 7), 'n2').state; // never seen by n1
      a = t.update(a, op(2, 'remove', 7), 'n1').state;
      expect(orSetElements(a)).toEqual([]);
      expect(orSetElements(t.merge(b, a)), variant).toEqual(expected);
    }
  });

  it('allowedElements: an unobserved acknowledged add must stay; an uncertain remove leaves it open', () => {
    const h: History = [
      { index: 0, time: 0, type: 'invoke', process: 0, f: 'add', value: 1 },
      { index: 1, time: 1, type: 'ok', process: 0, f: 'add', value: 'n1.0' },
      { index: 2, time: 1, type: 'invoke', process: 1, f: 'add', value: 2 },
      { index: 3, time: 2, type: 'ok', process: 1, f: 'add', value: 'n2.1' },
      { index: 4, time: 2, type: 'invoke', process: 0, f: 'remove', value: 1 },
      { index: 5, time: 3, type: 'ok', process: 0, f: 'remove', value: ['n1.0'] },
      { index: 6, time: 3, type: 'invoke', process: 1, f: 'remove', value: 2 },
      { index: 7, time: 9, type: 'info', process: 1, f: 'remove', value: 2 },
    ];
    const { must, may } = allowedElements(h);
    expect([...must]).toEqual([]);
    expect([...may]).toEqual([2]);
  });

  it('remove-drops-unobserved fails convergence at seed 0', async () => {
    const f = await shared.firstFailure(crdtOrSet, 'remove-drops-unobserved', 0, 9);
    expect(f?.seed).toBe(0);
    expect(f?.r.failing).toEqual(['converges(crdt-orset)']);
  });
});
