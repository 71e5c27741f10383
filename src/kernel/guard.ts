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
 * `FinalizationRegistry` (what they see depends on the garbage collector); WebCrypto
 * (`crypto.subtle.*`) and node:crypto's thread-pool forms (`pbkdf2`, `scrypt`, `hkdf`,
 * `generateKey(Pair)`, `generatePrime` and their random `Sync` forms): their promises and callbacks
 * settle on a thread pool, outside virtual time; `Intl.DateTimeFormat#format()` /
 * `formatToParts()` without a date (they read the clock).
 *
 * The function patches are installed once, when this module loads, and never removed: a protocol
 * module that keeps a reference (`const now = Date.now`) holds the guarded function, which is the
 * original outside protocol code. Only what changes behaviour (the `Date` constructor,
 * `queueMicrotask`, `process.nextTick`) is swapped per run. A `Date` constructor a module captured
 * before a run (`const D = Date; new D()`) is the one gap left.
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
  /**
   * `getter`: a property read (performance.timeOrigin); `dateless`: a method caught only when called
   * without a date; `dateless-getter`: a getter returning such a function (Intl's bound `format`);
   * default: a function.
   */
  kind?: 'getter' | 'dateless' | 'dateless-getter';
}

const require = createRequire(import.meta.url);
const nodeCrypto = require('node:crypto') as Obj;
const nodeOs = require('node:os') as Obj;
const nodeTimers = require('node:timers') as Obj;
const nodeTimersPromises = require('node:timers/promises') as Obj;
const g = globalThis as unknown as Obj;

/**
 * The real clock and timers, for harness code that must wait on the real world (child processes,
 * yielding to the event loop) even while called from protocol code: taken before the patches.
 */
export const harnessClock = {
  nowMs: performance.now.bind(performance),
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setImmediate: globalThis.setImmediate,
} as const;

const TIME = 'ctx.now()';
const SYNC_HASH = "node:crypto's synchronous createHash / createHmac / *Sync forms (thread-pool work settles outside virtual time)";
const subtle = () => {
  const c = g.crypto as { subtle?: object } | undefined;
  return c?.subtle === undefined ? undefined : (Object.getPrototypeOf(c.subtle) as Obj);
};
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
  ...fns(subtle, 'crypto.subtle.', ['encrypt', 'decrypt', 'sign', 'verify', 'digest', 'generateKey', 'deriveKey', 'deriveBits', 'importKey', 'exportKey', 'wrapKey', 'unwrapKey'], SYNC_HASH),
  ...fns(() => nodeCrypto, 'crypto.', ['pbkdf2', 'scrypt', 'hkdf'], SYNC_HASH),
  ...fns(() => nodeCrypto, 'crypto.', ['generateKey', 'generateKeyPair', 'generatePrime', 'generateKeySync', 'generateKeyPairSync', 'generatePrimeSync'], RANDOM),
  { target: () => Intl.DateTimeFormat.prototype as unknown as Obj, key: 'formatToParts', call: 'Intl.DateTimeFormat#formatToParts() without a date', fix: `formatToParts(${TIME})`, kind: 'dateless' },
  { target: () => Intl.DateTimeFormat.prototype as unknown as Obj, key: 'format', call: 'Intl.DateTimeFormat#format() without a date', fix: `format(${TIME})`, kind: 'dateless-getter' },
  { target: () => g, key: 'WeakRef', call: 'new WeakRef()', fix: 'a plain reference (what a WeakRef sees depends on the garbage collector)' },
  { target: () => g, key: 'FinalizationRegistry', call: 'new FinalizationRegistry()', fix: 'explicit cleanup (finalizers run when the garbage collector decides)' },
];

let installs = 0;
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

/** A method that reads the clock only when given no date (`Intl.DateTimeFormat#format()`). */
function datelessGuard(p: Patch, original: (this: unknown, ...args: unknown[]) => unknown): (this: unknown, ...args: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]): unknown {
    if (inProtocol && args[0] === undefined) violate(p.call, p.fix);
    return original.apply(this, args);
  };
}

/** Installs one function patch for good (see the module comment: references taken later stay guarded). */
function installPatch(p: Patch): void {
  const target = p.target();
  if (target === undefined || !(p.key in target)) return;
  const own = Object.getOwnPropertyDescriptor(target, p.key);
  if (p.kind === 'getter') {
    const original = Reflect.get(target, p.key);
    replace(target, p.key, { get: () => (inProtocol ? violate(p.call, p.fix) : original) });
  } else if (p.kind === 'dateless-getter') {
    const get = own?.get;
    if (get === undefined) return;
    replace(target, p.key, { get(this: unknown) { return datelessGuard(p, get.call(this) as (...args: unknown[]) => unknown); } });
  } else {
    const original = target[p.key];
    if (typeof original !== 'function') return;
    const fn = original as (...args: unknown[]) => unknown;
    replace(target, p.key, { value: p.kind === 'dateless' ? datelessGuard(p, fn) : guardedFunction(p, fn), writable: true });
  }
}

function installForGood(): void {
  for (const p of patches) installPatch(p);
  // Named ESM imports of builtins (`import { randomBytes } from 'node:crypto'`) see the guarded
  // functions too; outside protocol code those behave as the originals.
  syncBuiltinESMExports();
  saved = [];
}

/** The per-run swaps: what behaves differently even outside a handler while installed. */
function install(): void {
  saved = [];
  replace(g, 'Date', { value: guardedDate(Date), writable: true, enumerable: false });
  replace(g, 'queueMicrotask', { value: trackedQueueMicrotask(g.queueMicrotask as typeof queueMicrotask), writable: true });
  replace(process as unknown as Obj, 'nextTick', { value: trackedNextTick(process.nextTick), writable: true });
}

function uninstall(): void {
  for (const [target, key, descriptor] of saved.reverse()) {
    if (descriptor === undefined) delete target[key];
    else if ('value' in descriptor) target[key] = descriptor.value;
    else Object.defineProperty(target, key, descriptor);
  }
  saved = [];
}

installForGood();

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
