import nodeCrypto, { randomBytes as namedRandomBytes } from 'node:crypto';
import os from 'node:os';
import timers from 'node:timers';
import timersPromises from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { checkDeterminism } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';
import { counterProtocol, statelessProtocol } from '../fixtures/module-state.ts';
import type { NodeCtx, NodeHandlers } from '../../src/node/api.ts';
import { simulate } from './helpers.ts';

// References a module takes at load time, before any run: they must be caught all the same.
const capturedRandom = Math.random;
const capturedNow = Date.now;

/** [what the test calls, the call, the fix the error names, the call the error names if not the first]. */
const forbidden: Array<[string, () => unknown, string, string?]> = [
  ['Math.random()', () => Math.random(), 'ctx.random()'],
  ['Date.now()', () => Date.now(), 'ctx.now()'],
  ['performance.now()', () => performance.now(), 'ctx.now()'],
  ['setTimeout()', () => setTimeout(() => undefined, 1), 'ctx.setTimer'],
  ['setInterval()', () => setInterval(() => undefined, 1), 'ctx.setTimer'],
  ['setImmediate()', () => setImmediate(() => undefined), 'ctx.setTimer'],
  ['new Date()', () => new Date(), 'new Date(ctx.now())'],
  ['Date()', () => Date(), 'ctx.now()'],
  ['String(new Date())', () => String(new Date()), 'ctx.now()', 'new Date()'],
  ['performance.timeOrigin', () => performance.timeOrigin, 'ctx.now()'],
  ['performance.mark()', () => performance.mark('x'), 'ctx.now()'],
  ['process.hrtime()', () => process.hrtime(), 'ctx.now()'],
  ['process.hrtime.bigint()', () => process.hrtime.bigint(), 'ctx.now()'],
  ['process.uptime()', () => process.uptime(), 'ctx.now()'],
  ['process.memoryUsage()', () => process.memoryUsage(), 'ctx.now()'],
  ['process.cpuUsage()', () => process.cpuUsage(), 'ctx.now()'],
  ['crypto.randomUUID()', () => crypto.randomUUID(), 'ctx.random()'],
  ['crypto.getRandomValues()', () => globalThis.crypto.getRandomValues(new Uint8Array(4)), 'ctx.random()'],
  ['crypto.randomBytes()', () => nodeCrypto.randomBytes(4), 'ctx.random()'],
  ['crypto.randomUUID()', () => nodeCrypto.randomUUID(), 'ctx.random()'],
  ['crypto.randomInt()', () => nodeCrypto.randomInt(10), 'ctx.random()'],
  ['crypto.randomBytes()', () => namedRandomBytes(4), 'ctx.random()'],
  ['crypto.getRandomValues()', () => nodeCrypto.webcrypto.getRandomValues(new Uint8Array(4)), 'ctx.random()'],
  ['os.uptime()', () => os.uptime(), 'ctx.now()'],
  ['timers.setTimeout()', () => timers.setTimeout(() => undefined, 1), 'ctx.setTimer'],
  ['timers/promises.setTimeout()', () => void timersPromises.setTimeout(1), 'ctx.setTimer'],
  ['crypto.subtle.digest()', () => void crypto.subtle.digest('SHA-256', new Uint8Array(4)).catch(() => undefined), 'createHash'],
  ['crypto.subtle.generateKey()', () => void nodeCrypto.webcrypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']).catch(() => undefined), 'createHash'],
  ['crypto.pbkdf2()', () => nodeCrypto.pbkdf2('pw', 'salt', 1, 8, 'sha256', () => undefined), 'Sync forms'],
  ['crypto.generateKeyPairSync()', () => nodeCrypto.generateKeyPairSync('ed25519'), 'ctx.random()'],
  ['Intl.DateTimeFormat#format() without a date', () => new Intl.DateTimeFormat('en').format(), 'format(ctx.now())'],
  ['Intl.DateTimeFormat#formatToParts() without a date', () => Intl.DateTimeFormat('en').formatToParts(), 'ctx.now()'],
  ['captured Math.random()', () => capturedRandom(), 'ctx.random()', 'Math.random()'],
  ['captured Date.now()', () => capturedNow(), 'ctx.now()', 'Date.now()'],
  ['new WeakRef()', () => new WeakRef({}), 'garbage collector'],
  ['new FinalizationRegistry()', () => new FinalizationRegistry(() => undefined), 'garbage collector'],
];

describe('determinism guard', () => {
  for (const [label, fn, fix, named] of forbidden) {
    const call = named ?? label;
    it(`catches ${label} in a handler and names the fix`, async () => {
      const r = await simulate((ctx: NodeCtx): NodeHandlers => ({ onStart: () => void ctx.setTimer(5, 't'), onTimer: () => void fn() }));
      expect(r.outcome).toBe('nondeterminism');
      expect(r.error?.message).toContain(call);
      expect(r.error?.message).toContain(fix);
      expect(r.error?.node).toBe('n1');
    });

    it(`catches ${label} in an async continuation, even if the protocol swallows the error`, async () => {
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

  it('keeps Date usable for given values: parsing, arithmetic, formatting a given instant', async () => {
    let seen: unknown;
    const r = await simulate((ctx: NodeCtx): NodeHandlers => ({
      onStart() {
        const d = new Date(Date.UTC(2024, 0, 2) + ctx.now());
        seen = [d.toISOString(), Date.parse('2024-01-02T00:00:00Z'), new Date('2024-01-02').getTime(), d instanceof Date];
      },
    }));
    expect(r.outcome).toBe('completed');
    expect(seen).toEqual(['2024-01-02T00:00:00.000Z', 1704153600000, 1704153600000, true]);
  });

  it('keeps Intl formatting of a given instant usable in protocol code', async () => {
    let formatted = '';
    const r = await simulate((ctx: NodeCtx): NodeHandlers => ({
      onStart: () => {
        formatted = new Intl.DateTimeFormat('en', { timeZone: 'UTC', year: 'numeric' }).format(ctx.now() + 86_400_000 * 400);
      },
    }));
    expect(r.outcome).not.toBe('nondeterminism');
    expect(formatted).toBe('1971');
  });

  it('runs queueMicrotask and process.nextTick callbacks from protocol code at the same instant', async () => {
    const at: number[] = [];
    const r = await simulate((ctx: NodeCtx): NodeHandlers => ({
      onStart: () => void ctx.setTimer(7, 't'),
      onTimer() {
        queueMicrotask(() => at.push(ctx.now()));
        process.nextTick(() => at.push(ctx.now()));
      },
    }));
    expect(r.outcome).toBe('completed');
    expect(at).toEqual([7, 7, 7, 7, 7, 7]);
  });

  it('a throw inside a protocol microtask ends the run as crashed, not the process', async () => {
    const r = await simulate((ctx: NodeCtx): NodeHandlers => ({
      onStart: () => void ctx.setTimer(7, 't'),
      onTimer() {
        queueMicrotask(() => {
          throw new Error('boom in a microtask');
        });
      },
    }));
    expect(r.outcome).toBe('crashed');
    expect(r.error?.message).toMatch(/boom in a microtask/);
  });

  it('--check-determinism sees module-level state that survives from one seed to the next', async () => {
    const stateful = await checkDeterminism(counterProtocol, { options: resolveOptions(counterProtocol, { seed: 3, nemesis: [] }) });
    expect(stateful.same).toBe(false);
    const clean = await checkDeterminism(statelessProtocol, { options: resolveOptions(statelessProtocol, { seed: 3, nemesis: [] }) });
    expect(clean.same).toBe(true);
  });

  it('leaves the real functions working outside protocol code, and restores them after the run', async () => {
    const before = [Math.random, Date, performance.now, process.hrtime, nodeCrypto.randomBytes, setTimeout, queueMicrotask, process.nextTick];
    await simulate((ctx: NodeCtx): NodeHandlers => ({ onStart: () => void ctx.random() }));
    expect([Math.random, Date, performance.now, process.hrtime, nodeCrypto.randomBytes, setTimeout, queueMicrotask, process.nextTick]).toEqual(before);
    // A named import of a builtin keeps the guarded wrapper, which is the original outside runs.
    expect(namedRandomBytes(4)).toHaveLength(4);
    expect(typeof Date.now()).toBe('number');
  });
});
