import { describe, expect, it } from 'vitest';
import { shardKv, shardKvModel, shardOf, KEYS, SHARDS, initialMap, planMove, applyMove } from '../../protocols/shardkv/index.ts';
import { swarmOptions } from '../../src/explore/strategies/swarm.ts';
import { runScenario, type RunResult } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';
import * as shared from './helpers.ts';

/** A seed as `faultline explore` runs it by default (strategy swarm, no flags). */
function exploreSeed(variant: string, seed: number): Promise<RunResult> {
  return runScenario(shardKv, { options: swarmOptions(shardKv, resolveOptions(shardKv, { variant }), {}, seed) });
}

async function firstExploreFailure(variant: string, from: number, to: number): Promise<{ seed: number; r: RunResult } | undefined> {
  for (let seed = from; seed <= to; seed++) {
    const r = await exploreSeed(variant, seed);
    if (r.status !== 'pass') return { seed, r };
  }
  return undefined;
}

describe('shardkv (consistent hashing, quorum shards, shard moves)', () => {
  it('hashes the workload keys onto every shard, the same way on every call', () => {
    const shards = new Set(KEYS.map((k) => shardOf(k)));
    expect([...shards].sort()).toEqual(Array.from({ length: SHARDS }, (_, i) => i));
    expect(KEYS.map((k) => shardOf(k))).toEqual(KEYS.map((k) => shardOf(k)));
  });

  it('a move swaps one member of the group for an outside node and bumps the versions', () => {
    const nodes = ['n1', 'n2', 'n3', 'n4'];
    const map = initialMap(nodes);
    const move = planMove(map, nodes, () => 0, 0, 7)!;
    expect(move).toEqual({ version: 1, opId: 7, shard: 0, from: ['n1', 'n2', 'n3'], to: ['n4', 'n2', 'n3'] });
    const next = applyMove(map, move);
    expect(next.version).toBe(1);
    expect(next.shards[0]).toEqual({ group: ['n4', 'n2', 'n3'], version: 1 });
    expect(next.shards[1]).toEqual(map.shards[1]);
    expect(() => applyMove(next, move)).toThrow(/assertion failed/);
  });

  it('correct passes seeds 0..3 of the full default nemesis and of swarm draws, linearizable per key and live after the heal', async () => {
    for (let seed = 0; seed <= 3; seed++) {
      for (const r of [await shared.runVariant(shardKv, 'correct', seed), await exploreSeed('correct', seed)]) {
        expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
        expect(r.checks.map((c) => c.checker)).toEqual(['linearizable(kv)', 'eventually(shards-served-after-heal)', 'pending-ops-complete']);
        // Not vacuous: most ops came back ok.
        expect(r.sim.stats.ok, `seed ${seed}`).toBeGreaterThan(100);
      }
    }
  });

  it('shards move during a run: operators\' move ops commit new map versions while clients read and write', async () => {
    const r = await runScenario(shardKv, { options: resolveOptions(shardKv, { seed: 0 }) }, { recordTrace: true });
    const commits = r.sim.trace.filter((e) => e.kind === 'log' && JSON.stringify(e).includes('committed map v'));
    expect(commits.length).toBeGreaterThanOrEqual(5);
    const movesOk = r.sim.history.filter((h) => h.f === 'move' && h.type === 'ok').length;
    expect(movesOk).toBeGreaterThanOrEqual(5);
  });

  it('the model lets a move change no value: a read after a move still sees the write before it', () => {
    const m = shardKvModel();
    const s1 = m.step(m.init(), { f: 'put', key: 'a', value: 1 }, true)!;
    const s2 = m.step(s1, { f: 'move', key: 'a' }, undefined)!;
    expect(m.step(s2, { f: 'get', key: 'a' }, 1)).toBeDefined();
    expect(m.step(s2, { f: 'get', key: 'a' }, null)).toBeUndefined();
  });

  it('non-overlapping-quorums: a one-replica read misses an acknowledged write, first at explore seed 1', async () => {
    const f = await firstExploreFailure('non-overlapping-quorums', 0, 1);
    expect(f?.seed).toBe(1);
    expect(f?.r.failing).toEqual(['linearizable(kv)']);
  });

  it('stale-shard-map: a frozen old group keeps serving a stale coordinator, first in explore seeds 6..9 at 9', async () => {
    const f = await firstExploreFailure('stale-shard-map', 6, 9);
    expect(f?.seed).toBe(9);
    expect(f?.r.failing).toEqual(['linearizable(kv)']);
  });

  it('copy-before-freeze: a write the old group acknowledged after the copy is lost, first in explore seeds 22..25 at 25', async () => {
    const f = await firstExploreFailure('copy-before-freeze', 22, 25);
    expect(f?.seed).toBe(25);
    expect(f?.r.failing).toEqual(['linearizable(kv)']);
  });
});
