/**
 * Process mode: each node program runs as a child process (any language), speaking the protocol
 * on stdin/stdout. Every delivery, drop, duplicate and fault is still decided by the seeded
 * simulation; the processes' own timers and threads are not, so a process run reproduces the
 * schedule of deliveries, not every internal interleaving.
 *
 * Time: virtual time moves past a quantum (`quantumMs`, 5 ms) only when every process has been
 * quiet (no output) for `quietMs` of real time since the last line written to it or read from it,
 * and never ahead of real time since the start (scaled by `timeScale`), so a process's own timers
 * see about the time the simulation does. Output is stamped with the virtual time of the event
 * last dispatched (so up to a quantum late).
 * Crash = SIGKILL (restart = a fresh process and a fresh init); pause = SIGSTOP / SIGCONT.
 * Every child is killed when the run ends, on harness errors, and on exit or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CheckerResult } from '../../checkers/result.ts';
import { enterProtocol, harnessClock, leaveProtocol } from '../kernel/guard.ts';
import type { CheckingObserver } from '../run/protocol.ts';
import type { WorldView } from '../sim/simulator.ts';
import type { Program, ProgramFactory, ProgramSink } from './host.ts';

export interface ProcessOptions {
  /** Real quiet time that counts as "idle" (default 2 ms). */
  quietMs?: number;
  /** Longest real wait for one quiet period before time moves anyway (a chatty process). */
  maxQuietWaitMs?: number;
  /** Virtual ms per real ms (default 1: virtual time never runs ahead of real time). */
  timeScale?: number;
  /** Longest real wait for a process's first line (its init_ok) before time moves without it. */
  startupMs?: number;
  /**
   * Virtual ms that may pass without a quiet wait (default 5): events within one quantum are
   * dispatched back to back, so a process's answer is stamped up to this much late. 0 waits at
   * every step.
   */
  quantumMs?: number;
  /**
   * Wall-clock safety net: if virtual time has not moved for this long (a process flooding the
   * network at one instant), or lags real time by 6x this, the run stops with StallError
   * (default 10 s).
   */
  stallMs?: number;
}

/** A process run whose virtual time stopped keeping up with real time: a verdict, not a crash. */
export class StallError extends Error {}

const { nowMs: realNowMs, setTimeout: realSetTimeout, clearTimeout: realClearTimeout, setImmediate: realSetImmediate } = harnessClock;

/** Consecutive looks at the queue because of new output before time moves anyway. */
const MAX_REPEEKS = 100;

/** Every live child of this Faultline process, for the exit and signal handlers. */
const liveChildren = new Set<ChildProcess>();
let handlersInstalled = false;

function killHard(c: ChildProcess): void {
  try {
    c.kill('SIGCONT');
    c.kill('SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Kills every child process (synchronously signalled).
 *
 * @example
 * process.on('exit', killAllChildren);
 */
export function killAllChildren(): void {
  for (const c of liveChildren) killHard(c);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllChildren);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllChildren();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Runs `fn` as harness code even when called from protocol code (spawn and pipes use real timers). */
function outsideProtocol<T>(fn: () => T): T {
  const prev = enterProtocol();
  leaveProtocol(false);
  try {
    return fn();
  } finally {
    leaveProtocol(prev);
  }
}

class ChildProgram implements Program {
  readonly child: ChildProcess;
  stopped = false;
  stoppedBySignal = false;
  /** Whether it has printed its first line (its init_ok): until then it is starting, not idle. */
  started = false;
  readonly spawnedAtMs = realNowMs();

  constructor(
    readonly node: string,
    bin: string,
    args: readonly string[],
    private readonly sink: ProgramSink,
    private readonly pool: ProcessPool,
  ) {
    this.child = outsideProtocol(() => spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    liveChildren.add(this.child);
    const out = createInterface({ input: this.child.stdout!, crlfDelay: Infinity });
    out.on('line', (line) => {
      this.started = true;
      this.deliver(() => this.sink.stdout(line));
    });
    const err = createInterface({ input: this.child.stderr!, crlfDelay: Infinity });
    err.on('line', (line) => this.deliver(() => this.sink.stderr(line)));
    this.child.stdin!.on('error', () => {});
    this.child.on('error', (e) => this.deliver(() => this.sink.exited(`could not run: ${e.message}`)));
    this.child.on('exit', (code, signal) => {
      liveChildren.delete(this.child);
      this.pool.noteActivity();
      if (!this.stopped) this.deliver(() => this.sink.exited(signal ? `killed by ${signal}` : `exited with code ${code}`));
      this.stopped = true;
    });
  }

  private deliver(fn: () => void): void {
    this.pool.noteActivity(true);
    if (!this.stopped) fn();
  }

  write(line: string): void {
    if (this.stopped) return;
    this.pool.noteActivity();
    outsideProtocol(() => this.child.stdin!.write(`${line}\n`));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    killHard(this.child);
  }

  signal(sig: 'SIGSTOP' | 'SIGCONT'): void {
    if (this.stopped) return;
    try {
      this.child.kill(sig);
    } catch {
      // Gone already: its exit is reported by the exit handler.
    }
  }
}

/**
 * The children of one run: starts them, paces virtual time to them, mirrors crashes and pauses
 * onto them, and kills them all at the end.
 *
 * @example
 * const pool = new ProcessPool('./node.py', [], {});
 * try { await runScenario(def, input, { pace: pool.pace }); } finally { await pool.close(); }
 */
export class ProcessPool {
  private readonly byNode = new Map<string, ChildProgram>();
  private readonly all: ChildProgram[] = [];
  private lastActivityMs = realNowMs();
  private startMs: number | undefined;
  private outputSeen = false;
  private repeeks = 0;
  private progressVirtualMs = -1;
  private progressRealMs = realNowMs();
  private readonly stallMs: number;
  /** A line went to or came from a process since time last moved: wait for quiet before moving. */
  private dirty = true;
  private wake: (() => void) | undefined;
  private readonly quietMs: number;
  private readonly maxQuietWaitMs: number;
  private readonly timeScale: number;
  private readonly startupMs: number;
  private readonly quantumMs: number;
  /** Virtual time of the last quiet wait: until a quantum past it, time moves without waiting. */
  private quietAtMs = -Infinity;
  /** Pause and kill signals actually sent, for tests and the report. */
  readonly signals = { kill: 0, stop: 0, cont: 0 };

  constructor(
    private readonly bin: string,
    private readonly args: readonly string[],
    opts: ProcessOptions,
  ) {
    installHandlers();
    this.quietMs = opts.quietMs ?? 2;
    this.maxQuietWaitMs = opts.maxQuietWaitMs ?? 250;
    this.timeScale = opts.timeScale ?? 1;
    this.startupMs = opts.startupMs ?? 5_000;
    this.quantumMs = opts.quantumMs ?? 5;
    this.stallMs = opts.stallMs ?? 10_000;
  }

  /** The program factory for the ProtocolDef. */
  readonly factory: ProgramFactory = (_ctx, nodeId, sink) => {
    // A restart replaces the node's old process (already killed at the crash).
    this.byNode.get(nodeId)?.stop();
    const p = new ChildProgram(nodeId, this.bin, this.args, sink, this);
    this.byNode.set(nodeId, p);
    this.all.push(p);
    return p;
  };

  noteActivity(output = false): void {
    this.lastActivityMs = realNowMs();
    this.dirty = true;
    if (output) this.outputSeen = true;
    this.wake?.();
  }

  /**
   * SimConfig.pace: waits for quiet processes and for real time to catch up with `nextMs`.
   * Resolves false (look at the queue again) when output arrived meanwhile, at most
   * MAX_REPEEKS times in a row, so a process that never stops talking cannot stall time.
   */
  readonly pace = async (nextMs: number, nowMs: number): Promise<boolean> => {
    this.checkStall(nowMs);
    const go = await this.paceOnce(nextMs, nowMs);
    if (go || ++this.repeeks > MAX_REPEEKS) {
      this.repeeks = 0;
      return true;
    }
    return false;
  };

  private checkStall(nowMs: number): void {
    const now = realNowMs();
    if (nowMs > this.progressVirtualMs) {
      this.progressVirtualMs = nowMs;
      this.progressRealMs = now;
      return;
    }
    const stuckMs = now - this.progressRealMs;
    const lagMs = this.startMs === undefined || this.timeScale === Infinity ? 0 : now - this.startMs - nowMs / this.timeScale;
    if (stuckMs > this.stallMs || lagMs > 6 * this.stallMs) {
      throw new StallError(
        `virtual time stalled at ${nowMs} ms: it did not move for ${(stuckMs / 1000).toFixed(1)} s of real time (lagging by ${(lagMs / 1000).toFixed(1)} s); a process floods the network faster than the run can deliver (${this.bin})`,
      );
    }
  }

  private async paceOnce(nextMs: number, nowMs: number): Promise<boolean> {
    this.startMs ??= realNowMs();
    this.outputSeen = false;
    if (nextMs <= nowMs) {
      // Same virtual instant: let already-arrived output in, without waiting.
      await new Promise<void>((r) => realSetImmediate(r));
      return !this.outputSeen;
    }
    const began = realNowMs();
    const withinQuantum = nextMs < this.quietAtMs + this.quantumMs;
    for (;;) {
      const now = realNowMs();
      // A process still starting up (no line yet) holds time back, up to startupMs.
      const starting = this.all.some((p) => !p.started && !p.stopped && now - p.spawnedAtMs < this.startupMs);
      const quietLeft = starting ? this.quietMs : this.dirty && !withinQuantum ? this.lastActivityMs + this.quietMs - now : 0;
      const realLeft = this.startMs + nextMs / this.timeScale - now;
      const capped = !starting && now - began >= this.maxQuietWaitMs;
      const waitMs = Math.max(capped ? 0 : quietLeft, realLeft);
      if (waitMs <= 0) {
        if (this.outputSeen) return false;
        if (!withinQuantum) {
          this.dirty = false;
          this.quietAtMs = nextMs;
        }
        return true;
      }
      const before = realNowMs();
      await new Promise<void>((r) => {
        const t = realSetTimeout(() => {
          this.wake = undefined;
          r();
        }, Math.min(waitMs, 50));
        this.wake = () => {
          realClearTimeout(t);
          this.wake = undefined;
          r();
        };
      });
      // Real time spent waiting for a process to start does not count against the virtual clock.
      if (starting) this.startMs += realNowMs() - before;
      if (this.outputSeen) return false;
    }
  }

  /** Mirrors the simulator's view onto the processes: down -> killed, paused -> stopped. */
  sync(view: WorldView): void {
    for (const n of view.nodes) {
      const id = `n${Number(n.id.slice(1)) - 1}`;
      const p = this.byNode.get(id);
      if (!p || p.stopped) continue;
      if (!n.up) {
        p.stop();
        this.signals.kill++;
      } else if (n.paused && !p.stoppedBySignal) {
        p.signal('SIGSTOP');
        p.stoppedBySignal = true;
        this.signals.stop++;
      } else if (!n.paused && p.stoppedBySignal) {
        p.signal('SIGCONT');
        p.stoppedBySignal = false;
        this.signals.cont++;
      }
    }
  }

  /** How many processes were started (restarts included). */
  get started(): number {
    return this.all.length;
  }

  /** Kills every process of this run and waits (bounded) for them to be reaped. */
  async close(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const p of this.all) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
      waits.push(new Promise<void>((r) => p.child.once('exit', () => r())));
      p.stopped = true;
      killHard(p.child);
    }
    await Promise.race([Promise.all(waits), new Promise<void>((r) => realSetTimeout(r, 2000).unref())]);
  }

  /** PIDs of this run's children still running (for tests). */
  livePids(): number[] {
    return this.all.filter((p) => p.child.exitCode === null && p.child.signalCode === null).map((p) => p.child.pid!).filter(Boolean);
  }
}

/**
 * An observer that keeps the processes in step with the simulator's crashes and pauses.
 *
 * @example
 * observers: () => [new ProcessControlObserver(pool)]
 */
export class ProcessControlObserver implements CheckingObserver {
  constructor(private readonly pool: ProcessPool) {}

  observe(view: WorldView): void {
    this.pool.sync(view);
  }

  result(): CheckerResult {
    const s = this.pool.signals;
    return { checker: 'processes', verdict: 'ok', summary: `${this.pool.started} processes started; ${s.kill} killed, ${s.stop} paused, ${s.cont} resumed by the nemesis` };
  }
}
