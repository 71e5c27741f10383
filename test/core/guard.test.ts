import { describe, expect, it } from 'vitest';
import type { NodeCtx, NodeHandlers } from '../../src/node/api.ts';
import { simulate } from './helpers.ts';

const forbidden: Array<[string, () => unknown, string]> = [
  ['Math.random()', () => Math.random(), 'ctx.random()'],
  ['Date.now()', () => Date.now(), 'ctx.now()'],
  ['performance.now()', () => performance.now(), 'ctx.now()'],
  ['setTimeout()', () => setTimeout(() => undefined, 1), 'ctx.setTimer'],
  ['setInterval()', () => setInterval(() => undefined, 1), 'ctx.setTimer'],
  ['setImmediate()', () => setImmediate(() => undefined), 'ctx.setTimer'],
];

describe('determinism guard', () => {
  for (const [call, fn, fix] of forbidden) {
    it(`catches ${call} in a handler and names the fix`, async () => {
      const r = await simulate((ctx: NodeCtx): NodeHandlers => ({ onStart: () => void ctx.setTimer(5, 't'), onTimer: () => void fn() }));
      expect(r.outcome).toBe('nondeterminism');
      expect(r.error?.message).toContain(call);
      expect(r.error?.message).toContain(fix);
      expect(r.error?.node).toBe('n1');
    });

    it(`catches ${call} in an async continuation, even if the protocol swallows the error`, async () => {
      const r = await simulate((ctx: NodeCtx): NodeHandlers => ({
        async onStart() {
          await ctx.sleep(5);
          try {
            fn();
          } catch {
            // A protocol that hides the error still gets caught.
          }
        },
      }));
      expect(r.outcome).toBe('nondeterminism');
      expect(r.error?.message).toContain(call);
    });
  }

  it('leaves the real functions working outside protocol code, and restores them after the run', async () => {
    const before = Math.random;
    await simulate((ctx: NodeCtx): NodeHandlers => ({ onStart: () => void ctx.random() }));
    expect(Math.random).toBe(before);
    expect(typeof Date.now()).toBe('number');
  });
});
