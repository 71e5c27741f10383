import { describe, expect, it } from 'vitest';
import { always } from '../../checkers/invariant.ts';
import { checkFinalState, checkHistory, counterBounds, finalReads, runCustomChecker, updateOutcomes, type HistoryCheckerSpec } from '../../checkers/index.ts';
import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/node/api.ts';
import type { CheckingObserver, ProtocolDef } from '../../src/run/protocol.ts';
import { runScenario } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';
import type { WorldView } from '../../src/sim/simulator.ts';
import { HB } from './helpers.ts';

/**
 * A grow-only counter CRDT: each node counts its own adds in its slot; a read asks every peer for
 * its vector, merges and answers the sum. `sum-merge` merges by adding slots instead of taking
 * the maximum (not idempotent), so every read after the first over-counts: the planted bug.
 */
class GCounter implements NodeHandlers {
  private slots: Record<NodeId, number> = {};
  constructor(
    private readonly ctx: NodeCtx,
    private readonly bug: boolean,
  ) {}
  private merge(other: Record<NodeId, number>): void {
    for (const [n, c] of Object.entries(other)) this.slots[n] = this.bug ? (this.slots[n] ?? 0) + c : Math.max(this.slots[n] ?? 0, c);
  }
  onCall(): unknown {
    return { ...this.slots };
  }
  async onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): Promise<void> {
    if (op.f === 'add') {
      this.slots[this.ctx.id] = (this.slots[this.ctx.id] ?? 0) + 1;
      return reply({ type: 'ok' });
    }
    const vectors = await Promise.all(this.ctx.peers.map((p) => this.ctx.call<Record<NodeId, number>>(p, 'vector', 500).catch(() => ({}))));
    for (const v of vectors) this.merge(v);
    reply({ type: 'ok', value: Object.values(this.slots).reduce((a, b) => a + b, 0) });
  }
}

/** The acknowledged-adds total a converged read must show: the protocol's own custom check. */
const converges: HistoryCheckerSpec = {
  name: 'g-counter-converges',
  check: (history) => checkFinalState(history, { name: 'g-counter-converges', init: () => 0, apply: (s, op) => s + (typeof op.value === 'number' ? op.value : 1) }),
};

/** An invariant that reads the history so far: no read ever exceeds the adds invoked before it returned. */
function noOvercount(): CheckingObserver {
  const inv = always('no-read-exceeds-adds', (v: WorldView) => {
    let adds = 0;
    for (const op of v.history) {
      if (op.type === 'invoke' && op.f === 'add') adds++;
      if (op.type === 'ok' && op.f === 'read' && (op.value as number) > adds) return `read #${op.index} returned ${op.value} with only ${adds} adds invoked`;
    }
    return true;
  });
  return { observe: (view, at) => inv.observe(view, at), result: () => inv.result() };
}

const OPS = 60;
const gCounter: ProtocolDef = {
  name: 'g-counter',
  description: 'a grow-only counter CRDT (test protocol)',
  variants: { correct: { kind: 'correct', description: 'max merge' }, 'sum-merge': { kind: 'bug', description: 'merge adds slots' } },
  defaultVariant: 'correct',
  create: (ctx, variant) => new GCounter(ctx, variant === 'sum-merge'),
  // The last ops are reads, so every run ends with reads after the adds completed.
  workload: (rng, { opIndex }) => (opIndex >= OPS - 9 || rng() < 0.3 ? { f: 'read', value: null } : { f: 'add', value: 1 }),
  checkers: () => [converges],
  observers: () => [noOvercount()],
};

const run = (variant: string, seed: number) =>
  runScenario(gCounter, { options: resolveOptions(gCounter, { variant, seed, nodes: 3, clients: 3, ops: OPS, nemesis: [], dropRate: 0, dupRate: 0, reorderRate: 0 }) });

describe('custom history checkers (issue 14 item 4)', () => {
  it('a protocol with a custom checker passes when correct and fails on the planted bug', async () => {
    for (let seed = 0; seed < 4; seed++) {
      const ok = await run('correct', seed);
      expect({ seed, status: ok.status, failing: ok.failing }).toEqual({ seed, status: 'pass', failing: [] });
      expect(ok.checks.find((c) => c.checker === 'g-counter-converges')?.summary).toMatch(/final reads agree with the \d+ acknowledged updates/);
      const bad = await run('sum-merge', seed);
      expect(bad.status).toBe('fail');
      expect(bad.failing).toContain('g-counter-converges');
      // The history-reading invariant sees the over-count as it happens.
      expect(bad.failing).toContain('always(no-read-exceeds-adds)');
    }
  });

  it('a throwing, malformed or misconfigured checker is a verdict, not a crash', () => {
    const h = new HB().invoke(0, 'add', 1).ok(0).ops;
    expect(runCustomChecker(h, { name: 'boom', check: () => { throw new Error('kaput'); } })).toMatchObject({ checker: 'boom', verdict: 'illegal', summary: 'the checker threw: kaput' });
    expect(runCustomChecker(h, { name: 'odd', check: () => 42 as never }).summary).toMatch(/returned 42, not a CheckerResult/);
    expect(runCustomChecker(h, { name: 'str', check: () => 'lost an add' })).toMatchObject({ verdict: 'illegal', summary: 'lost an add' });
    expect(runCustomChecker(h, { name: 'yes', check: () => true }).verdict).toBe('ok');
    // A checker cannot change what the others see.
    runCustomChecker(h, { name: 'vandal', check: (x) => { (x as { value: unknown }[])[0].value = 99; } });
    expect(h[0].value).toBe(1);
    const [r] = checkHistory(h, [{ kind: 'custom' } as unknown as HistoryCheckerSpec]);
    expect(r.verdict).toBe('illegal');
    expect(r.summary).toMatch(/misconfigured checker: kind "custom" with no check function/);
  });

  it('final-read helpers: bounds, outcomes, final reads, final state with uncertain updates', () => {
    const h = new HB().invoke(0, 'add', 2).ok(0).invoke(1, 'add', 5).info(1).invoke(2, 'add', -1).fail(2).invoke(0, 'read').ok(0, 7).ops;
    expect(counterBounds(h)).toEqual({ lower: 2, upper: 7 });
    const o = updateOutcomes(h);
    expect([o.acknowledged.length, o.uncertain.length]).toEqual([1, 1]);
    expect(finalReads(h).map((r) => r.value)).toEqual([7]);
    const spec = { init: () => 0, apply: (s: number, op: { value: unknown }) => s + (op.value as number) };
    expect(checkFinalState(h, spec).verdict).toBe('ok'); // 2 + the uncertain 5
    const wrong = h.map((op, i) => (i === h.length - 1 ? { ...op, value: 6 } : op));
    expect(checkFinalState(wrong, spec)).toMatchObject({ verdict: 'illegal' });
    expect(checkFinalState(wrong, spec).summary).toMatch(/read 6, expected 2 \(plus any of 1 uncertain\)/);
    expect(checkFinalState(new HB().invoke(0, 'add', 1).ok(0).ops, spec).verdict).toBe('unknown');
  });
});
