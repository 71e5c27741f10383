import { describe, expect, it } from 'vitest';
import { pingpong } from '../../protocols/pingpong/pingpong.ts';
import { runScenario } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';

describe('pingpong', () => {
  it('passes the default run (every nemesis, duplication) without multiplying its balls', async () => {
    for (const seed of [0, 1, 2, 3]) {
      const r = await runScenario(pingpong, { options: resolveOptions(pingpong, { seed }) });
      expect(r.status, `seed ${seed}: ${r.failing.join(', ')}`).toBe('pass');
      // One ball per node: no more messages in flight than balls, however often the network duplicated.
      expect(r.sim.stats.messagesSent).toBeLessThan(r.options.nodes * (r.sim.stats.virtualMs / r.options.latencyMinMs));
    }
  });

  it('under heavy duplication the number of hits stays that of one ball per node', async () => {
    const r = await runScenario(pingpong, { options: resolveOptions(pingpong, { seed: 9, nemesis: [], dupRate: 0.5, dropRate: 0, reorderRate: 0, nodes: 3, ops: 0 }) });
    expect(r.status).toBe('pass');
    // Three balls, each hit at most once per minimum latency (1 ms) over the run.
    expect(r.sim.stats.delivered - r.sim.stats.duplicated).toBeLessThanOrEqual(3 * r.sim.stats.virtualMs);
    expect(r.sim.stats.messagesSent).toBeLessThanOrEqual(3 * r.sim.stats.virtualMs);
  });
});
