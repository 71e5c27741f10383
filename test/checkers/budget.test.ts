import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readHistory } from '../../checkers/formats/index.ts';
import { checkLinearizability } from '../../checkers/linearizability.ts';
import { getModel } from '../../models/index.ts';
import { HB } from './helpers.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'anchors', 'porcupine');

/** 12 concurrent writes then an impossible read: the search must exhaust every order to say illegal. */
function hard() {
  const b = new HB();
  for (let p = 0; p < 12; p++) b.invoke(p, 'write', p);
  for (let p = 0; p < 12; p++) b.ok(p);
  return b.invoke(0, 'read').ok(0, 99).ops;
}

describe('load-independent verdicts (issue 14 item 2)', () => {
  it('the state budget decides unknown, the same way every time, and says so', () => {
    const a = checkLinearizability(hard(), getModel('register'), { maxStates: 5_000 });
    const b = checkLinearizability(hard(), getModel('register'), { maxStates: 5_000 });
    expect(a.verdict).toBe('unknown');
    expect(a.budget).toBe('states');
    expect(a.summary).toMatch(/search budget of 5000 states ran out/);
    expect([b.verdict, b.budget, b.states]).toEqual([a.verdict, a.budget, a.states]);
    // With the default budget the same history is decided.
    const full = checkLinearizability(hard(), getModel('register'));
    expect(full.verdict).toBe('illegal');
    expect(full.states).toBeGreaterThan(5_000);
  });

  it('a tiny wall limit gives the default-budget verdict or an unknown labelled wall-time', () => {
    const cases: { name: string; history: ReturnType<typeof hard>; model: () => ReturnType<typeof getModel> }[] = [
      { name: 'hard', history: hard(), model: () => getModel('register') },
    ];
    for (const f of ['kv/c10-ok.txt', 'kv/c50-bad.txt', 'etcd/etcd_002.log', 'etcd/etcd_000.log']) {
      if (!existsSync(join(dir, f))) continue;
      const r = readHistory(readFileSync(join(dir, f), 'utf8'));
      cases.push({ name: f, history: r.history, model: () => getModel(r.defaults.model!, { initial: r.defaults.initial }) });
    }
    let wallUnknowns = 0;
    for (const c of cases) {
      const byStates = checkLinearizability(c.history, c.model());
      expect(byStates.verdict, c.name).not.toBe('unknown');
      const again = checkLinearizability(c.history, c.model());
      expect(again.states, c.name).toBe(byStates.states);
      const rushed = checkLinearizability(c.history, c.model(), { timeoutMs: 0.001 });
      if (rushed.verdict === 'unknown') {
        wallUnknowns++;
        expect(rushed.budget, c.name).toBe('wall-time');
        expect(rushed.summary, c.name).toMatch(/wall-time safety net/);
      } else expect(rushed.verdict, c.name).toBe(byStates.verdict);
    }
    // The exhaustive search cannot finish in a microsecond: the safety net really was exercised.
    expect(wallUnknowns).toBeGreaterThan(0);
  });
});
