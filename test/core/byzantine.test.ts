import { describe, expect, it } from 'vitest';
import { always } from '../../checkers/index.ts';
import { faultKinds, generateFaults, nemesisNames, validateFaultPlan, type Fault } from '../../src/faults/index.ts';
import { mutateJson } from '../../src/faults/mutate.ts';
import { stream } from '../../src/kernel/rng.ts';
import type { NodeCtx, NodeHandlers } from '../../src/node/api.ts';
import { defineProtocol, type WorldView } from '../../src/index.ts';
import { runScenario } from '../../src/run/run.ts';
import { resolveOptions, ScenarioError } from '../../src/run/scenario.ts';
import { shrink } from '../../src/shrink/shrink.ts';
import { simulate } from './helpers.ts';

type Msg = { seq: number };

/** Every node sends one numbered message to every other node every 10 ms, and records what it got. */
class Chatter implements NodeHandlers<Msg> {
  got: Array<{ from: string; msg: Msg; atMs: number }> = [];
  seq = 0;
  constructor(readonly ctx: NodeCtx<Msg>) {}
  onStart() {
    this.ctx.setTimer(10, 'tick');
  }
  onTimer() {
    this.seq++;
    for (const p of this.ctx.peers) this.ctx.send(p, { seq: this.seq });
    if (this.seq < 50) this.ctx.setTimer(10, 'tick');
  }
  onMessage(from: string, m: Msg) {
    this.got.push({ from, msg: m, atMs: this.ctx.now() });
  }
}

/** Every instance created, in creation order (an equivocating node's second copy is one more). */
function chatters() {
  const all: Chatter[] = [];
  const create = (ctx: NodeCtx) => {
    const c = new Chatter(ctx as NodeCtx<Msg>);
    all.push(c);
    return c;
  };
  const of = (id: string) => all.filter((c) => c.ctx.id === id);
  return { all, of, create };
}

const f1 = { byzantine: { f: 1 } };
const at = (atMs: number, durationMs: number) => ({ atMs, durationMs });

describe('Byzantine fault kinds in the simulator', () => {
  it('silent: the node sends nothing while it lasts but still hears everyone', async () => {
    const { of, create } = chatters();
    const r = await simulate(create, { ...f1, faults: [{ kind: 'silent', ...at(0, 10_000), node: 'n1' }], healAtMs: 10_000 });
    expect(r.outcome).toBe('completed');
    expect(of('n2')[0].got.filter((g) => g.from === 'n1')).toHaveLength(0);
    expect(of('n1')[0].got.filter((g) => g.from === 'n2')).toHaveLength(50);
    expect(r.trace.filter((e) => e.kind === 'drop' && e.detail === 'Byzantine: silent')).toHaveLength(100);
  });

  it('corrupt: the generic mutator changes the messages, the same way for the same seed', async () => {
    const run = async () => {
      const { of, create } = chatters();
      const r = await simulate(create, { ...f1, faults: [{ kind: 'corrupt', ...at(0, 10_000), node: 'n1', percent: 100, seed: 7 }], healAtMs: 10_000 });
      return { r, got: of('n2')[0].got.filter((g) => g.from === 'n1').map((g) => g.msg) };
    };
    const a = await run();
    const b = await run();
    expect(a.r.fingerprint).toBe(b.r.fingerprint);
    expect(a.got).toEqual(b.got);
    expect(a.got).toHaveLength(50);
    // Every message was changed: none is { seq: k } with k its place in the stream.
    expect(a.got.filter((m, i) => JSON.stringify(m) === JSON.stringify({ seq: i + 1 }))).toHaveLength(0);
  });

  it("corrupt: a protocol's own mutator replaces the generic one, and runs only at the given rate", async () => {
    const { of, create } = chatters();
    const mutate = (m: unknown) => ({ seq: -(m as Msg).seq });
    await simulate(create, { byzantine: { f: 1, mutate }, faults: [{ kind: 'corrupt', ...at(0, 10_000), node: 'n1', percent: 50, seed: 3 }], healAtMs: 10_000 });
    const seqs = of('n2')[0].got.filter((g) => g.from === 'n1').map((g) => g.msg.seq);
    const negative = seqs.filter((s) => s < 0).length;
    expect(seqs.map(Math.abs)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(negative).toBeGreaterThan(10);
    expect(negative).toBeLessThan(40);
    // n1's messages to n3 are drawn from the same stream, so they are not a copy of n2's.
    expect(of('n3')[0].got.filter((g) => g.from === 'n1').some((g) => g.msg.seq < 0)).toBe(true);
  });

  it('replay: old messages of the node arrive again, never ones it has not sent yet', async () => {
    const { of, create } = chatters();
    const r = await simulate(create, { ...f1, faults: [{ kind: 'replay', ...at(100, 300), node: 'n1', perSecond: 100, seed: 1 }], healAtMs: 10_000 });
    expect(r.outcome).toBe('completed');
    const got = [...of('n2')[0].got, ...of('n3')[0].got].filter((g) => g.from === 'n1');
    // About 30 replays over 300 ms (one every 10 ms; the last may tie with the end), each to n2 or n3, on top of the 100 originals.
    expect(got.length).toBeGreaterThanOrEqual(128);
    expect(got.length).toBeLessThanOrEqual(130);
    const n2 = of('n2')[0].got.filter((g) => g.from === 'n1');
    let highest = 0;
    let stale = 0;
    for (const g of n2) {
      if (g.msg.seq <= highest) stale++;
      highest = Math.max(highest, g.msg.seq);
    }
    expect(stale).toBeGreaterThan(5);
    expect(n2.every((g) => g.msg.seq <= 50)).toBe(true);
  });

  it('equivocate: a second copy with the same id talks to its side only, the first copy to the rest', async () => {
    const { of, create } = chatters();
    const r = await simulate(create, {
      ...f1,
      nodeCount: 4,
      faults: [{ kind: 'equivocate', ...at(200, 10_000), node: 'n1', side: ['n3', 'n4'], seed: 5 }],
      healAtMs: 10_000,
    });
    expect(r.outcome).toBe('completed');
    const [first, second] = of('n1');
    expect(second).toBeDefined();
    // After 200 ms the second copy hears n3 and n4 only, the first copy n2 only.
    expect(second.got.every((g) => g.from === 'n3' || g.from === 'n4')).toBe(true);
    expect(first.got.filter((g) => g.atMs > 210).every((g) => g.from === 'n2')).toBe(true);
    // n3 hears a second history of n1: it starts again from seq 1 after the fork.
    const atN3 = of('n3')[0].got.filter((g) => g.from === 'n1').map((g) => g.msg.seq);
    const atN2 = of('n2')[0].got.filter((g) => g.from === 'n1').map((g) => g.msg.seq);
    expect(atN2).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const fork = atN3.indexOf(1, 1);
    expect(fork).toBeGreaterThanOrEqual(18);
    expect(fork).toBeLessThanOrEqual(20);
    expect(atN3.slice(0, fork)).toEqual(Array.from({ length: fork }, (_, i) => i + 1));
    expect(atN3.slice(fork)).toEqual(Array.from({ length: atN3.length - fork }, (_, i) => i + 1));
  });

  it('equivocate: the second copy dies when the fault ends, and with a crash', async () => {
    const { of, create } = chatters();
    await simulate(create, {
      ...f1,
      faults: [{ kind: 'equivocate', ...at(100, 100), node: 'n1', side: ['n3'], seed: 5 }],
      healAtMs: 10_000,
    });
    const [first, second] = of('n1');
    expect(second.got.every((g) => g.atMs < 200)).toBe(true);
    expect(first.got.filter((g) => g.from === 'n3' && g.atMs > 205).length).toBeGreaterThan(0);
    const c = chatters();
    await simulate(c.create, {
      ...f1,
      faults: [
        { kind: 'equivocate', ...at(100, 1000), node: 'n1', side: ['n3'], seed: 5 },
        { kind: 'crash', ...at(150, 10_000), node: 'n1' },
      ],
      healAtMs: 10_000,
    });
    expect(c.of('n1')[1].got.every((g) => g.atMs < 150)).toBe(true);
  });

  it('the world view names the Byzantine nodes; a plan over f nodes, or without opt-in, is refused', async () => {
    let seen: readonly string[] = [];
    const { create } = chatters();
    await simulate(create, { ...f1, faults: [{ kind: 'silent', ...at(0, 5), node: 'n2' }], observers: [{ observe: (v) => (seen = v.byzantine) }] });
    expect(seen).toEqual(['n2']);
    const two: Fault[] = [{ kind: 'silent', ...at(0, 5), node: 'n1' }, { kind: 'replay', ...at(0, 5), node: 'n2', perSecond: 1, seed: 0 }];
    expect(() => simulate(create, { ...f1, faults: two })).toThrow(/2 nodes \(n1, n2\), more than f = 1/);
    expect(() => simulate(create, { faults: two })).toThrow(/opts in/);
    expect(validateFaultPlan(two, new Set(['n1', 'n2']), 2)).toBeUndefined();
    expect(validateFaultPlan([{ ...two[1], perSecond: 0 }], new Set(['n1', 'n2']), 2)).toMatch(/^faults\[0\]\.perSecond/);
  });
});

describe('Byzantine fault generation', () => {
  const nodes = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];
  const plan = { healAtMs: 5000, intervalMs: 50, faultDurationMs: 100 };

  it('an honest plan draws the same faults whatever f is (Byzantine kinds cost nothing when off)', () => {
    const a = generateFaults(stream(3, 'nemesis'), nodes, { ...plan, nemeses: nemesisNames });
    const b = generateFaults(stream(3, 'nemesis'), nodes, { ...plan, nemeses: nemesisNames, byzantineF: 2 });
    expect(b).toEqual(a);
  });

  it('Byzantine faults name at most f nodes, and every kind shows up', () => {
    for (let seed = 0; seed < 20; seed++) {
      const faults = generateFaults(stream(seed, 'nemesis'), nodes, { ...plan, nemeses: ['equivocate', 'corrupt', 'replay', 'silent', 'crash'], byzantineF: 2 });
      expect(validateFaultPlan(faults, new Set(nodes), 2)).toBeUndefined();
      const kinds = new Set(faults.map((f) => f.kind));
      for (const k of ['equivocate', 'corrupt', 'replay', 'silent', 'crash']) expect(kinds.has(k as Fault['kind'])).toBe(true);
    }
    const none = generateFaults(stream(1, 'nemesis'), nodes, { ...plan, nemeses: ['silent'], byzantineF: 0 });
    expect(none).toEqual([]);
  });

  it('kinds weaken, rename and copy their nodes like every other kind', () => {
    const e: Fault = { kind: 'equivocate', ...at(0, 5), node: 'n1', side: ['n2', 'n3'], seed: 1 };
    const step = faultKinds.equivocate.weaken[0];
    expect(step.type === 'items' && step.count(e)).toBe(1);
    expect(step.type === 'items' && step.without(e, 0, 1)).toEqual({ ...e, side: ['n3'] });
    expect(faultKinds.equivocate.renameNodes(e, (id) => (id === 'n3' ? undefined : id))).toEqual({ ...e, side: ['n2'] });
    expect(faultKinds.equivocate.renameNodes(e, (id) => (id === 'n1' ? undefined : id))).toBeUndefined();
    const copy = faultKinds.equivocate.clone(e);
    copy.side.push('n4');
    expect(e.side).toEqual(['n2', 'n3']);
    expect(faultKinds.corrupt.weaken[0].type).toBe('number');
  });

  it('the generic mutator is deterministic, changes something, and leaves its input alone', () => {
    const msg = { type: 'prepare', view: 3, seq: 12, digest: 'abc', ok: true, list: [1, 2] };
    const before = JSON.stringify(msg);
    for (let s = 0; s < 50; s++) {
      const a = mutateJson(msg, stream(s, 'm'));
      expect(a).toEqual(mutateJson(msg, stream(s, 'm')));
      expect(JSON.stringify(a)).not.toBe(before);
    }
    expect(JSON.stringify(msg)).toBe(before);
  });
});

/** A toy protocol that opts in: nodes chatter, and an invariant insists every message is well formed. */
const trusting = defineProtocol({
  name: 'trusting-chatter',
  description: 'chatters that believe every message',
  variants: { correct: { kind: 'correct', description: 'believes everything' } },
  defaultVariant: 'correct',
  create: (ctx) => new Chatter(ctx as NodeCtx<Msg>),
  workload: () => ({ f: 'read', value: null }),
  checkers: () => [],
  observers: () => {
    const check = always<WorldView>('well-formed', (view) => {
      for (const n of view.nodes) {
        if (view.byzantine.includes(n.id)) continue;
        const bad = (n.state as Chatter | undefined)?.got.find((g) => !(Number.isInteger(g.msg?.seq) && g.msg.seq >= 1 && g.msg.seq <= 50));
        if (bad) return `${n.id} got ${JSON.stringify(bad.msg)} from ${bad.from}`;
      }
      return true;
    });
    return [{ observe: (v, a) => check.observe(v, a), result: () => check.result() }];
  },
  defaults: { nodes: 4, ops: 0, nemesis: ['corrupt', 'silent', 'crash'] },
  byzantine: {},
});

describe('Byzantine faults through the scenario layer', () => {
  it('are refused for a protocol that does not opt in', () => {
    const honest = { ...trusting, byzantine: undefined };
    expect(() => resolveOptions(honest, { nemesis: ['silent'] })).toThrow(ScenarioError);
    expect(() => resolveOptions(honest, { nemesis: ['silent'] })).toThrow(/does not opt in to Byzantine faults \(silent\)/);
  });

  it('a corrupt node breaks a trusting protocol, and the failure shrinks to one shortened, weakened corrupt fault', async () => {
    let failing: number | undefined;
    for (let seed = 0; seed < 20 && failing === undefined; seed++) {
      const r = await runScenario(trusting, { options: resolveOptions(trusting, { seed }) });
      if (r.status === 'fail') failing = seed;
    }
    expect(failing).toBeDefined();
    const s = await shrink(trusting, { options: resolveOptions(trusting, { seed: failing }) }, { maxRuns: 2000 });
    expect(s.reproduced).toBe(true);
    expect(s.stoppedBy).toBe('fixpoint');
    expect(s.shrunk.faults).toBeLessThan(s.original.faults);
    // One corrupt fault is left (a crash may stay: a restarted node sends again), shortened and weakened.
    const corrupt = s.input.faults.filter((f) => f.kind === 'corrupt');
    expect(corrupt).toHaveLength(1);
    expect(s.input.faults.length).toBeLessThanOrEqual(2);
    expect(corrupt[0].durationMs).toBeLessThan(50);
    expect(corrupt[0].kind === 'corrupt' && corrupt[0].percent).toBeLessThan(100);
  });
});
