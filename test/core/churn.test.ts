import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { churnPlanProblem, describeFault, faultKinds, generateFaults, keepWithinChurnBounds, nemesisNames, nemesisTable, validateFaultPlan, type ChurnBounds, type Fault } from '../../src/faults/index.ts';
import { stream } from '../../src/kernel/rng.ts';
import type { NodeCtx, NodeHandlers } from '../../src/node/api.ts';
import { swarmOptions } from '../../src/explore/strategies/swarm.ts';
import { resolveOptions, ScenarioError } from '../../src/run/scenario.ts';
import { faultsArb } from '../../src/testing/fastcheck.ts';
import { raft } from '../../protocols/raft/index.ts';
import { readFileSync } from 'node:fs';
import { protocols } from '../../protocols/index.ts';
import { parseEntry } from '../../src/corpus/corpus.ts';
import { churnBoundsOf } from '../../src/run/protocol.ts';
import { lineOf } from '../../src/report/story-lines.ts';
import { simulate } from './helpers.ts';

const bounds: ChurnBounds = { maxAway: 1, settleMs: 300, graceMs: 50 };

/** Counts its boots on disk, and on a leave notice sends one goodbye to every peer. */
class Counter implements NodeHandlers {
  leaveNotices: number[] = [];
  goodbyes: string[] = [];
  bootsOnDisk: number;
  constructor(readonly ctx: NodeCtx) {
    this.bootsOnDisk = (ctx.storage.get<number>('boots') ?? 0) + 1;
    ctx.storage.set('boots', this.bootsOnDisk);
    ctx.storage.sync();
  }
  onLeave(graceMs: number) {
    this.leaveNotices.push(graceMs);
    this.ctx.broadcast('bye');
  }
  onMessage(from: string, msg: unknown) {
    if (msg === 'bye') this.goodbyes.push(from);
  }
}

function counters() {
  const all: Counter[] = [];
  const create = (ctx: NodeCtx) => {
    const c = new Counter(ctx);
    all.push(c);
    return c;
  };
  return { all, of: (id: string) => all.filter((c) => c.ctx.id === id), create };
}

describe('churn in the simulator', () => {
  it('crash-stop: the node is removed with its disk, and a fresh node with an empty disk starts when the fault ends', async () => {
    const { of, create } = counters();
    const r = await simulate(create, { churn: bounds, faults: [{ kind: 'churn', atMs: 100, durationMs: 200, node: 'n2', leave: 'crash' }] });
    expect(r.outcome).toBe('completed');
    expect(of('n2').map((c) => c.bootsOnDisk)).toEqual([1, 1]);
    expect(of('n2').flatMap((c) => c.leaveNotices)).toEqual([]);
    const leave = r.trace.find((e) => e.kind === 'crash' && e.node === 'n2');
    expect(leave?.timeMs).toBe(100);
    expect(leave?.detail).toBe('crash-stop, disk wiped');
    expect(r.trace.find((e) => e.kind === 'restart' && e.node === 'n2')?.timeMs).toBe(300);
  });

  it('graceful: the node hears onLeave(graceMs) and runs through its grace, then leaves with its disk; a plain crash keeps the disk', async () => {
    const { of, create } = counters();
    const r = await simulate(create, {
      churn: bounds,
      faults: [
        { kind: 'churn', atMs: 100, durationMs: 200, node: 'n2', leave: 'graceful', graceMs: 50 },
        { kind: 'crash', atMs: 100, durationMs: 50, node: 'n3' },
      ],
    });
    expect(r.outcome).toBe('completed');
    expect(of('n2')[0].leaveNotices).toEqual([50]);
    expect(of('n1')[0].goodbyes).toEqual(['n2']);
    expect(r.trace.find((e) => e.kind === 'crash' && e.node === 'n2')?.timeMs).toBe(150);
    expect(of('n2').map((c) => c.bootsOnDisk)).toEqual([1, 1]);
    expect(of('n3').map((c) => c.bootsOnDisk)).toEqual([1, 2]);
    // Both see an empty disk at a first boot and at a fresh join: ctx.start tells them apart.
    expect(of('n2').map((c) => c.ctx.start)).toEqual(['boot', 'join']);
    expect(of('n3').map((c) => c.ctx.start)).toEqual(['boot', 'restart']);
    expect(of('n1').map((c) => c.ctx.start)).toEqual(['boot']);
  });

  it('the story says a churned node leaves and a fresh one starts (not a crash and a restart)', async () => {
    const faults: Fault[] = [{ kind: 'churn', atMs: 100, durationMs: 200, node: 'n2', leave: 'crash' }];
    const r = await simulate(counters().create, { churn: bounds, faults });
    const ctx = { trace: r.trace, faults, opNumber: new Map<number, number>(), delivered: new Set<number>() };
    const lines = r.trace.filter((e) => e.node === 'n2' || e.kind === 'fault' || e.kind === 'heal').map((e) => lineOf(e, ctx)?.text).filter((t) => t !== undefined);
    expect(lines).toEqual([
      'FAULT: n2 leaves (crash-stop, disk lost); a fresh n2 joins after 200 ms',
      'n2 LEAVES for good (crash-stop, disk wiped)',
      'a fresh n2 starts (empty disk) and must join',
      'HEAL: final heal: every fault ends',
    ]);
  });

  it('a fault shorter than its grace removes the node when it ends, and the fresh node still starts', async () => {
    const { of, create } = counters();
    const r = await simulate(create, { churn: bounds, faults: [{ kind: 'churn', atMs: 100, durationMs: 10, node: 'n1', leave: 'graceful', graceMs: 50 }] });
    expect(r.trace.filter((e) => e.kind === 'crash').map((e) => [e.timeMs, e.detail])).toEqual([[110, 'grace cut short, disk wiped']]);
    expect(of('n1').map((c) => c.bootsOnDisk)).toEqual([1, 1]);
  });

  it('a run with churn is the same run for the same seed (fingerprint)', async () => {
    const faults: Fault[] = [
      { kind: 'churn', atMs: 50, durationMs: 100, node: 'n1', leave: 'graceful', graceMs: 30 },
      { kind: 'churn', atMs: 500, durationMs: 100, node: 'n3', leave: 'crash' },
    ];
    const a = await simulate(counters().create, { churn: bounds, faults, net: { dropRate: 0.1 } });
    const b = await simulate(counters().create, { churn: bounds, faults, net: { dropRate: 0.1 } });
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it('a plan with churn is refused without the opt-in, or beyond the bounds', () => {
    const faults: Fault[] = [{ kind: 'churn', atMs: 0, durationMs: 10, node: 'n1', leave: 'crash' }];
    expect(() => simulate(counters().create, { faults })).toThrow("churn faults need a protocol that opts in with 'churn' on defineProtocol");
    const twoAway: Fault[] = [...faults, { kind: 'churn', atMs: 5, durationMs: 10, node: 'n2', leave: 'crash' }];
    expect(() => simulate(counters().create, { churn: bounds, faults: twoAway })).toThrow(/more than maxAway = 1/);
  });
});

describe('churn faults as data', () => {
  const nodes = new Set(['n1', 'n2', 'n3']);
  it('bad input gets one line naming the field', () => {
    const base = { kind: 'churn', atMs: 0, durationMs: 10, node: 'n1' };
    expect(validateFaultPlan([{ ...base, leave: 'soon' }], nodes, undefined, bounds)).toBe(`faults[0].leave must be 'crash' (crash-stop) or 'graceful', got "soon"`);
    expect(validateFaultPlan([{ ...base, leave: 'graceful' }], nodes, undefined, bounds)).toBe('faults[0].graceMs must be a whole number of ms from 1 to 3600000');
    expect(validateFaultPlan([{ ...base, leave: 'crash', graceMs: 5 }], nodes, undefined, bounds)).toMatch(/^faults\[0\]\.graceMs applies to leave 'graceful' only/);
    expect(validateFaultPlan([{ ...base, node: 'n9', leave: 'crash' }], nodes, undefined, bounds)).toBe('faults[0].node must name one of n1, n2, n3');
    expect(validateFaultPlan([{ ...base, leave: 'crash' }], nodes, undefined, undefined)).toBe("faults: churn faults need a protocol that opts in with 'churn' on defineProtocol (churn wipes disks)");
    expect(validateFaultPlan([{ ...base, leave: 'crash' }], nodes, undefined, bounds)).toBeUndefined();
  });

  it('the bounds count a churned node until settleMs after it is back', () => {
    const c = (atMs: number, node = 'n1'): Fault => ({ kind: 'churn', atMs, durationMs: 100, node, leave: 'crash' });
    expect(churnPlanProblem([c(0), c(400, 'n2')], bounds)).toBeUndefined();
    expect(churnPlanProblem([c(0), c(399, 'n2')], bounds)).toMatch(/^churn faults 0 and 1 have 2 nodes away at 399 ms .* more than maxAway = 1/);
    expect(churnPlanProblem([c(0), c(399, 'n2')], { ...bounds, maxAway: 2 })).toBeUndefined();
    expect(keepWithinChurnBounds([c(399, 'n2'), c(0)], bounds)).toEqual([c(0)]);
  });

  it('describe, weaken (crash-stop becomes a graceful leave), rename, clone', () => {
    const f: Fault = { kind: 'churn', atMs: 0, durationMs: 100, node: 'n2', leave: 'crash' };
    expect(describeFault(f)).toBe('n2 leaves (crash-stop, disk lost); a fresh n2 joins after 100 ms');
    const step = faultKinds.churn.weaken[0];
    expect(step.type === 'replace' ? step.weaker(f) : undefined).toEqual({ ...f, leave: 'graceful', graceMs: 50 });
    const g = step.type === 'replace' ? step.weaker(f)! : f;
    expect(step.type === 'replace' ? step.weaker(g) : 'x').toBeUndefined();
    expect(describeFault(g)).toBe('n2 leaves gracefully (50 ms to hand off, then disk wiped); a fresh n2 joins after 100 ms');
    expect(faultKinds.churn.renameNodes(f, (id) => (id === 'n2' ? 'n1' : id))).toEqual({ ...f, node: 'n1' });
    expect(faultKinds.churn.renameNodes(f, () => undefined)).toBeUndefined();
    const copy = faultKinds.churn.clone(f);
    expect(copy).toEqual(f);
    expect(copy).not.toBe(f);
  });

  it('generation keeps to the bounds, draws both leaves, and draws no churn without bounds', () => {
    const ids = ['n1', 'n2', 'n3', 'n4'];
    const leaves = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const plan = { nemeses: ['churn', 'pause'] as const, healAtMs: 3000, intervalMs: 60, faultDurationMs: 100 };
      const faults = generateFaults(stream(seed, 'nemesis'), ids, { ...plan, nemeses: [...plan.nemeses], churn: bounds });
      expect(churnPlanProblem(faults, bounds), `seed ${seed}`).toBeUndefined();
      for (const f of faults) if (f.kind === 'churn') leaves.add(f.leave);
      // A departed node stays away longer than a crashed one, but never past the final heal.
      for (const f of faults) if (f.kind === 'churn') expect(f.atMs + f.durationMs).toBeLessThanOrEqual(plan.healAtMs);
      expect(Math.max(0, ...faults.filter((f) => f.kind === 'churn').map((f) => f.durationMs))).toBeGreaterThan(1.5 * plan.faultDurationMs);
      const without = generateFaults(stream(seed, 'nemesis'), ids, { ...plan, nemeses: [...plan.nemeses] });
      expect(without.filter((f) => f.kind === 'churn')).toEqual([]);
      // Bounds drop churns, never change the other faults drawn.
      expect(without).toEqual(faults.filter((f) => f.kind !== 'churn'));
    }
    expect([...leaves].sort()).toEqual(['crash', 'graceful']);
  });

  it('fast-check plans keep to the bounds, and have no churn without the opt-in', () => {
    fc.assert(
      fc.property(faultsArb(['n1', 'n2', 'n3'], 2000, 8, 0, bounds), (faults) => churnPlanProblem(faults, bounds) === undefined),
      { numRuns: 200, seed: 7 },
    );
    fc.assert(fc.property(faultsArb(['n1', 'n2', 'n3'], 2000, 8), (faults) => faults.every((f) => f.kind !== 'churn')), { numRuns: 200, seed: 7 });
  });
});

describe('churn is opt-in', () => {
  it('a protocol that did not opt in refuses it and swarm never draws it', () => {
    expect(raft.churn).toBeUndefined();
    expect(() => resolveOptions(raft, { nemesis: ['churn'] })).toThrow(ScenarioError);
    expect(() => resolveOptions(raft, { nemesis: ['churn'] })).toThrow(/does not opt in to churn/);
    expect(nemesisTable({ byzantine: false, churn: false })).toBe(nemesisNames);
    const base = resolveOptions(raft, {});
    for (let seed = 0; seed < 200; seed++) expect(swarmOptions(raft, base, {}, seed).nemesis).not.toContain('churn');
  });
});

describe('the churn spec on defineProtocol', () => {
  it('refuses a misspelt field instead of silently using the default', () => {
    expect(() => churnBoundsOf({ churn: { maxaway: 2 } as never })).toThrow("churn has an unknown field 'maxaway': its fields are maxAway, settleMs, graceMs");
    expect(churnBoundsOf({ churn: { maxAway: 2 } })).toEqual({ maxAway: 2, settleMs: 1000, graceMs: 200 });
  });
});

describe('churn in corpus entries', () => {
  it('an entry whose churn breaks the protocol\'s bounds is refused with one line, not replayed', () => {
    const raw = JSON.parse(readFileSync('corpus/chord/stale-fingers-0.json', 'utf8')) as { faults: Fault[] };
    expect(() => parseEntry('x.json', raw, protocols)).not.toThrow();
    raw.faults = [
      { kind: 'churn', atMs: 10, durationMs: 100, node: 'n1', leave: 'crash' },
      { kind: 'churn', atMs: 200, durationMs: 100, node: 'n2', leave: 'graceful', graceMs: 50 },
    ];
    expect(() => parseEntry('x.json', raw, protocols)).toThrow(/faults: churn faults 0 and 1 have 2 nodes away at 200 ms .*more than maxAway = 1/);
    raw.faults = [{ kind: 'churn', atMs: 10, durationMs: 100, node: 'n1', leave: 'later' } as unknown as Fault];
    expect(() => parseEntry('x.json', raw, protocols)).toThrow(/faults\[0\]\.leave must be "crash" or "graceful", got "later"/);
    // The branch the literals pick is the one checked: its own complaint, not the other branch's.
    raw.faults = [{ kind: 'churn', atMs: 10, durationMs: -5, node: 'n1', leave: 'graceful', graceMs: 50 }];
    expect(() => parseEntry('x.json', raw, protocols)).toThrow(/faults\[0\]\.durationMs must be >= 0, got -5/);
    raw.faults = [{ kind: 'churn', atMs: 10, durationMs: 100, node: 'n1', leave: 'graceful' } as unknown as Fault];
    expect(() => parseEntry('x.json', raw, protocols)).toThrow(/faults\[0\] is missing the field "graceMs"/);
    raw.faults = [{ kind: 'churn', atMs: 10, durationMs: 100, node: 'n1', leave: 'crash', graceMs: 50 } as unknown as Fault];
    expect(() => parseEntry('x.json', raw, protocols)).toThrow(/faults\[0\] has an unknown field "graceMs"/);
  });
});
