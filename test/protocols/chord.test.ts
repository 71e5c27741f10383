import { describe, expect, it } from 'vitest';
import { between, betweenRight, chord, nextHop, ringId } from '../../protocols/chord/index.ts';
import { swarmOptions } from '../../src/explore/strategies/swarm.ts';
import type { Fault } from '../../src/faults/index.ts';
import { churnBoundsOf } from '../../src/run/protocol.ts';
import { runScenario, type RunResult } from '../../src/run/run.ts';
import { faultsFor, resolveOptions } from '../../src/run/scenario.ts';

/** One seed as `faultline explore chord` runs it (the default swarm strategy). */
function swarmRun(variant: string, seed: number): Promise<RunResult> {
  const options = swarmOptions(chord, resolveOptions(chord, { variant }), {}, seed);
  return runScenario(chord, { options });
}

async function firstSwarmFailure(variant: string, from: number, to: number): Promise<{ seed: number; r: RunResult } | undefined> {
  for (let seed = from; seed <= to; seed++) {
    const r = await swarmRun(variant, seed);
    if (r.status !== 'pass') return { seed, r };
  }
  return undefined;
}

describe('chord ring arithmetic', () => {
  it('arcs wrap around the circle and a lookup step stops at the successor or hands on to the closest preceding node', () => {
    expect(between(5, 10, 3)).toBe(false);
    expect(between(12, 10, 3)).toBe(true);
    expect(between(1, 10, 3)).toBe(true);
    expect(between(7, 7, 7)).toBe(false);
    expect(between(8, 7, 7)).toBe(true);
    expect(betweenRight(3, 10, 3)).toBe(true);
    expect(nextHop('a', 10, 'b', 20, [['c', 30]], 15)).toEqual({ done: 'b' });
    expect(nextHop('a', 10, 'b', 20, [['b', 20], ['c', 30], ['d', 50]], 40)).toEqual({ next: 'c' });
    expect(nextHop('a', 10, 'a', 10, [], 40)).toEqual({ done: 'a' });
    const ids = Array.from({ length: 10 }, (_, i) => ringId(`n${i + 1}`));
    expect(new Set(ids).size).toBe(10);
  });
});

describe('chord (successor lists, stabilisation, fingers, key transfer) under churn', () => {
  it('correct passes swarm seeds 0..4 (crash-stop and graceful churn among them) with every check, and the checks are not vacuous', async () => {
    const leaves = new Set<string>();
    for (let seed = 1; seed <= 4; seed++) {
      const o = swarmOptions(chord, resolveOptions(chord, {}), {}, seed);
      for (const f of faultsFor(o, undefined, churnBoundsOf(chord))) if (f.kind === 'churn') leaves.add(f.leave);
    }
    expect([...leaves].sort()).toEqual(['crash', 'graceful']);
    for (let seed = 0; seed <= 4; seed++) {
      const r = await swarmRun('correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      expect(r.checks.map((c) => c.checker)).toEqual(['eventually(ring-settled)', 'acknowledged-puts-kept', 'gets-after-heal-see-acknowledged-puts', 'acknowledged-puts-on-two-disks']);
      expect(r.sim.stats.ok, `seed ${seed}`).toBeGreaterThan(50);
    }
  });

  it('a graceful leave hands its keys to its successor, and the fresh node that comes back takes its range again', async () => {
    const faults: Fault[] = [{ kind: 'churn', atMs: 700, durationMs: 500, node: 'n3', leave: 'graceful', graceMs: 300 }];
    const options = resolveOptions(chord, { nodes: 5, ops: 120, seed: 3, healAtMs: 2000 });
    const r = await runScenario(chord, { options, faults }, { recordTrace: true });
    expect({ status: r.status, failing: r.failing }).toEqual({ status: 'pass', failing: [] });
    const handoff = r.sim.trace.find((e) => e.kind === 'send' && e.node === 'n3' && (e.body as { t?: string } | undefined)?.t === 'handoff');
    expect(handoff?.timeMs).toBe(700);
    expect(r.sim.trace.some((e) => e.kind === 'crash' && e.node === 'n3' && e.timeMs === 1000)).toBe(true);
    expect(r.sim.trace.some((e) => e.kind === 'restart' && e.node === 'n3' && e.timeMs === 1200)).toBe(true);
  });

  it('a crash-stop leaves the keys with the replicas, and no acknowledged put is lost', async () => {
    const faults: Fault[] = [{ kind: 'churn', atMs: 700, durationMs: 300, node: 'n2', leave: 'crash' }];
    const options = resolveOptions(chord, { nodes: 5, ops: 120, seed: 4, healAtMs: 2000 });
    const r = await runScenario(chord, { options, faults });
    expect({ status: r.status, failing: r.failing }).toEqual({ status: 'pass', failing: [] });
    expect(r.sim.stats.ok).toBeGreaterThan(30);
  });

  it('early-transfer: keys taken before the successor hands over leave an owner without the newest put, first in swarm seeds 91..93 at 93', async () => {
    const f = await firstSwarmFailure('early-transfer', 91, 93);
    expect(f?.seed).toBe(93);
    expect(f?.r.failing).toContain('eventually(ring-settled)');
  });

  it('no-successor-list: one failure cuts a node off the ring and it acknowledges a put on its own disk alone, first in swarm seeds 25..27 at 27', async () => {
    const f = await firstSwarmFailure('no-successor-list', 25, 27);
    expect(f?.seed).toBe(27);
    expect(f?.r.failing).toContain('acknowledged-puts-on-two-disks');
  });

  it('stale-fingers: in a ring larger than the fingers and successor list of a node cover, a lookup answered from them ends at the wrong node, first in swarm seeds 0..1 at 0', async () => {
    const f = await firstSwarmFailure('stale-fingers', 0, 1);
    expect(f?.seed).toBe(0);
    expect(f?.r.failing).toContain('eventually(ring-settled)');
  });
});
