import { describe, expect, it } from 'vitest';
import { abd } from '../../protocols/abd/abd.ts';
import { nemesisNames } from '../../src/faults/index.ts';
import { runScenario } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';

describe('determinism', () => {
  it('the same seed gives the same fingerprint, over 100 seeds and every fault kind', async () => {
    const kinds = new Set<string>();
    const fingerprints = new Set<string>();
    for (let seed = 0; seed < 100; seed++) {
      // Spread the nemesis over every kind, a few per seed, so each kind appears in many runs.
      const nemesis = [nemesisNames[seed % nemesisNames.length], nemesisNames[(seed * 7 + 3) % nemesisNames.length]];
      const options = resolveOptions(abd, { seed, ops: 40, nemesis, healAtMs: 600, quietMs: 300, dropRate: 0.05, dupRate: 0.05, reorderRate: 0.05 });
      const a = await runScenario(abd, { options });
      const b = await runScenario(abd, { options });
      expect(b.sim.fingerprint, `seed ${seed}`).toBe(a.sim.fingerprint);
      expect(b.sim.history).toEqual(a.sim.history);
      a.faults.forEach((f) => kinds.add(f.kind));
      fingerprints.add(a.sim.fingerprint);
    }
    expect([...kinds].sort()).toEqual(['clock', 'clog', 'crash', 'dup', 'loss', 'partition', 'pause']);
    // Different seeds take different paths.
    expect(fingerprints.size).toBe(100);
  });

  it('re-driving a run from its recorded tape, ops and faults gives the same fingerprint', async () => {
    for (let seed = 0; seed < 20; seed++) {
      const options = resolveOptions(abd, { seed, ops: 60, dropRate: 0.1, dupRate: 0.1, reorderRate: 0.1 });
      const first = await runScenario(abd, { options });
      const again = await runScenario(abd, { options: { ...options, seed }, ops: first.ops, faults: first.faults, tape: first.sim.tape });
      expect(again.sim.fingerprint, `seed ${seed}`).toBe(first.sim.fingerprint);
      expect(again.sim.tape).toEqual(first.sim.tape);
    }
  });

  it('the trace does not change the path: a traced run has the untraced fingerprint', async () => {
    const options = resolveOptions(abd, { seed: 5 });
    const plain = await runScenario(abd, { options });
    const traced = await runScenario(abd, { options }, { recordTrace: true });
    expect(traced.sim.fingerprint).toBe(plain.sim.fingerprint);
    expect(traced.sim.trace.length).toBeGreaterThan(plain.sim.stats.messagesSent);
  });

  it('a change in one message changes the fingerprint', async () => {
    const options = resolveOptions(abd, { seed: 5, nemesis: [] });
    const a = await runScenario(abd, { options });
    const b = await runScenario(abd, { options, ops: a.ops.map((op, i) => (i === 3 && op.f === 'write' ? { ...op, value: 99 } : i === 3 ? { ...op, f: 'write', value: 99 } : op)) });
    expect(b.sim.fingerprint).not.toBe(a.sim.fingerprint);
  });
});

describe('run length', () => {
  it('every planned op is invoked and completed, even when the ops outlast the fault window', async () => {
    const options = resolveOptions(abd, { seed: 2, ops: 400, thinkMs: 40, healAtMs: 500, quietMs: 100 });
    const r = await runScenario(abd, { options });
    const { ok, fail, info } = r.sim.stats;
    expect(ok + fail + info).toBe(400);
    expect(r.sim.history.filter((h) => h.type === 'invoke')).toHaveLength(400);
    expect(r.sim.stats.virtualMs).toBeGreaterThan(600);
  });
});
