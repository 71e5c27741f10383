import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abd } from '../protocols/abd/abd.ts';
import { protocols } from '../protocols/index.ts';
import { loadEntry } from '../src/corpus/corpus.ts';
import { explore } from '../src/explore/explore.ts';
import type { SeedReport } from '../src/explore/report.ts';
import { DEFAULT_PCT_DEPTH, pctOptions } from '../src/explore/strategies/pct.ts';
import { optionsFor } from '../src/explore/strategies/index.ts';
import { swarmOptions } from '../src/explore/strategies/swarm.ts';
import { stream } from '../src/kernel/rng.ts';
import { PctSchedule } from '../src/network/pct.ts';
import { runScenario } from '../src/run/run.ts';
import { resolveOptions, type ScenarioOptions } from '../src/run/scenario.ts';
import { shrinkAndSave } from '../src/shrink/counterexample.ts';
import type { TraceEvent } from '../src/sim/trace.ts';
import { badInputProblem, runCli } from './badinput/helpers.ts';

const raft = protocols.find((p) => p.name === 'raft')!;

describe('PctSchedule', () => {
  it('ranks senders by a seeded permutation, and a change point drops the sender that steps past it to the bottom', () => {
    const spreadMs = 8;
    const at0 = (s: PctSchedule) => [0, 1, 2, 3, 4].map((from) => s.extraMs(from, 0, spreadMs));
    const a = new PctSchedule(stream(5, 'pct'), 5, 1, 1000);
    // Five distinct priorities over 0..8 ms: one sender each at 0, 2, 4, 6, 8.
    expect(at0(a).slice().sort((x, y) => x - y)).toEqual([0, 2, 4, 6, 8]);
    expect(at0(new PctSchedule(stream(5, 'pct'), 5, 1, 1000))).toEqual(at0(a));
    const orders = new Set(Array.from({ length: 20 }, (_, seed) => at0(new PctSchedule(stream(seed, 'pct'), 5, 1, 1000)).join(',')));
    expect(orders.size).toBeGreaterThan(10);
    // Depth 2: one change point in [0, 1000); whoever sends first after it becomes the slowest.
    const d2 = new PctSchedule(stream(5, 'pct'), 5, 2, 1000);
    const top = at0(d2).indexOf(0);
    expect(d2.extraMs(top, 1000, spreadMs)).toBe(spreadMs);
    expect([0, 1, 2, 3, 4].filter((f) => f !== top).map((f) => d2.extraMs(f, 1000, spreadMs)).sort((x, y) => x - y)).toEqual([0, 2, 4, 6]);
  });

  it('refuses a depth outside 1..64', () => {
    expect(() => new PctSchedule(stream(0, 'pct'), 3, 0, 100)).toThrow(/PCT depth/);
    expect(() => new PctSchedule(stream(0, 'pct'), 3, 65, 100)).toThrow(/PCT depth/);
  });
});

/** For messages sent at the same instant by two senders, which arrived first: the pairs (earlier, later). */
function sameInstantOrders(trace: TraceEvent[]): Array<[string, string]> {
  const sendOf = new Map<number, TraceEvent>();
  const byInstant = new Map<number, Array<{ from: string; arrivedMs: number }>>();
  for (const e of trace) {
    if (e.kind === 'send' && e.envelope) sendOf.set(e.envelope.msgId, e);
    if (e.kind !== 'deliver' || !e.envelope) continue;
    const sent = sendOf.get(e.envelope.msgId)!;
    const list = byInstant.get(sent.timeMs) ?? [];
    list.push({ from: e.envelope.from, arrivedMs: e.timeMs });
    byInstant.set(sent.timeMs, list);
  }
  const out: Array<[string, string]> = [];
  for (const list of byInstant.values()) {
    for (const x of list) for (const y of list) if (x.from !== y.from && x.arrivedMs < y.arrivedMs) out.push([x.from, y.from]);
  }
  return out;
}

describe('the pct strategy', () => {
  it('is deterministic: the same seed gives the same options and fingerprint, and its tape re-drives it', async () => {
    const base = resolveOptions(raft, { ops: 40 });
    for (const seed of [0, 3]) {
      const options = optionsFor('pct', raft, base, {}, seed);
      expect(options).toEqual({ ...swarmOptions(raft, base, {}, seed), pctDepth: DEFAULT_PCT_DEPTH });
      const a = await runScenario(raft, { options });
      const b = await runScenario(raft, { options });
      expect(b.sim.fingerprint).toBe(a.sim.fingerprint);
      const redriven = await runScenario(raft, { options, ops: a.ops, faults: a.faults, tape: a.sim.tape });
      expect(redriven.sim.fingerprint).toBe(a.sim.fingerprint);
    }
  });

  it('keeps an explicit --pct-depth', () => {
    const base = resolveOptions(raft, { pctDepth: 7 });
    expect(pctOptions(raft, base, { pctDepth: 7 }, 1).pctDepth).toBe(7);
  });

  it('changes the delivery order: one sender order explains every same-instant race, where uniform latencies break it', async () => {
    // No faults, no loss or reordering, depth 1 (no change point): only the schedule differs.
    const plain: ScenarioOptions = resolveOptions(raft, { seed: 4, ops: 30, nemesis: [], dropRate: 0, dupRate: 0, reorderRate: 0 });
    const uniform = await runScenario(raft, { options: plain }, { recordTrace: true });
    const pct = await runScenario(raft, { options: { ...plain, pctDepth: 1 } }, { recordTrace: true });
    expect(pct.sim.fingerprint).not.toBe(uniform.sim.fingerprint);
    const contradictions = (pairs: Array<[string, string]>) => {
      const seen = new Set(pairs.map(([x, y]) => `${x}<${y}`));
      return pairs.filter(([x, y]) => seen.has(`${y}<${x}`)).length;
    };
    const pctPairs = sameInstantOrders(pct.sim.trace);
    const uniformPairs = sameInstantOrders(uniform.sim.trace);
    expect(pctPairs.length).toBeGreaterThan(20);
    expect(uniformPairs.length).toBeGreaterThan(20);
    expect(contradictions(pctPairs)).toBe(0);
    expect(contradictions(uniformPairs)).toBeGreaterThan(0);
  });

  it('a pct failure saved to the corpus records pctDepth and replays from the entry alone, to its fingerprint', async () => {
    const base = resolveOptions(abd, { variant: 'minority-quorum', ops: 60 });
    const failing: SeedReport[] = [];
    await explore({ protocol: 'abd', base, strategy: 'pct', seeds: { from: 0, to: 20, shard: { index: 1, count: 1 } }, workers: 0, seedTimeoutMs: 60_000, checkDeterminism: false, stopOnFail: true, onReport: (r) => void (r.status === 'fail' && failing.push(r)) });
    expect(failing).toHaveLength(1);
    const options = failing[0].options;
    expect(options.pctDepth).toBe(DEFAULT_PCT_DEPTH);
    const dir = mkdtempSync(join(tmpdir(), 'faultline-pct-'));
    const cx = await shrinkAndSave(abd, { options }, { maxRuns: 300, corpusDir: dir, createdBy: 'pct test' });
    const { entry, input } = loadEntry(cx.saved!, protocols);
    expect(entry.options.pctDepth).toBe(DEFAULT_PCT_DEPTH);
    const replayed = await runScenario(abd, input);
    expect(replayed.status).toBe('fail');
    expect(replayed.sim.fingerprint).toBe(entry.fingerprint);
  });

  it.each([['0'], ['65'], ['two']])('--pct-depth %s is one line, exit 2', async (depth) => {
    const r = await runCli(['explore', 'abd', '--strategy', 'pct', '--pct-depth', depth, '--seeds', '0..1', '--workers', '0']);
    expect(badInputProblem(r)).toBeUndefined();
    expect(r.errLines[0]).toMatch(/pct-depth/);
  });
});
