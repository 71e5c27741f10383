import { describe, expect, it } from 'vitest';
import type { NodeCtx, NodeHandlers } from '../../src/node/api.ts';
import { MAX_SETTLE_ROUNDS } from '../../src/sim/simulator.ts';
import { simulate } from './helpers.ts';

/** `depth` bare awaits, through a chain of async helpers. */
async function hops(depth: number): Promise<void> {
  for (let i = 0; i < depth; i++) await null;
}

/** Each node's timer at 5 ms runs `body`; n2 records the virtual time every message arrives. */
function timerThen(body: (ctx: NodeCtx) => unknown) {
  const arrivals: number[] = [];
  const create = (ctx: NodeCtx): NodeHandlers => ({
    onStart() {
      if (ctx.id === 'n1') ctx.setTimer(5, 'go');
      // A later event that a late continuation would wrongly run behind.
      if (ctx.id === 'n3') ctx.setTimer(50, 'later');
    },
    onTimer(name: string) {
      if (name === 'go') return body(ctx) as void;
    },
    onMessage() {
      arrivals.push(ctx.now());
    },
  });
  return { arrivals, create };
}

const ZERO_LATENCY = { net: { latencyMinMs: 0, latencyMaxMs: 0 } };

describe('async continuations run at the virtual time of the event that caused them', () => {
  for (const depth of [1, 12, 20, 1000, 10_000]) {
    it(`an await chain of ${depth} hops sends at 5 ms`, async () => {
      const { arrivals, create } = timerThen(async (ctx) => {
        await hops(depth);
        ctx.send('n2', { depth });
      });
      const r = await simulate(create, ZERO_LATENCY);
      expect(r.outcome).toBe('completed');
      expect(arrivals).toEqual([5]);
      expect(r.trace.find((e) => e.kind === 'send')!.timeMs).toBe(5);
    });
  }

  it('Promise.all of chains of different depths', async () => {
    const { arrivals, create } = timerThen(async (ctx) => {
      await Promise.all([hops(3), hops(40), hops(700)]);
      ctx.send('n2', 'all');
    });
    await simulate(create, ZERO_LATENCY);
    expect(arrivals).toEqual([5]);
  });

  it('an async generator consumed with for await', async () => {
    async function* numbers() {
      for (let i = 0; i < 30; i++) {
        await hops(2);
        yield i;
      }
    }
    const { arrivals, create } = timerThen(async (ctx) => {
      let sum = 0;
      for await (const x of numbers()) sum += x;
      ctx.send('n2', sum);
    });
    await simulate(create, ZERO_LATENCY);
    expect(arrivals).toEqual([5]);
  });

  it('try/finally: the finally block runs at the same instant', async () => {
    const { arrivals, create } = timerThen(async (ctx) => {
      try {
        await hops(25);
        throw new Error('handled');
      } catch {
        await hops(5);
      } finally {
        await hops(25);
        ctx.send('n2', 'finally');
      }
    });
    await simulate(create, ZERO_LATENCY);
    expect(arrivals).toEqual([5]);
  });

  it('fire-and-forget async work started from a sync handler', async () => {
    const { arrivals, create } = timerThen((ctx) => {
      void (async () => {
        await hops(50);
        ctx.send('n2', 'forgotten');
      })();
    });
    await simulate(create, ZERO_LATENCY);
    expect(arrivals).toEqual([5]);
  });

  it('a sync handler that resolves a promise an earlier async handler awaits wakes it at the same instant', async () => {
    const arrivals: number[] = [];
    const create = (ctx: NodeCtx): NodeHandlers => {
      let release: (() => void) | undefined;
      return {
        onStart() {
          if (ctx.id === 'n1') {
            ctx.setTimer(5, 'go');
            void (async () => {
              await new Promise<void>((r) => (release = r));
              await hops(3);
              ctx.send('n2', 'released');
            })();
          }
          if (ctx.id === 'n3') ctx.setTimer(50, 'later');
        },
        onTimer(name: string) {
          if (name === 'go') release?.(); // creates no promise: only settles one
        },
        onMessage() {
          arrivals.push(ctx.now());
        },
      };
    };
    await simulate(create, ZERO_LATENCY);
    expect(arrivals).toEqual([5]);
  });

  it('queueMicrotask from protocol code runs at the same instant', async () => {
    const { arrivals, create } = timerThen((ctx) => {
      queueMicrotask(() => queueMicrotask(() => ctx.send('n2', 'micro')));
    });
    const r = await simulate(create, ZERO_LATENCY);
    expect(r.outcome).toBe('completed');
    expect(arrivals).toEqual([5]);
  });

  it('a continuation after ctx.sleep runs at the wake time, then settles fully', async () => {
    const { arrivals, create } = timerThen(async (ctx) => {
      await ctx.sleep(10);
      await hops(30);
      ctx.send('n2', 'slept');
    });
    await simulate(create, ZERO_LATENCY);
    expect(arrivals).toEqual([15]);
  });

  it('a sleep still pending at the end of the run is reported, not dropped', async () => {
    const { create } = timerThen(async (ctx) => {
      await ctx.sleep(10_000);
      ctx.send('n2', 'never');
    });
    const r = await simulate(create, { ...ZERO_LATENCY, healAtMs: 100 });
    expect(r.pending).toEqual([{ node: 'n1', kind: 'sleep', sinceMs: 5 }]);
    expect(r.trace.filter((e) => e.kind === 'pending').map((e) => e.node)).toEqual(['n1']);
  });

  it('an await loop past the settle bound ends its own run with a verdict', async () => {
    // Finite (a truly endless one is caught the same way, but keeps the thread busy until the
    // explorer's watchdog ends the worker); one that touches its ctx is stopped by the ctx.
    const { create } = timerThen(async () => {
      await hops(MAX_SETTLE_ROUNDS + 10);
    });
    const r = await simulate(create, ZERO_LATENCY);
    expect(r.outcome).toBe('step-budget');
    expect(r.error?.message).toMatch(/microtask rounds/);
  }, 60_000);

  it('an endless await loop that uses its ctx is stopped once its run has ended', async () => {
    let stoppedBy: unknown;
    const { create } = timerThen(async (ctx) => {
      try {
        for (;;) {
          ctx.random();
          await null;
        }
      } catch (e) {
        stoppedBy = e;
      }
    });
    const r = await simulate(create, ZERO_LATENCY);
    expect(r.outcome).toBe('step-budget');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(String(stoppedBy)).toMatch(/run has ended/);
  }, 60_000);
});
