import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maelstromInput, maelstromProtocol } from '../../src/maelstrom/def.ts';
import { loadEntry, makeEntry } from '../../src/maelstrom/entry.ts';
import { jsProgram } from '../../src/maelstrom/jsvm.ts';
import { replayEntry, runMaelstrom } from '../../src/maelstrom/runner.ts';
import { workloadByName } from '../../src/maelstrom/workloads.ts';
import { shrink } from '../../src/shrink/shrink.ts';
import { fixtures, run, smallTest, verdictOf } from './helpers.ts';

/** Per workload: its example node, the checker that judges it, and the faults its bug needs. */
const cases = [
  { workload: 'echo', file: 'echo.js', checker: 'echo' },
  { workload: 'unique-ids', file: 'unique-ids.js', checker: 'unique-ids' },
  { workload: 'broadcast', file: 'broadcast.js', checker: 'broadcast', faults: { nemesis: ['partition-random-halves', 'partition-isolate'], nemesisIntervalS: 0.2 } },
  { workload: 'g-set', file: 'g-set.js', checker: 'g-set' },
  { workload: 'g-counter', file: 'counter.js', checker: 'counter' },
  { workload: 'pn-counter', file: 'counter.js', checker: 'counter' },
  { workload: 'lin-kv', file: 'lin-kv.js', checker: 'linearizable(kv)' },
  { workload: 'kafka', file: 'kafka.js', checker: 'kafka' },
  { workload: 'txn-list-append', file: 'txn.js', checker: 'transactional(list-append, strict-serializable)' },
  { workload: 'txn-rw-register', file: 'txn.js', checker: 'transactional(rw-register, strict-serializable)' },
] as const;

describe('maelstrom in-process: each workload', () => {
  for (const c of cases) {
    const over = 'faults' in c ? { ...c.faults, nemesis: [...c.faults.nemesis] } : {};
    it(`${c.workload}: the correct node passes, the buggy one fails ${c.checker}`, async () => {
      const good = await run(c.workload, c.file, [], over);
      expect(good.result.checks.filter((x) => x.verdict !== 'ok').map((x) => `${x.checker}: ${x.summary}`)).toEqual([]);
      expect(good.result.status).toBe('pass');
      expect(good.result.sim.stats.ok).toBeGreaterThan(20);
      const bad = await run(c.workload, c.file, ['--bug'], over);
      expect(bad.result.status).toBe('fail');
      expect(verdictOf(bad, c.checker)).toBe('illegal');
      expect(verdictOf(bad, 'maelstrom-protocol')).toBe('ok');
    });
  }

  it('the correct broadcast node survives partitions, pauses and crashes of a 5-node tree', async () => {
    const r = await run('broadcast', 'broadcast.js', [], { nodeCount: 5, topology: 'tree4', nemesis: ['partition-random-halves', 'pause'], nemesisIntervalS: 0.2, timeLimitS: 2 });
    expect(r.result.faults.length).toBeGreaterThan(3);
    expect(r.result.status).toBe('pass');
    expect(r.net.serverMsgs).toBeGreaterThan(0);
    expect(r.net.msgsPerOp).toBeGreaterThan(0);
    // Gossip every 50 ms over a tree: values take time to reach every read.
    const stable = (r.result.checks.find((c) => c.checker === 'broadcast')!.details as { stableLatencyMs: Record<string, number> }).stableLatencyMs;
    expect(stable.p50).toBeGreaterThan(0);
    expect(stable.p100).toBeGreaterThanOrEqual(stable.p50);
  });

  it('an async/await node on seq-kv: confirming reads pass; plain reads of seq-kv are stale', async () => {
    for (const seed of [0, 1, 2]) expect((await run('g-counter', 'counter-seqkv.js', [], { seed, nemesis: ['crash'], nemesisIntervalS: 0.3 })).result.status).toBe('pass');
    const stale = await run('g-counter', 'counter-seqkv.js', ['--bug'], { seed: 0 });
    expect(verdictOf(stale, 'counter')).toBe('illegal');
  });

  it('lin-kv through the lin-kv service passes under crashes (state lives in the service)', async () => {
    const r = await run('lin-kv', 'lin-kv.js', [], { nemesis: ['crash'], nemesisIntervalS: 0.2 });
    expect(r.result.faults.some((f) => f.kind === 'crash')).toBe(true);
    expect(r.result.status).toBe('pass');
    expect(r.net.serviceMsgs).toBeGreaterThan(0);
  });
});

describe('maelstrom in-process: determinism', () => {
  it('a JS node run replays to the same fingerprint from its seed; another seed differs', async () => {
    const over = { nemesis: ['partition-random-halves' as const, 'crash' as const, 'pause' as const], nemesisIntervalS: 0.2 };
    const a = await run('broadcast', 'broadcast.js', [], over);
    const b = await run('broadcast', 'broadcast.js', [], over);
    const c = await run('broadcast', 'broadcast.js', [], { ...over, seed: 2 });
    expect(b.result.sim.fingerprint).toBe(a.result.sim.fingerprint);
    expect(b.result.sim.history).toEqual(a.result.sim.history);
    expect(c.result.sim.fingerprint).not.toBe(a.result.sim.fingerprint);
  });

  it('a JS node run replays to the same fingerprint from its entry file (plans and tape)', async () => {
    const over = { nemesis: ['partition-random-halves' as const, 'crash' as const], nemesisIntervalS: 0.2 };
    const test = smallTest('g-set', over);
    const spec = { bin: path.join(fixtures, 'g-set.js'), args: [], mode: 'in-process' as const };
    const first = await runMaelstrom(test, spec);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'faultline-maelstrom-')), 'entry.json');
    writeFileSync(file, JSON.stringify(makeEntry(file, test, spec, first.result)));
    const again = await replayEntry(loadEntry(file));
    expect(again.same).toBe(true);
    expect(again.result.sim.history).toEqual(first.result.sim.history);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), version: 99 }));
    expect(() => loadEntry(file)).toThrow(/version 99/);
  });

  it('an ES module node using Date, Math.random, setTimeout and for-await readline is deterministic', async () => {
    const a = await run('echo', 'echo.mjs');
    const b = await run('echo', 'echo.mjs');
    expect(a.result.status).toBe('pass');
    expect(a.result.sim.stats.ok).toBeGreaterThan(20);
    expect(b.result.sim.fingerprint).toBe(a.result.sim.fingerprint);
    // The random reply delays really vary latency: not every op takes the same time.
    expect(new Set(a.latency.map(([, ms]) => ms)).size).toBeGreaterThan(1);
  });

  it('a node may forward a client request under the client id; another node answers the client', async () => {
    const r = await run('echo', 'forward.js');
    expect(r.result.checks.filter((c) => c.verdict !== 'ok').map((c) => c.summary)).toEqual([]);
    expect(r.net.serverMsgs).toBeGreaterThan(10);
    expect(r.result.sim.stats.ok).toBeGreaterThan(20);
  });

  it('a node reading raw stdin chunks (data events, setEncoding) works in-process', async () => {
    const r = await run('echo', 'echo-data.js');
    expect(r.result.status).toBe('pass');
    expect(r.result.sim.stats.ok).toBeGreaterThan(20);
  });

  it('a failing JS node run shrinks to fewer ops and faults, failing the same checker', async () => {
    const test = smallTest('broadcast', { nemesis: ['partition-random-halves', 'partition-isolate'], nemesisIntervalS: 0.2 });
    const def = maelstromProtocol({ workload: workloadByName('broadcast'), program: jsProgram(path.join(fixtures, 'broadcast.js'), ['--bug']), test });
    const input = maelstromInput(def, test);
    const s = await shrink(def, input, { maxRuns: 300 });
    expect(s.reproduced).toBe(true);
    expect(s.result.failing).toContain('broadcast');
    expect(s.input.ops!.length).toBeLessThan(input.ops!.length);
  });
});

describe('maelstrom in-process: misbehaving nodes are reported, not fatal', () => {
  const problem = async (flag: string) => {
    const r = await run('echo', 'misbehave.js', [flag]);
    const c = r.result.checks.find((x) => x.checker === 'maelstrom-protocol')!;
    return { r, c };
  };

  it('garbage output: node, line and problem named; the run goes on', async () => {
    const { r, c } = await problem('--garbage');
    expect(c.verdict).toBe('illegal');
    expect(c.summary).toMatch(/n\d at \d+ ms: not JSON/);
    expect(c.summary).toContain('hello, I am not JSON');
    expect(r.result.sim.stats.ok).toBeGreaterThan(20);
    expect(r.net.problems).toBe(r.result.sim.stats.ok);
  });

  it('unknown dest and a reply to nothing', async () => {
    expect((await problem('--bad-dest')).c.summary).toMatch(/unknown dest "n99"/);
    expect((await problem('--stray-reply')).c.summary).toMatch(/reply to nothing/);
  });

  it('output without a final newline is reported', async () => {
    expect((await problem('--no-newline')).c.summary).toMatch(/output without a final newline/);
  });

  it('a node that never answers init, and one that exits at start', async () => {
    const silent = await problem('--silent');
    expect(silent.c.summary).toMatch(/never answered init/);
    expect(silent.r.result.sim.stats.ok).toBe(0);
    const exit = await problem('--exit');
    expect(exit.c.summary).toMatch(/program exited: process\.exit\(3\)/);
    expect(exit.r.result.status).toBe('fail');
  });
});
