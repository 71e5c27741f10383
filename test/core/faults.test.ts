import { describe, expect, it } from 'vitest';
import type { NodeCtx, NodeHandlers } from '../../src/node/api.ts';
import { simulate } from './helpers.ts';

/** Every node sends one numbered message to every other node every 10 ms, and records what it got. */
class Chatter implements NodeHandlers<{ seq: number }> {
  got: Array<{ from: string; seq: number; atMs: number }> = [];
  private seq = 0;
  constructor(private readonly ctx: NodeCtx<{ seq: number }>) {}
  onStart() {
    this.ctx.setTimer(10, 'tick');
  }
  onTimer() {
    this.seq++;
    for (const p of this.ctx.peers) this.ctx.send(p, { seq: this.seq });
    if (this.seq < 50) this.ctx.setTimer(10, 'tick');
  }
  onMessage(from: string, m: { seq: number }) {
    this.got.push({ from, seq: m.seq, atMs: this.ctx.now() });
  }
}

function chatters() {
  const nodes: Chatter[] = [];
  const create = (ctx: NodeCtx) => {
    const c = new Chatter(ctx as NodeCtx<{ seq: number }>);
    nodes[Number(ctx.id.slice(1)) - 1] = c;
    return c;
  };
  return { nodes, create };
}

describe('fault semantics', () => {
  it('a partition blocks exactly the cut links, including one-way cuts', async () => {
    const { nodes, create } = chatters();
    const r = await simulate(create, {
      // n1 cannot reach n2 (one way) for the whole run; every other link is open.
      faults: [{ kind: 'partition', atMs: 0, durationMs: 10_000, label: 'n1 -/-> n2', cut: [['n1', 'n2']] }],
      healAtMs: 10_000,
    });
    expect(r.outcome).toBe('completed');
    const fromN1AtN2 = nodes[1].got.filter((g) => g.from === 'n1');
    const fromN2AtN1 = nodes[0].got.filter((g) => g.from === 'n2');
    expect(fromN1AtN2).toHaveLength(0);
    expect(fromN2AtN1).toHaveLength(50);
    expect(nodes[2].got.filter((g) => g.from === 'n1')).toHaveLength(50);
    expect(nodes[0].got.filter((g) => g.from === 'n3')).toHaveLength(50);
    expect(r.trace.filter((e) => e.kind === 'drop' && e.detail === 'cut').every((e) => e.envelope?.from === 'n1' && e.envelope?.to === 'n2')).toBe(true);
  });

  it('a healed partition lets messages through again', async () => {
    const { nodes, create } = chatters();
    await simulate(create, {
      faults: [{ kind: 'partition', atMs: 0, durationMs: 200, label: 'halves', cut: [['n1', 'n2'], ['n2', 'n1']] }],
      healAtMs: 10_000,
    });
    const got = nodes[1].got.filter((g) => g.from === 'n1');
    expect(got.length).toBeGreaterThan(25);
    expect(got.length).toBeLessThan(50);
    expect(got.every((g) => g.atMs >= 200)).toBe(true);
  });

  it('a duplicated message is delivered twice', async () => {
    const { nodes, create } = chatters();
    const r = await simulate(create, { net: { dupRate: 1 } });
    expect(r.stats.duplicated).toBe(r.stats.messagesSent);
    const seqs = nodes[1].got.filter((g) => g.from === 'n1').map((g) => g.seq);
    expect(seqs).toHaveLength(100);
    for (let s = 1; s <= 50; s++) expect(seqs.filter((x) => x === s)).toHaveLength(2);
  });

  it('drop rate matches statistically over many messages', async () => {
    const { create } = chatters();
    const r = await simulate(create, { nodeCount: 10, net: { dropRate: 0.3 } });
    const sent = r.stats.messagesSent;
    expect(sent).toBe(10 * 9 * 50);
    const lost = r.trace.filter((e) => e.kind === 'drop' && e.detail === 'loss').length;
    // 4,500 Bernoulli(0.3) trials: sd ~ 31; 5 sd either side.
    expect(Math.abs(lost - 0.3 * sent)).toBeLessThan(5 * Math.sqrt(sent * 0.3 * 0.7));
  });

  it('a crash loses unsynced storage and keeps synced storage', async () => {
    const seen: Array<{ synced: unknown; unsynced: unknown; boot: number }> = [];
    const create = (ctx: NodeCtx): NodeHandlers => ({
      onStart() {
        const boot = (ctx.storage.get<number>('boots') ?? 0) + 1;
        seen.push({ synced: ctx.storage.get('synced'), unsynced: ctx.storage.get('unsynced'), boot });
        ctx.storage.set('boots', boot);
        ctx.storage.set('synced', `s${boot}`);
        ctx.storage.sync();
        ctx.storage.set('unsynced', `u${boot}`);
      },
    });
    await simulate(create, { nodeCount: 1, faults: [{ kind: 'crash', atMs: 50, durationMs: 50, node: 'n1' }] });
    expect(seen).toEqual([
      { synced: undefined, unsynced: undefined, boot: 1 },
      { synced: 's1', unsynced: undefined, boot: 2 },
    ]);
  });

  it('a crashed node misses messages and timers, and restarts fresh', async () => {
    const { nodes, create } = chatters();
    const r = await simulate(create, { faults: [{ kind: 'crash', atMs: 100, durationMs: 100, node: 'n2' }] });
    expect(r.trace.filter((e) => e.kind === 'drop' && e.detail === 'down').length).toBeGreaterThan(0);
    expect(r.trace.some((e) => e.kind === 'crash' && e.node === 'n2')).toBe(true);
    expect(r.trace.some((e) => e.kind === 'restart' && e.node === 'n2')).toBe(true);
    // The restarted n2 is a new object that only saw messages after its restart.
    expect(nodes[1].got.every((g) => g.atMs >= 200)).toBe(true);
  });

  it('a pause delays delivery but loses nothing', async () => {
    const { nodes, create } = chatters();
    const r = await simulate(create, { faults: [{ kind: 'pause', atMs: 100, durationMs: 150, node: 'n2' }] });
    const fromN1 = nodes[1].got.filter((g) => g.from === 'n1');
    expect(fromN1.map((g) => g.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // Nothing is handled while paused; the backlog is handled at the resume.
    expect(nodes[1].got.some((g) => g.atMs > 100 && g.atMs < 250)).toBe(false);
    expect(nodes[1].got.filter((g) => g.atMs === 250).length).toBeGreaterThan(10);
    expect(r.stats.dropped).toBe(0);
  });

  async function clockReadings(fault: { offsetMs: number; rate: number; atMs: number; durationMs: number }) {
    const readings: number[] = [];
    const create = (ctx: NodeCtx): NodeHandlers => ({
      onStart: () => void ctx.setTimer(0, 'read'),
      onTimer() {
        readings.push(ctx.now());
        if (readings.length < 40) ctx.setTimer(10, 'read');
      },
    });
    const r = await simulate(create, { nodeCount: 1, faults: [{ kind: 'clock', node: 'n1', ...fault }], healAtMs: 10_000 });
    const fired = r.trace.filter((e) => e.kind === 'timer').map((e) => e.timeMs);
    return { readings, fired };
  }

  it('a clock bump moves ctx.now() and the heal moves it back', async () => {
    const { readings, fired } = await clockReadings({ atMs: 100, durationMs: 100, offsetMs: 500, rate: 1 });
    expect(readings.slice(0, 10)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(readings.slice(10, 20)).toEqual([600, 610, 620, 630, 640, 650, 660, 670, 680, 690]);
    expect(readings.slice(20, 23)).toEqual([200, 210, 220]);
    // Timers measure intervals, so a bump does not change when they fire.
    expect(fired.slice(0, 25)).toEqual(Array.from({ length: 25 }, (_, i) => i * 10));
  });

  it('a clock skew changes the rate of ctx.now() and of timers', async () => {
    const { readings, fired } = await clockReadings({ atMs: 100, durationMs: 1000, offsetMs: 0, rate: 2 });
    expect(readings.slice(0, 10)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    // A 10 ms timer on a clock running twice as fast fires after 5 true ms, and reads 10 ms later.
    const skewed = fired.slice(11, 20);
    for (let i = 1; i < skewed.length; i++) expect(skewed[i] - skewed[i - 1]).toBe(5);
    const local = readings.slice(11, 20);
    for (let i = 1; i < local.length; i++) expect(local[i] - local[i - 1]).toBe(10);
  });

  it('a clogged link holds messages and releases them in order', async () => {
    const { nodes, create } = chatters();
    await simulate(create, {
      net: { latencyMinMs: 1, latencyMaxMs: 1 },
      faults: [{ kind: 'clog', atMs: 0, durationMs: 300, from: 'n1', to: 'n2' }],
      healAtMs: 10_000,
    });
    const fromN1 = nodes[1].got.filter((g) => g.from === 'n1');
    expect(fromN1).toHaveLength(50);
    expect(fromN1.filter((g) => g.atMs < 300)).toHaveLength(0);
    expect(fromN1.map((g) => g.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});

describe('per-link configuration', () => {
  it('a slow, lossy link is slow and lossy; the others are not', async () => {
    const { nodes, create } = chatters();
    await simulate(create, {
      net: { latencyMinMs: 1, latencyMaxMs: 1, links: [{ from: 0, to: 1, latencyMinMs: 40, latencyMaxMs: 60, dropRate: 0.5 }] },
      healAtMs: 10_000,
    });
    const slow = nodes[1].got.filter((g) => g.from === 'n1');
    const fast = nodes[0].got.filter((g) => g.from === 'n2');
    expect(fast).toHaveLength(50);
    expect(slow.length).toBeGreaterThan(10);
    expect(slow.length).toBeLessThan(40);
    // n1 sends seq k at 10k ms; over the slow link it arrives 40..60 ms later.
    for (const g of slow) expect(g.atMs - 10 * g.seq).toBeGreaterThanOrEqual(40);
    for (const g of fast) expect(g.atMs - 10 * g.seq).toBe(1);
  });
});
