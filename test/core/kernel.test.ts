import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/kernel/queue.ts';
import { cloneAndHash, clonePlain, NotPlainDataError } from '../../src/kernel/clone.ts';
import { Hasher } from '../../src/kernel/hash.ts';
import type { NodeCtx, NodeHandlers } from '../../src/node/api.ts';
import { simulate } from './helpers.ts';

describe('event queue', () => {
  it('pops by time, then by scheduling order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 50 }), { maxLength: 300 }), (times) => {
        const q = new EventQueue<number>();
        times.forEach((t, i) => q.push(t, i));
        const out: Array<[number, number]> = [];
        for (let e = q.pop(); e; e = q.pop()) out.push([e.timeMs, e.item]);
        const expected = times.map((t, i) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(out).toEqual(expected);
      }),
    );
  });

  it('interleaved pushes and pops stay ordered (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat({ max: 20 }), fc.constant(-1)), { maxLength: 300 }), (script) => {
        const q = new EventQueue<number>();
        let now = 0;
        let last: [number, number] = [-1, -1];
        for (const step of script) {
          if (step >= 0) q.push(now + step, 0);
          else {
            const e = q.pop();
            if (!e) continue;
            expect(e.timeMs > last[0] || (e.timeMs === last[0] && e.seq > last[1])).toBe(true);
            last = [e.timeMs, e.seq];
            now = e.timeMs;
          }
        }
      }),
    );
  });
});

describe('simulator (properties)', () => {
  it('no message is delivered before it is sent, and time never runs backwards', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.nat(),
          drop: fc.double({ min: 0, max: 0.5, noNaN: true }),
          dup: fc.double({ min: 0, max: 0.5, noNaN: true }),
          reorder: fc.double({ min: 0, max: 0.5, noNaN: true }),
          maxLatency: fc.integer({ min: 0, max: 30 }),
        }),
        async ({ seed, drop, dup, reorder, maxLatency }) => {
          const create = (ctx: NodeCtx): NodeHandlers => ({
            onStart: () => void ctx.broadcast({ hop: 0 }),
            onMessage(from: string, m: unknown) {
              const hop = (m as { hop: number }).hop;
              if (hop < 20) ctx.send(from, { hop: hop + 1 });
            },
          });
          const r = await simulate(create, { seed, net: { dropRate: drop, dupRate: dup, reorderRate: reorder, latencyMinMs: 0, latencyMaxMs: maxLatency } });
          const sentAt = new Map<number, number>();
          let lastT = 0;
          // Plain checks, one expect at the end: an expect per event made this property slow.
          const wrong: string[] = [];
          for (const e of r.trace) {
            if (e.timeMs < lastT) wrong.push(`time ran backwards at ${e.index}`);
            lastT = e.timeMs;
            if (e.kind === 'send') sentAt.set(e.envelope!.msgId, e.timeMs);
            if (e.kind === 'deliver') {
              const sent = sentAt.get(e.envelope!.msgId);
              if (sent === undefined || e.timeMs < sent) wrong.push(`message ${e.envelope!.msgId} delivered before it was sent`);
              // Happens-before is recorded: a delivery's cause is its send.
              const cause = r.trace[e.cause];
              if (cause?.kind !== 'send' || cause.envelope!.msgId !== e.envelope!.msgId) wrong.push(`delivery ${e.index} is not caused by its send`);
            }
          }
          expect(wrong).toEqual([]);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('messages cross by value', () => {
  it('a receiver never aliases the sender object', async () => {
    const sent = { list: [1, 2, 3] };
    let received: { list: number[] } | undefined;
    await simulate((ctx: NodeCtx): NodeHandlers => ({
      onStart() {
        if (ctx.id === 'n1') {
          ctx.send('n2', sent);
          sent.list.push(4);
        }
      },
      onMessage(_f: string, m: unknown) {
        received = m as { list: number[] };
      },
    }));
    expect(received).toEqual({ list: [1, 2, 3] });
    expect(received).not.toBe(sent);
  });

  it('rejects functions and class instances with the path', () => {
    expect(() => clonePlain({ a: [{ f: () => 1 }] })).toThrow(NotPlainDataError);
    expect(() => clonePlain({ a: [{ f: () => 1 }] })).toThrow(/\.a\[0\]\.f/);
    class Foo {}
    expect(() => clonePlain({ x: new Foo() })).toThrow(/Foo/);
  });

  it('copies maps, sets and byte arrays, and hashes equal data equally', () => {
    const v = { m: new Map([['k', 1]]), s: new Set([1, 2]), b: new Uint8Array([1, 2]), n: null };
    const h1 = new Hasher();
    const h2 = new Hasher();
    const c = cloneAndHash(v, h1);
    cloneAndHash(structuredClone(v), h2);
    expect(c).toEqual(v);
    expect(c.m).not.toBe(v.m);
    expect(h1.hex()).toBe(h2.hex());
    const h3 = new Hasher();
    cloneAndHash({ ...v, n: 0 }, h3);
    expect(h3.hex()).not.toBe(h1.hex());
    // A BigInt is not JSON: a trace or history holding one could not be saved.
    expect(() => clonePlain({ big: 10n })).toThrow(/a bigint .* at \.big is not plain data/);
  });
});

describe('async helpers', () => {
  it('sleep and call run deterministically and are cancelled by a crash', async () => {
    const log: string[] = [];
    const create = (ctx: NodeCtx): NodeHandlers => ({
      async onStart() {
        if (ctx.id !== 'n1') return;
        await ctx.sleep(20);
        log.push(`woke ${ctx.now()}`);
        const answer = await ctx.call<number>('n2', 41, 50);
        log.push(`answer ${answer}`);
        await ctx.sleep(1000);
        log.push('never: crashed before this');
      },
      onCall: (_from: string, x: unknown) => (x as number) + 1,
    });
    const r = await simulate(create, { net: { latencyMinMs: 5, latencyMaxMs: 5 }, faults: [{ kind: 'crash', atMs: 500, durationMs: 10, node: 'n1' }] });
    expect(r.outcome).toBe('completed');
    // The restarted n1 starts over: it sleeps and calls again.
    expect(log).toEqual(['woke 20', 'answer 42', 'woke 530', 'answer 42']);
  });

  it('a call to an unreachable node rejects with a timeout', async () => {
    const log: string[] = [];
    await simulate(
      (ctx: NodeCtx): NodeHandlers => ({
        async onStart() {
          if (ctx.id !== 'n1') return;
          try {
            await ctx.call('n2', 1, 30);
          } catch (e) {
            log.push(`${(e as Error).name} at ${ctx.now()}`);
          }
        },
        onCall: () => 1,
      }),
      { faults: [{ kind: 'partition', atMs: 0, durationMs: 500, label: 'x', cut: [['n1', 'n2']] }] },
    );
    expect(log).toEqual(['CallTimeoutError at 30']);
  });
});

describe('protocol failures end the run, not the harness', () => {
  it('a throwing handler gives the verdict crashed with the node and time', async () => {
    const r = await simulate((ctx: NodeCtx): NodeHandlers => ({
      onStart: () => void ctx.setTimer(7, 'boom'),
      onTimer() {
        throw new Error('kaboom');
      },
    }));
    expect(r.outcome).toBe('crashed');
    expect(r.error?.message).toMatch(/kaboom in n1 \(onTimer boom\) at 7 ms/);
    expect(r.error?.stack).toContain('kaboom');
  });

  it('a message loop past the step budget gives the verdict step-budget', async () => {
    const r = await simulate(
      (ctx: NodeCtx): NodeHandlers => ({
        onStart: () => ctx.send(ctx.id, 'again'),
        onMessage: () => ctx.send(ctx.id, 'again'),
      }),
      { maxSteps: 5000, net: { latencyMinMs: 0, latencyMaxMs: 0 } },
    );
    expect(r.outcome).toBe('step-budget');
    expect(r.error?.message).toContain('5000');
  });

  it('sending non-plain data crashes the run with the path', async () => {
    const r = await simulate((ctx: NodeCtx): NodeHandlers => ({ onStart: () => ctx.send('n2', { cb: () => 1 }) }));
    expect(r.outcome).toBe('crashed');
    expect(r.error?.message).toContain('.cb');
  });
});
