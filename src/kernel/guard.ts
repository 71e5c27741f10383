/**
 * The determinism guard. While protocol code runs (a handler, or a continuation of one), every real
 * source of time, entropy and scheduling reachable from it throws an error that names the call and
 * the ctx method to use instead, so nondeterminism is caught at the line that introduced it, never
 * silently real. The first such call is also remembered, so a protocol that swallows the error is
 * caught anyway. Outside protocol code (the kernel, the test runner) everything behaves as usual,
 * and the originals are back once no run is in progress.
 *
 * Caught: `Math.random`; `Date.now`, `new Date()` and `Date()` without arguments (a `Date` built
 * from a given value, `Date.parse` and `Date.UTC` stay usable: they read no clock);
 * `performance.now` / `timeOrigin` / `mark` / `measure`; `process.hrtime` (and `.bigint`),
 * `process.uptime`, `process.memoryUsage`, `process.cpuUsage`, `process.resourceUsage`;
 * `crypto.randomUUID` / `getRandomValues` / `randomBytes` / `randomInt` / `randomFill(Sync)` (global
 * `crypto` and `node:crypto`); `os.uptime` / `freemem` / `loadavg` / `cpus`; `setTimeout`,
 * `setInterval`, `setImmediate` (global and `node:timers`), `node:timers/promises`; `WeakRef` and
 * `FinalizationRegistry` (what they see depends on the garbage collector).
 * Made deterministic instead of caught: `queueMicrotask` and `process.nextTick` from protocol code
 * run as microtasks the simulator settles at the same virtual instant.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { noteMicrotaskQueued, noteMicrotaskRun } from './microtasks.ts';

export class DeterminismError extends Error {
  constructor(call: string, fix: string) {
    super(`${call} was called from protocol code during a simulated run; use ${fix} instead (it is seeded and virtual)`);
    this.name = 'DeterminismError';
  }
}

type Obj = Record<string, unknown>;

interface Patch {
  /** Where the property lives (evaluated at install: some targets are earlier patches). */
  target: () => Obj | undefined;
  key: string;
  call: string;
  fix: string;
  /** `getter`: a property read (performance.timeOrigin); default: a function. */
  kind?: 'getter';
}

const require = createRequire(import.meta.url);
const nodeCrypto = require('node:crypto') as Obj;
const nodeOs = require('node:os') as Obj;
const nodeTimers = require('node:timers') as Obj;
const nodeTimersPromises = require('node:timers/promises') as Obj;
const g = globalThis as unknown as Obj;

const TIME = 'ctx.now()';
const TIMER = 'ctx.setTimer() or ctx.sleep()';
const RANDOM = 'ctx.random() / ctx.randomInt()';

function fns(target: () => Obj | undefined, prefix: string, keys: string[], fix: string): Patch[] {
  return keys.map((key) => ({ target, key, call: `${prefix}${key}()`, fix }));
}

const patches: Patch[] = [
  { target: () => Math as unknown as Obj, key: 'random', call: 'Math.random()', fix: 'ctx.random()' },
  { target: () => Date as unknown as Obj, key: 'now', call: 'Date.now()', fix: TIME },
  ...fns(() => g.performance as Obj, 'performance.', ['now', 'mark', 'measure'], TIME),
  { target: () => g.performance as Obj, key: 'timeOrigin', call: 'performance.timeOrigin', fix: TIME, kind: 'getter' },
  ...fns(() => process as unknown as Obj, 'process.', ['hrtime', 'uptime', 'memoryUsage', 'cpuUsage', 'resourceUsage'], TIME),
  { target: () => process.hrtime as unknown as Obj, key: 'bigint', call: 'process.hrtime.bigint()', fix: TIME },
  ...fns(() => g.crypto as Obj | undefined, 'crypto.', ['randomUUID', 'getRandomValues'], RANDOM),
  ...fns(() => nodeCrypto, 'crypto.', ['randomUUID', 'getRandomValues', 'randomBytes', 'pseudoRandomBytes', 'randomInt', 'randomFill', 'randomFillSync'], RANDOM),
  ...fns(() => nodeOs, 'os.', ['uptime', 'freemem', 'loadavg', 'cpus'], TIME),
  ...fns(() => g, '', ['setTimeout', 'setInterval', 'setImmediate'], TIMER),
  ...fns(() => nodeTimers, 'timers.', ['setTimeout', 'setInterval', 'setImmediate'], TIMER),
  ...fns(() => nodeTimersPromises, 'timers/promises.', ['setTimeout', 'setInterval', 'setImmediate'], TIMER),
  ...fns(() => nodeTimersPromises.scheduler as Obj | undefined, 'scheduler.', ['wait', 'yield'], TIMER),
  { target: () => g, key: 'WeakRef', call: 'new WeakRef()', fix: 'a plain reference (what a WeakRef sees depends on the garbage collector)' },
  { target: () => g, key: 'FinalizationRegistry', call: 'new FinalizationRegistry()', fix: 'explicit cleanup (finalizers run when the garbage collector decides)' },
];

let installs = 0;
let esmSynced = false;
let inProtocol = false;
/** The first violation seen while in protocol code; a protocol may swallow the throw, we do not. */
let violation: DeterminismError | undefined;
/** The first error thrown by a protocol's `queueMicrotask` / `nextTick` callback. */
let escaped: { error: unknown } | undefined;
/** What install replaced, to put back: target, key, original descriptor. */
let saved: Array<[Obj, string, PropertyDescriptor | undefined]> = [];

function violate(call: string, fix: string): never {
  const err = new DeterminismError(call, fix);
  violation ??= err;
  throw err;
}

function guardedFunction(p: Patch, original: (...args: unknown[]) => unknown): unknown {
  const replacement = function (this: unknown, ...args: unknown[]): unknown {
    if (inProtocol) violate(p.call, p.fix);
    // `new WeakRef(x)` outside protocol code must still construct.
    return new.target ? Reflect.construct(original, args, new.target) : original.apply(this, args);
  };
  // Keep util.promisify(setTimeout), hrtime.bigint and friends working outside protocol code.
  Object.assign(replacement, original);
  if (original.prototype !== undefined) replacement.prototype = original.prototype;
  return replacement;
}

/** `Date` with the clock-reading forms caught: `new Date()` and `Date()`; given values still parse. */
function guardedDate(RealDate: DateConstructor): DateConstructor {
  const GuardedDate = function (this: unknown, ...args: unknown[]): unknown {
    if (!new.target) {
      if (inProtocol) violate('Date()', `${TIME} (and new Date(ctx.now()) for a date)`);
      return RealDate();
    }
    if (args.length === 0 && inProtocol) violate('new Date()', `new Date(${TIME})`);
    return Reflect.construct(RealDate, args, new.target);
  } as unknown as DateConstructor;
  Object.setPrototypeOf(GuardedDate, RealDate);
  Object.defineProperty(GuardedDate, 'prototype', { value: RealDate.prototype });
  return GuardedDate;
}

/**
 * Replaces one property. A writable data property is assigned, never redefined: redefining changes
 * its attributes, which turns objects like `Math` into slow dictionary objects for good (every
 * `Math.imul` of the fingerprint hash would pay for it).
 */
function replace(target: Obj, key: string, descriptor: PropertyDescriptor): void {
  const own = Object.getOwnPropertyDescriptor(target, key);
  if (own !== undefined && 'value' in own && 'value' in descriptor) {
    if (own.writable !== true) return;
    saved.push([target, key, own]);
    target[key] = descriptor.value;
    return;
  }
  if (own !== undefined && !own.configurable) return;
  saved.push([target, key, own]);
  Object.defineProperty(target, key, { configurable: true, enumerable: true, ...descriptor });
}

function install(): void {
  saved = [];
  replace(g, 'Date', { value: guardedDate(Date), writable: true, enumerable: false });
  for (const p of patches) {
    const target = p.target();
    if (target === undefined || !(p.key in target)) continue;
    if (p.kind === 'getter') {
      const original = Reflect.get(target, p.key);
      replace(target, p.key, { get: () => (inProtocol ? violate(p.call, p.fix) : original) });
      continue;
    }
    const original = target[p.key];
    if (typeof original !== 'function') continue;
    replace(target, p.key, { value: guardedFunction(p, original as (...args: unknown[]) => unknown), writable: true });
  }
  replace(g, 'queueMicrotask', { value: trackedQueueMicrotask(g.queueMicrotask as typeof queueMicrotask), writable: true });
  replace(process as unknown as Obj, 'nextTick', { value: trackedNextTick(process.nextTick), writable: true });
  // Named ESM imports of builtins (`import { randomBytes } from 'node:crypto'`) see the guarded
  // functions from the first install on; outside protocol code those behave as the originals, so
  // they are left in place (syncing on every run costs about a millisecond).
  if (!esmSynced) {
    esmSynced = true;
    syncBuiltinESMExports();
  }
}

function uninstall(): void {
  for (const [target, key, descriptor] of saved.reverse()) {
    if (descriptor === undefined) delete target[key];
    else if ('value' in descriptor) target[key] = descriptor.value;
    else Object.defineProperty(target, key, descriptor);
  }
  saved = [];
}

/** `queueMicrotask` from protocol code: counted, so the simulator settles it at the same instant. */
function trackedQueueMicrotask(original: typeof queueMicrotask): typeof queueMicrotask {
  return (callback: () => void) => {
    if (!inProtocol) return original(callback);
    if (typeof callback !== 'function') return original(callback);
    noteMicrotaskQueued();
    original(() => {
      noteMicrotaskRun();
      const prev = enterProtocol();
      try {
        callback();
      } catch (e) {
        // Thrown from a microtask it would take the whole process down: it is the run's verdict.
        escaped ??= { error: e };
      } finally {
        leaveProtocol(prev);
      }
    });
  };
}

/** `process.nextTick` from protocol code becomes a tracked microtask (ticks would run after the run). */
function trackedNextTick(original: typeof process.nextTick): typeof process.nextTick {
  return ((callback: (...args: unknown[]) => void, ...args: unknown[]) => {
    if (!inProtocol) return original(callback, ...args);
    const run = () => callback(...args);
    return (g.queueMicrotask as typeof queueMicrotask)(run);
  }) as typeof process.nextTick;
}

/** Installs the guard for the duration of a run (nested runs share one install). */
export function acquireGuard(): () => void {
  if (installs === 0) {
    try {
      install();
    } catch (e) {
      uninstall();
      throw e;
    }
  }
  installs++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--installs === 0) uninstall();
  };
}

/** Marks entry into protocol code; returns the previous mark to restore. */
export function enterProtocol(): boolean {
  const prev = inProtocol;
  inProtocol = true;
  return prev;
}

export function leaveProtocol(prev: boolean): void {
  inProtocol = prev;
}

/** Returns and clears the first violation recorded since the last call. */
export function takeViolation(): DeterminismError | undefined {
  const v = violation;
  violation = undefined;
  return v;
}

/** Returns and clears the first error a protocol microtask threw (see `queueMicrotask` above). */
export function takeEscapedError(): { error: unknown } | undefined {
  const e = escaped;
  escaped = undefined;
  return e;
}
