import { describeFault, faultKindOf, type Fault, type FaultWorld } from '../faults/index.ts';
import type { Network } from '../network/network.ts';
import type { ByzantineRuntime } from './byzantine.ts';
import { EventKind, planEvent, type SimEvent } from './events.ts';
import type { NodeRuntime } from './node-runtime.ts';
import { FingerprintTag, type Recorder } from './recorder.ts';

/** What fault application needs from the simulator. */
export interface FaultHost {
  readonly recorder: Recorder;
  readonly network: Network;
  readonly nodeIds: readonly string[];
  readonly byzantine: ByzantineRuntime;
  nowMs(): number;
  push(atMs: number, ev: SimEvent): void;
  node(index: number): NodeRuntime;
  nodeOf(id: string, what: string): number;
  crashNode(n: NodeRuntime): void;
  restartNode(n: NodeRuntime): void;
  /** Tells a running node it is leaving (its `onLeave`). */
  leaveNotice(n: NodeRuntime, graceMs: number): void;
  /** Stops the node if it is up and wipes its disk (it left for good). */
  removeNode(n: NodeRuntime): void;
  pauseNode(n: NodeRuntime): void;
  resumeNode(n: NodeRuntime): void;
  /** Re-sends messages released from a clogged link, each with a fresh latency. */
  release(held: SimEvent[], from: number, to: number): void;
}

/**
 * Applies the run's fault plan: starts and ends each fault through its kind's table entry, and
 * ends them all at the final heal. Implements the `FaultWorld` the fault kinds act on.
 */
export class FaultPlan implements FaultWorld {
  private readonly active: boolean[];
  /** Trace index of each fault's start event (the cause of its end), or -1. */
  private readonly startedAt: number[];
  private healed = false;

  constructor(
    private readonly host: FaultHost,
    private readonly faults: readonly Fault[],
  ) {
    this.active = faults.map(() => false);
    this.startedAt = faults.map(() => -1);
    const nodes = new Set(host.nodeIds);
    faults.forEach((f, i) => {
      if (!(Number.isFinite(f.atMs) && Number.isFinite(f.durationMs) && f.atMs >= 0 && f.durationMs >= 0)) {
        throw new Error(`assertion failed: fault ${i} has a negative or non-finite time`);
      }
      const problem = faultKindOf(f).validate(f as unknown as Record<string, unknown>, nodes);
      if (problem !== undefined) throw new Error(`fault ${i} (${f.kind}): ${problem}`);
      host.push(f.atMs, planEvent(EventKind.FaultStart, i));
    });
  }

  get isHealed(): boolean {
    return this.healed;
  }

  start(i: number): void {
    assertIndex(i, this.faults.length);
    if (this.healed) return;
    const f = this.faults[i];
    if (this.active[i]) throw new Error(`assertion failed: fault ${i} started twice`);
    const kind = faultKindOf(f);
    const rec = this.host.recorder;
    // A crash of a node that is down, or a pause of one that is down or paused, does nothing.
    const applied = kind.applies(f, this);
    rec.tag(FingerprintTag.FaultStart, this.host.nowMs(), i, applied ? 1 : 0);
    if (!applied) {
      rec.begin('fault', { fault: i, detail: `${describeFault(f)} (no effect: node already down or paused)` }, -1);
      return;
    }
    // Recorded before its effects, so the trace reads cause first.
    rec.begin('fault', { fault: i, detail: describeFault(f) }, -1);
    this.startedAt[i] = rec.current;
    this.active[i] = true;
    rec.stats.faults++;
    kind.apply(f, this, i);
    this.host.push(this.host.nowMs() + f.durationMs, planEvent(EventKind.FaultEnd, i));
  }

  end(i: number): void {
    assertIndex(i, this.faults.length);
    if (!this.active[i]) return;
    this.active[i] = false;
    const f = this.faults[i];
    faultKindOf(f).revert(f, this, i);
    this.host.recorder.tag(FingerprintTag.FaultEnd, this.host.nowMs(), i);
    this.host.recorder.record('heal', { fault: i, detail: `end of ${describeFault(f)}` }, this.startedAt[i]);
  }

  tick(ev: SimEvent): void {
    assertIndex(ev.subject, this.faults.length);
    const f = this.faults[ev.subject];
    if (!this.active[ev.subject]) return;
    faultKindOf(f).tick?.(f, this, ev.subject, ev.payload as number);
  }

  /** The final heal: every active fault ends. */
  healAll(): void {
    this.healed = true;
    this.faults.forEach((_, i) => this.end(i));
    this.host.recorder.tag(FingerprintTag.Heal, this.host.nowMs());
  }

  // ---- FaultWorld -------------------------------------------------------------------------------

  nodeIndex(id: string): number {
    return this.host.nodeOf(id, 'a fault');
  }
  isUp(node: number): boolean {
    return this.host.node(node).up;
  }
  isPaused(node: number): boolean {
    return this.host.node(node).paused;
  }
  cutLink(from: number, to: number, delta: 1 | -1): void {
    this.host.network.cut(from, to, delta);
  }
  clogLink(from: number, to: number): void {
    this.host.network.clog(from, to);
  }
  unclogLink(from: number, to: number): void {
    this.host.release(this.host.network.unclog(from, to) as SimEvent[], from, to);
  }
  lossSpike(rate: number, on: boolean): void {
    this.host.network.lossSpike(rate, on);
  }
  dupSpike(rate: number, on: boolean): void {
    this.host.network.dupSpike(rate, on);
  }
  crash(node: number): void {
    this.host.crashNode(this.host.node(node));
  }
  restart(node: number, fault: number): void {
    const n = this.host.node(node);
    // Already up: another fault (a churn ending first) started it again; only churn plans get here.
    if (n.up) return;
    this.host.recorder.begin('restart', { node: n.id, fault }, this.startedAt[fault]);
    this.host.restartNode(n);
  }
  leaveNotice(node: number, fault: number, graceMs: number): void {
    const n = this.host.node(node);
    if (!(n.up && !n.paused)) throw new Error(`assertion failed: leave notice to ${n.id}, which is down or paused (fault ${fault})`);
    this.host.leaveNotice(n, graceMs);
  }
  removeNode(node: number, fault: number, why: string): void {
    const n = this.host.node(node);
    this.host.recorder.record('crash', { node: n.id, fault, detail: `${why}, disk wiped` });
    this.host.removeNode(n);
  }
  pause(node: number, fault: number): void {
    const n = this.host.node(node);
    this.host.recorder.record('pause', { node: n.id, fault });
    this.host.pauseNode(n);
  }
  resume(node: number, fault: number): void {
    const n = this.host.node(node);
    this.host.recorder.record('resume', { node: n.id, fault }, this.startedAt[fault]);
    this.host.resumeNode(n);
  }
  skewClock(node: number, offsetMs: number, rate: number): void {
    const n = this.host.node(node);
    const now = this.host.nowMs();
    n.setClock(now, n.localNow(now) - n.strobeOffsetMs + offsetMs, rate);
  }
  setStrobeOffset(node: number, offsetMs: number): void {
    this.host.node(node).strobeOffsetMs = offsetMs;
  }
  resetClock(node: number): void {
    const n = this.host.node(node);
    n.strobeOffsetMs = 0;
    n.setClock(this.host.nowMs(), this.host.nowMs(), 1);
  }
  scheduleTick(fault: number, node: number, afterMs: number, phase: number): void {
    this.host.push(this.host.nowMs() + afterMs, planEvent(EventKind.FaultTick, fault, node, phase));
  }
  silence(node: number, delta: 1 | -1): void {
    this.host.byzantine.silence(node, delta);
  }
  corrupt(node: number, fault: number, percent: number, seed: number): void {
    this.host.byzantine.corrupt(node, fault, percent, seed);
  }
  replayStart(node: number, fault: number, seed: number): void {
    this.host.byzantine.replayStart(node, fault, seed);
  }
  replayOne(node: number, fault: number): void {
    this.host.byzantine.replayOne(node, fault);
  }
  replayStop(node: number, fault: number): void {
    this.host.byzantine.replayStop(node, fault);
  }
  equivocate(node: number, fault: number, side: readonly number[], seed: number): void {
    this.host.byzantine.equivocate(node, fault, side, seed);
  }
  endEquivocate(node: number, fault: number): void {
    this.host.byzantine.endEquivocate(node, fault);
  }
}


function assertIndex(i: number, count: number): void {
  if (!(Number.isInteger(i) && i >= 0 && i < count)) throw new Error(`assertion failed: fault index ${i} of ${count}`);
}
