/**
 * In-process mode: runs an unmodified JavaScript Maelstrom node inside a `node:vm` context whose
 * stdin, stdout, stderr, readline, console, timers, Date, Math.random, performance and crypto
 * randomness are the simulation's, so a run is a pure function of its seed (replayable and
 * shrinkable). Each node incarnation gets a fresh context; `require` loads the program's own files
 * (and packages it depends on) into that context. CommonJS runs as is; ES module syntax (static
 * `import`/`export`, top-level await) goes through a small source rewrite to CommonJS.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire, builtinModules } from 'node:module';
import * as nodeCrypto from 'node:crypto';
import path from 'node:path';
import { format } from 'node:util';
import vm from 'node:vm';
import type { NodeCtx } from '../node/api.ts';
import { TIMER_JS, type Program, type ProgramFactory, type ProgramSink } from './host.ts';
import { toEsmFreeSource } from './esm.ts';
import { SimReadline, SimStdin } from './stdio.ts';

/** Virtual wall clock origin: `Date.now()` in a node is this plus the node's virtual clock. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2025, 0, 1);

/** Thrown inside the program by `process.exit()`, caught at the host boundary. */
class ProgramExit extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

/** Modules a simulated node may not use in-process (they reach the real OS or threads). */
const refused = new Set(['child_process', 'worker_threads', 'cluster', 'net', 'http', 'https', 'http2', 'dgram', 'tls', 'inspector']);

interface Compiled {
  script: vm.Script;
  /** Rewritten ES module: the wrapper returns a promise (top-level await). */
  async: boolean;
}

/** Compiled sources shared by every instance of one program (a compile per file, not per node). */
class SourceCache {
  private readonly scripts = new Map<string, Compiled>();

  get(file: string): Compiled {
    let c = this.scripts.get(file);
    if (c) return c;
    const text = readFileSync(file, 'utf8').replace(/^#!.*/, '');
    const esm = file.endsWith('.mjs') || (!file.endsWith('.cjs') && /^\s*(import\s[\s\S]*?from\s*['"]|import\s*['"]|export\s)/m.test(text));
    const body = esm ? toEsmFreeSource(text) : text;
    const head = esm ? '(async function (exports, require, module, __filename, __dirname, __importMetaUrl) {' : '(function (exports, require, module, __filename, __dirname) {';
    c = { script: new vm.Script(`${head}${body}\n})`, { filename: file }), async: esm };
    this.scripts.set(file, c);
    return c;
  }
}

/**
 * A program factory for a JavaScript node file, run in-process.
 *
 * @example
 * const factory = jsProgram('/path/to/echo.js', []);
 * // create: (ctx) => new MaelstromHost(ctx, { ..., program: factory })
 */
export function jsProgram(file: string, args: readonly string[]): ProgramFactory {
  const abs = path.resolve(file);
  const cache = new SourceCache();
  return (ctx, _nodeId, sink) => new JsInstance(abs, args, cache, ctx, sink);
}

interface TimerEntry {
  fn: (...a: unknown[]) => void;
  args: unknown[];
  intervalMs: number | undefined;
  ctxTimer: number;
}

class JsInstance implements Program {
  private readonly stdin = new SimStdin();
  private readonly timers = new Map<number, TimerEntry>();
  private nextTimer = 1;
  private stopped = false;
  private outBuf = '';
  private errBuf = '';
  private readonly modules = new Map<string, { exports: unknown }>();
  private readonly context: vm.Context;

  constructor(
    private readonly file: string,
    private readonly args: readonly string[],
    private readonly cache: SourceCache,
    private readonly ctx: NodeCtx,
    private readonly sink: ProgramSink,
  ) {
    this.context = vm.createContext(this.globals());
    this.patchIntrinsics();
    this.guard(() => this.load(file));
  }

  write(line: string): void {
    if (!this.stopped) this.guard(() => this.stdin.pushLine(line));
  }

  fireTimer(id: number): void {
    const t = this.timers.get(id);
    if (!t || this.stopped) return;
    if (t.intervalMs !== undefined) t.ctxTimer = this.ctx.setTimer(t.intervalMs, TIMER_JS, id);
    else this.timers.delete(id);
    this.guard(() => t.fn(...t.args));
  }

  stop(): void {
    this.stopped = true;
    this.timers.clear();
  }

  unterminated(): string | undefined {
    return this.outBuf.trim() === '' ? undefined : this.outBuf;
  }

  /** Runs program code; `process.exit` ends this instance (reported), anything else is the run's verdict. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof ProgramExit)) throw e;
      this.exit(e.code);
    }
  }

  private exit(code: number): void {
    if (this.stopped) return;
    this.flush();
    this.stop();
    this.sink.exited(`process.exit(${code})`);
  }

  private flush(): void {
    if (this.outBuf) this.sink.stdout(this.outBuf);
    if (this.errBuf) this.sink.stderr(this.errBuf);
    this.outBuf = this.errBuf = '';
  }

  private out(chunk: unknown, toErr: boolean): boolean {
    if (this.stopped) return true;
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
    let buf = (toErr ? this.errBuf : this.outBuf) + text;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (toErr) this.sink.stderr(line);
      else this.sink.stdout(line);
    }
    if (toErr) this.errBuf = buf;
    else this.outBuf = buf;
    return true;
  }

  private setTimer(fn: unknown, ms: unknown, args: unknown[], repeat: boolean): object {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    const id = this.nextTimer++;
    const delayMs = Math.max(repeat ? 1 : 0, Math.floor(Number(ms) || 0));
    const ctxTimer = this.ctx.setTimer(delayMs, TIMER_JS, id);
    this.timers.set(id, { fn: fn as TimerEntry['fn'], args, intervalMs: repeat ? delayMs : undefined, ctxTimer });
    return timeoutHandle(id);
  }

  private clearTimer(handle: unknown): void {
    // Number() coerces a handle object through its Symbol.toPrimitive to the timer id.
    const id = Number(handle);
    const t = this.timers.get(id);
    if (!t) return;
    this.ctx.cancelTimer(t.ctxTimer);
    this.timers.delete(id);
  }

  private globals(): Record<string, unknown> {
    const ctx = this.ctx;
    const stdout = streamLike(1, (c) => this.out(c, false));
    const stderr = streamLike(2, (c) => this.out(c, true));
    const proc = this.processObject(stdout, stderr);
    const log = (...a: unknown[]) => void this.out(`${format(...a)}\n`, false);
    const err = (...a: unknown[]) => void this.out(`${format(...a)}\n`, true);
    const setTimeout = (fn: unknown, ms?: unknown, ...args: unknown[]) => this.setTimer(fn, ms, args, false);
    const setInterval = (fn: unknown, ms?: unknown, ...args: unknown[]) => this.setTimer(fn, ms, args, true);
    const clear = (h: unknown) => this.clearTimer(h);
    return {
      console: { log, info: log, debug: log, trace: err, error: err, warn: err, dir: log, table: log },
      process: proc,
      setTimeout,
      setInterval,
      setImmediate: (fn: unknown, ...args: unknown[]) => this.setTimer(fn, 0, args, false),
      clearTimeout: clear,
      clearInterval: clear,
      clearImmediate: clear,
      queueMicrotask,
      structuredClone,
      Buffer,
      TextEncoder,
      TextDecoder,
      URL,
      URLSearchParams,
      AbortController,
      atob,
      btoa,
      performance: { now: () => ctx.now(), timeOrigin: VIRTUAL_EPOCH_MS },
      crypto: this.cryptoObject(),
    };
  }

  private processObject(stdout: object, stderr: object): object {
    const emitter = new EventEmitter();
    return Object.assign(emitter, {
      stdin: this.stdin,
      stdout,
      stderr,
      argv: [process.execPath, this.file, ...this.args],
      argv0: 'node',
      env: { ...process.env },
      pid: 1000 + Number(this.ctx.id.slice(1)),
      platform: process.platform,
      version: process.version,
      versions: process.versions,
      execPath: process.execPath,
      exitCode: undefined,
      cwd: () => path.dirname(this.file),
      exit: (code?: number) => {
        throw new ProgramExit(code ?? 0);
      },
      nextTick: (fn: (...a: unknown[]) => void, ...args: unknown[]) => queueMicrotask(() => fn(...args)),
      hrtime: Object.assign((prev?: [number, number]) => hrtimeOf(this.ctx.now(), prev), { bigint: () => BigInt(Math.round(this.ctx.now() * 1e6)) }),
      uptime: () => this.ctx.now() / 1000,
      memoryUsage: () => process.memoryUsage(),
    });
  }

  private cryptoObject(): Record<string, unknown> {
    const random = () => this.ctx.random();
    const fill = <T extends ArrayBufferView>(view: T): T => {
      const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
      return view;
    };
    const randomBytes = (n: number) => fill(Buffer.alloc(n));
    const randomUUID = () => {
      const b = randomBytes(16);
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    };
    const randomInt = (a: number, b?: number) => (b === undefined ? Math.floor(random() * a) : a + Math.floor(random() * (b - a)));
    const randomFillSync = <T extends ArrayBufferView>(view: T) => fill(view);
    return { ...nodeCrypto, randomBytes, randomUUID, randomInt, randomFillSync, getRandomValues: fill, webcrypto: { getRandomValues: fill, randomUUID } };
  }

  /** Replaces the context's own Date and Math.random with virtual, seeded ones. */
  private patchIntrinsics(): void {
    const now = () => VIRTUAL_EPOCH_MS + Math.floor(this.ctx.now());
    const random = () => this.ctx.random();
    const install = vm.runInContext(
      `(function (now, random) {
        const RealDate = Date;
        function SimDate(...a) {
          if (!new.target) return new RealDate(now()).toString();
          return a.length === 0 ? new RealDate(now()) : new RealDate(...a);
        }
        SimDate.prototype = RealDate.prototype;
        Object.defineProperty(RealDate.prototype, 'constructor', { value: SimDate });
        SimDate.now = now;
        SimDate.parse = RealDate.parse;
        SimDate.UTC = RealDate.UTC;
        globalThis.Date = SimDate;
        Math.random = random;
      })`,
      this.context,
    ) as (n: () => number, r: () => number) => void;
    install(now, random);
  }

  private load(file: string): unknown {
    const cached = this.modules.get(file);
    if (cached) return cached.exports;
    if (file.endsWith('.json')) {
      const m = { exports: JSON.parse(readFileSync(file, 'utf8')) as unknown };
      this.modules.set(file, m);
      return m.exports;
    }
    const module = { exports: {} as unknown };
    this.modules.set(file, module);
    const compiled = this.cache.get(file);
    const wrapper = compiled.script.runInContext(this.context) as (...a: unknown[]) => unknown;
    const req = (spec: string) => this.require(spec, file);
    const out = wrapper.call(module.exports, module.exports, req, module, file, path.dirname(file), `file://${file}`);
    if (compiled.async) {
      (out as Promise<unknown>).catch((e: unknown) => {
        if (e instanceof ProgramExit) this.exit(e.code);
        else if (!this.stopped) this.sink.exited(`uncaught error in ${path.basename(file)}: ${(e as Error)?.message ?? String(e)}`);
      });
    }
    return module.exports;
  }

  private require(spec: string, from: string): unknown {
    const name = spec.startsWith('node:') ? spec.slice(5) : spec;
    if (builtinModules.includes(name)) return this.builtin(name);
    let resolved: string;
    try {
      resolved = createRequire(from).resolve(spec);
    } catch {
      throw new Error(`Cannot find module '${spec}' (required from ${from})`);
    }
    if (resolved.endsWith('.node')) throw new Error(`native addon '${spec}' cannot run in-process; run the node with --process`);
    return this.load(resolved);
  }

  private builtin(name: string): unknown {
    if (refused.has(name)) throw new Error(`module '${name}' reaches outside the simulation and cannot run in-process; run this node with --process`);
    switch (name) {
      case 'readline':
      case 'readline/promises':
        return { createInterface: (opts: unknown, output?: unknown) => new SimReadline(this.stdin, opts, output), Interface: SimReadline, default: undefined };
      case 'process':
        return this.context.process;
      case 'timers':
        return { setTimeout: this.context.setTimeout, setInterval: this.context.setInterval, setImmediate: this.context.setImmediate, clearTimeout: this.context.clearTimeout, clearInterval: this.context.clearInterval, clearImmediate: this.context.clearImmediate };
      case 'timers/promises':
        return {
          setTimeout: (ms: number, value?: unknown) => new Promise((r) => this.setTimer(r, ms, [value], false)),
          setImmediate: (value?: unknown) => new Promise((r) => this.setTimer(r, 0, [value], false)),
        };
      case 'crypto':
        return this.context.crypto;
      default:
        return createRequire(import.meta.url)(name);
    }
  }
}

/** A Node-like Timeout object: `unref`, `ref`, `hasRef`, and coercion to its id. */
function timeoutHandle(id: number): object {
  const h = {
    unref: () => h,
    ref: () => h,
    hasRef: () => true,
    refresh: () => h,
    [Symbol.toPrimitive]: () => id,
  };
  return h;
}

function streamLike(fd: number, write: (chunk: unknown) => boolean): object {
  const s = new EventEmitter();
  return Object.assign(s, {
    fd,
    isTTY: false,
    writable: true,
    write: (chunk: unknown, enc?: unknown, cb?: unknown) => {
      write(chunk);
      const done = typeof enc === 'function' ? enc : cb;
      if (typeof done === 'function') queueMicrotask(done as () => void);
      return true;
    },
    end: (chunk?: unknown) => {
      if (chunk !== undefined) write(chunk);
    },
    cork: () => {},
    uncork: () => {},
  });
}

function hrtimeOf(nowMs: number, prev?: [number, number]): [number, number] {
  let ns = Math.round(nowMs * 1e6);
  if (prev) ns -= prev[0] * 1e9 + prev[1];
  return [Math.floor(ns / 1e9), ns % 1e9];
}
