import { always } from '../../checkers/invariant.ts';
import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/node/api.ts';
import type { CheckingObserver, ProtocolDef } from '../../src/run/protocol.ts';
import type { WorldView } from '../../src/sim/simulator.ts';
import type { Workload } from '../../src/workload/workload.ts';

/**
 * Primary-backup replication of one compare-and-set register, with view changes run by a static
 * view manager.
 *
 * Node `n1` is the view manager (VM): it stores no register, it only decides views. Every other
 * node is a replica. A view is `(epoch, primary, backups)`; the VM numbers views by epoch, makes
 * each durable before announcing it, and changes the view when a member stops pinging or a live
 * replica is missing from it.
 *
 * Why it is safe:
 * - A primary serves nothing in epoch e until (1) every backup of view e adopted its state and
 *   (2) the VM *activated* e, which the VM does only while e is still its current view. The VM
 *   then remembers the members of the last activated view; every later primary is one of them.
 * - A write commits only once every backup of the view applied it (durably) while still in that
 *   epoch; a read answers only once every backup confirmed it is still in that epoch. Epochs at a
 *   replica only grow (durably), so once the next activated primary (a member of the old view)
 *   moved on, no old-epoch write or read can complete, and that primary holds every acked write.
 * - The primary runs one op at a time, so its state is always exactly the committed state.
 */

/** A view: who is primary in `epoch`, and which replicas must apply every write. */
export interface View {
  epoch: number;
  primary: NodeId;
  backups: NodeId[];
}

type Msg =
  /** `lost`: the epoch this replica was primary of when it restarted (0 if none): it must not serve it again. */
  | { t: 'ping'; epoch: number; lost: number }
  | { t: 'view'; view: View }
  | { t: 'activate'; epoch: number }
  | { t: 'activated'; epoch: number }
  | { t: 'state'; view: View; value: unknown; seq: number; applied: number[] }
  | { t: 'state-ack'; epoch: number }
  | { t: 'write'; epoch: number; seq: number; value: unknown; opId: number }
  | { t: 'write-ack'; epoch: number; seq: number }
  | { t: 'confirm'; epoch: number; rid: number }
  | { t: 'confirm-ack'; epoch: number; rid: number }
  | { t: 'fwd'; rid: number; op: ClientOp }
  | { t: 'fwd-reply'; rid: number; result: ClientResult };

export type PrimaryBackupVariant = 'correct' | 'ack-before-backup' | 'no-epoch-check';

/** Replicas ping the VM this often; the VM answers each ping with its current view. */
const PING_INTERVAL_MS = 20;
/** The VM judges a replica dead after this long without a ping (on the VM's own clock). */
const DEAD_AFTER_MS = 100;
/** The VM re-evaluates the view this often. */
const VM_TICK_MS = 25;
/** The primary resends unacknowledged state, writes, confirmations and activation this often. */
const RETRY_MS = 15;
/** no-epoch-check only: a replica that heard no view from the VM this long promotes itself. */
const SELF_PROMOTE_AFTER_MS = 150;

/** One client op waiting at (or running on) the primary. */
interface Pending {
  op: ClientOp;
  reply: (r: ClientResult) => void;
}

/** The op the primary is running: a write/cas being replicated, or a read being confirmed. */
type Inflight =
  | { kind: 'write'; p: Pending; seq: number; value: unknown; acks: Set<NodeId> }
  | { kind: 'read'; p: Pending; rid: number; acks: Set<NodeId> };

/** A replica's durable record. */
interface ReplicaDisk {
  epoch: number;
  view: View | undefined;
  /** The epoch whose state transfer this replica adopted (or, as primary, sent). */
  stateEpoch: number;
  value: unknown;
  seq: number;
  /** Client op ids of writes and successful cas ops already applied (dedup of duplicated forwards). */
  applied: number[];
  /**
   * Client op ids of every forward this replica queued or refused. A duplicated (or delayed)
   * copy of a forward must never run after the first copy was answered `fail` (not primary yet,
   * cas mismatch, view changed): durable, because a copy may arrive after a restart.
   */
  seen: number[];
}

/** The VM's durable record. */
interface VmDisk {
  view: View;
  /** The last epoch the VM activated, and that view's members: every acked write is at each of them. */
  activeEpoch: number;
  activeMembers: NodeId[];
}

/**
 * One node: the view manager if it is the first node, a replica otherwise. Both forward client
 * ops they cannot serve to the primary they know.
 */
export class PrimaryBackupNode implements NodeHandlers<Msg> {
  readonly role: 'vm' | 'replica';
  private readonly vmId: NodeId;
  private readonly replicas: NodeId[];
  // ---- forwarding (every node) ----
  private nextRid = 1;
  private readonly forwarded = new Map<number, (r: ClientResult) => void>();
  // ---- view manager ----
  vm: VmDisk | undefined;
  private readonly lastPingMs = new Map<NodeId, number>();
  /** The current primary restarted: its epoch must be replaced even if membership is unchanged. */
  private forceNewView = false;
  // ---- replica ----
  epoch = 0;
  view: View | undefined;
  private stateEpoch = 0;
  value: unknown = null;
  private seq = 0;
  private applied = new Set<number>();
  /** Op ids of writes and cas ops this incarnation answered `ok` (read by the invariants only). */
  readonly ackedWrites: number[] = [];
  /** Primary only: the view is activated and ops may run. */
  active = false;
  private xferAcks = new Set<NodeId>();
  private queue: Pending[] = [];
  private inflight: Inflight | undefined;
  /** Op ids already queued or refused (durable: see ReplicaDisk.seen). */
  private seen = new Set<number>();
  private lastViewHeardMs = 0;
  /**
   * The epoch this node was primary of when it (re)started. It lost its running op, and a backup
   * may hold that op's write under a sequence number the primary would reuse, so it must never
   * serve that epoch again: it asks the VM for a new one.
   */
  private lostEpoch = 0;

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly variant: PrimaryBackupVariant,
  ) {
    this.vmId = ctx.nodes[0];
    this.replicas = ctx.nodes.slice(1);
    this.role = ctx.id === this.vmId ? 'vm' : 'replica';
    if (this.role === 'vm') {
      this.vm = ctx.storage.get<VmDisk>('vm');
      if (this.vm === undefined) {
        // Every replica starts with the same (initial) state, so all of them count as up to date.
        this.vm = {
          view: { epoch: 1, primary: this.replicas[0], backups: this.replicas.slice(1) },
          activeEpoch: 0,
          activeMembers: this.replicas.slice(),
        };
        this.saveVm();
      }
    } else {
      const d = ctx.storage.get<ReplicaDisk>('replica');
      if (d !== undefined) {
        this.epoch = d.epoch;
        this.view = d.view;
        this.stateEpoch = d.stateEpoch;
        this.value = d.value;
        this.seq = d.seq;
        this.applied = new Set(d.applied);
        this.seen = new Set(d.seen);
        if (d.view !== undefined && d.view.primary === ctx.id && d.view.epoch === d.epoch) this.lostEpoch = d.epoch;
      }
    }
  }

  onStart(): void {
    const now = this.ctx.now();
    if (this.role === 'vm') {
      // A (re)started VM gives every replica a full grace period before judging it dead.
      for (const r of this.replicas) this.lastPingMs.set(r, now);
      for (const r of this.replicas) this.ctx.send(r, { t: 'view', view: this.vm!.view });
      this.ctx.setTimer(VM_TICK_MS, 'vm-tick');
      return;
    }
    this.lastViewHeardMs = now;
    this.ctx.setTimer(PING_INTERVAL_MS, 'ping');
    this.ctx.setTimer(RETRY_MS, 'retry');
  }

  onTimer(name: string): void {
    if (name === 'vm-tick') {
      this.vmTick();
      this.ctx.setTimer(VM_TICK_MS, 'vm-tick');
    } else if (name === 'ping') {
      this.ctx.send(this.vmId, { t: 'ping', epoch: this.epoch, lost: this.lostEpoch });
      if (this.variant === 'no-epoch-check') this.maybeSelfPromote();
      this.ctx.setTimer(PING_INTERVAL_MS, 'ping');
    } else if (name === 'retry') {
      this.retransmit();
      this.ctx.setTimer(RETRY_MS, 'retry');
    }
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (this.isPrimary()) return this.enqueue({ op, reply });
    const target = this.role === 'vm' ? this.vm!.view.primary : this.view?.primary;
    if (target === undefined || target === this.ctx.id) return reply({ type: 'fail', error: 'no primary known' });
    // Forwarded exactly once: the op runs at most at that primary, so a lost answer is `info`
    // (the client's own timeout), never a retry that could apply the op twice.
    // Keyed by the client op id, unique over the run: a per-node counter restarts after a crash,
    // and a late reply to the previous incarnation's forward would answer a different op.
    const rid = op.id;
    this.forwarded.set(rid, reply);
    this.ctx.send(target, { t: 'fwd', rid, op });
  }

  onMessage(from: NodeId, m: Msg): void {
    switch (m.t) {
      case 'ping':
        return this.vmPing(from, m.lost);
      case 'activate':
        return this.vmActivate(from, m.epoch);
      case 'fwd':
        if (this.isPrimary()) return this.enqueue({ op: m.op, reply: (result) => this.ctx.send(from, { t: 'fwd-reply', rid: m.rid, result }) });
        if (this.seen.has(m.op.id)) return; // a duplicated forward: the first copy answers
        // Not primary (yet, or any more): the op never ran here, is not passed on again, and a
        // duplicate of this forward arriving once this node is primary must not run it (the client
        // was told `fail`).
        if (this.role === 'replica') this.markSeen(m.op.id);
        return this.ctx.send(from, { t: 'fwd-reply', rid: m.rid, result: { type: 'fail', error: 'not primary' } });
      case 'fwd-reply': {
        const reply = this.forwarded.get(m.rid);
        this.forwarded.delete(m.rid);
        return reply?.(m.result);
      }
    }
    if (this.role !== 'replica') return;
    switch (m.t) {
      case 'view':
        this.lastViewHeardMs = this.ctx.now();
        return this.adoptView(m.view);
      case 'activated':
        if (this.mayActivate() && m.epoch === this.epoch && this.allAcked(this.xferAcks) && !this.active) {
          this.active = true;
          this.pump();
        }
        return;
      case 'state':
        return this.onState(from, m);
      case 'state-ack':
        if (this.isPrimary() && m.epoch === this.epoch) this.xferAcks.add(from);
        if (this.mayActivate() && !this.active && this.allAcked(this.xferAcks)) this.ctx.send(this.vmId, { t: 'activate', epoch: this.epoch });
        return;
      case 'write':
        return this.onWrite(from, m);
      case 'write-ack': {
        const f = this.inflight;
        if (f?.kind === 'write' && m.epoch === this.epoch && m.seq === f.seq) {
          f.acks.add(from);
          if (this.allAcked(f.acks)) this.commit(f);
        }
        return;
      }
      case 'confirm': {
        const check = this.variant !== 'no-epoch-check';
        if (!check || (m.epoch === this.epoch && this.stateEpoch === this.epoch && !this.isPrimary())) {
          this.ctx.send(from, { t: 'confirm-ack', epoch: m.epoch, rid: m.rid });
        }
        return;
      }
      case 'confirm-ack': {
        const f = this.inflight;
        if (f?.kind === 'read' && m.epoch === this.epoch && m.rid === f.rid) {
          f.acks.add(from);
          if (this.allAcked(f.acks)) this.finishRead(f);
        }
        return;
      }
    }
  }

  // ---- view manager ------------------------------------------------------------------------------

  private vmPing(from: NodeId, lost: number): void {
    if (this.role !== 'vm') return;
    this.lastPingMs.set(from, this.ctx.now());
    if (lost !== 0 && lost === this.vm!.view.epoch && from === this.vm!.view.primary) this.forceNewView = true;
    this.ctx.send(from, { t: 'view', view: this.vm!.view });
  }

  private vmActivate(from: NodeId, epoch: number): void {
    if (this.role !== 'vm') return;
    const vm = this.vm!;
    // Only the current view can be activated: a view the VM already replaced must never serve.
    if (epoch !== vm.view.epoch || from !== vm.view.primary) return;
    if (vm.activeEpoch !== epoch) {
      vm.activeEpoch = epoch;
      vm.activeMembers = [vm.view.primary, ...vm.view.backups];
      this.saveVm();
    }
    this.ctx.send(from, { t: 'activated', epoch });
  }

  /** Replaces the view when a member is dead, or (once activated) when a live replica is missing. */
  private vmTick(): void {
    const vm = this.vm!;
    const now = this.ctx.now();
    const alive = this.replicas.filter((r) => now - (this.lastPingMs.get(r) ?? -Infinity) < DEAD_AFTER_MS);
    const cur = vm.view;
    const members = [cur.primary, ...cur.backups];
    const memberDead = members.some((r) => !alive.includes(r));
    const missing = alive.some((r) => !members.includes(r));
    if (!memberDead && !(missing && vm.activeEpoch === cur.epoch) && !this.forceNewView) return;
    // The new primary must hold every acked write: only members of the last activated view do.
    const candidates = vm.activeMembers.filter((r) => alive.includes(r));
    if (candidates.length === 0) return;
    const primary = candidates.includes(cur.primary) ? cur.primary : candidates[0];
    const backups = alive.filter((r) => r !== primary);
    const same = primary === cur.primary && backups.length === cur.backups.length && backups.every((b) => cur.backups.includes(b));
    if (same && !this.forceNewView) return;
    this.forceNewView = false;
    vm.view = { epoch: cur.epoch + 1, primary, backups };
    // Durable before anyone hears of it: a restarted VM must never reuse an epoch.
    this.saveVm();
    for (const r of [primary, ...backups]) this.ctx.send(r, { t: 'view', view: vm.view });
  }

  private saveVm(): void {
    this.ctx.storage.set('vm', this.vm);
    this.ctx.storage.sync();
  }

  // ---- replica -------------------------------------------------------------------------------------

  /** Whether this replica's register state includes the write with client op id `opId`. */
  hasApplied(opId: number): boolean {
    return this.applied.has(opId);
  }

  /** Primary of its current view, activated, serving ops (what the invariant watches). */
  isActivePrimary(): boolean {
    return this.active && this.isPrimary();
  }

  /** Primary of its view, and not of an epoch it lost its running state in. */
  private mayActivate(): boolean {
    return this.isPrimary() && this.lostEpoch !== this.epoch;
  }

  private isPrimary(): boolean {
    return this.role === 'replica' && this.view !== undefined && this.view.primary === this.ctx.id && this.view.epoch === this.epoch;
  }

  private allAcked(acks: Set<NodeId>): boolean {
    return this.view!.backups.every((b) => acks.has(b));
  }

  /** Moves to a newer view: abandons the running op, and starts state transfer if primary. */
  private adoptView(v: View): void {
    if (v.epoch <= this.epoch) return;
    this.switchView(v);
  }

  /** Enters view `v` (callers check that it is newer; only the no-epoch-check bug skips that). */
  private switchView(v: View): void {
    const wasPrimary = this.isPrimary();
    this.epoch = v.epoch;
    this.view = v;
    this.save();
    if (wasPrimary || this.inflight !== undefined) this.abandonInflight();
    this.active = false;
    if (v.primary === this.ctx.id) {
      this.ctx.log(`primary of epoch ${v.epoch} (backups ${v.backups.join(', ') || 'none'})`);
      this.startPrimary();
    } else this.failQueued();
  }

  /** The running op cannot finish in the old epoch: a write may have reached some backups. */
  private abandonInflight(): void {
    const f = this.inflight;
    this.inflight = undefined;
    if (f === undefined) return;
    f.p.reply(f.kind === 'write' ? { type: 'info', error: 'view changed during replication' } : { type: 'fail', error: 'view changed' });
  }

  private failQueued(): void {
    const q = this.queue;
    this.queue = [];
    for (const p of q) p.reply({ type: 'fail', error: 'no longer primary' });
  }

  private startPrimary(): void {
    assert(this.view !== undefined && this.view.primary === this.ctx.id, 'startPrimary needs a view naming this node');
    this.active = false;
    this.inflight = undefined;
    this.stateEpoch = this.epoch;
    this.save();
    this.xferAcks = new Set();
    this.sendState();
    if (this.allAcked(this.xferAcks)) this.ctx.send(this.vmId, { t: 'activate', epoch: this.epoch });
  }

  private sendState(): void {
    const v = this.view!;
    for (const b of v.backups) {
      if (!this.xferAcks.has(b)) this.ctx.send(b, { t: 'state', view: v, value: this.value, seq: this.seq, applied: [...this.applied] });
    }
  }

  private onState(from: NodeId, m: Extract<Msg, { t: 'state' }>): void {
    const e = m.view.epoch;
    if (this.variant === 'no-epoch-check') {
      // The bug: whoever claims to be primary is believed, whatever its epoch.
      if (e !== this.epoch || this.view?.primary !== from) this.switchView(m.view);
      this.stateEpoch = e;
      this.setState(m.value, m.seq, m.applied);
      this.ctx.send(from, { t: 'state-ack', epoch: e });
      return;
    }
    if (e < this.epoch || m.view.primary !== from) return;
    if (e > this.epoch) this.adoptView(m.view);
    // Adopt the primary's state once per epoch: a late duplicate must not undo later writes.
    if (this.stateEpoch !== e) {
      this.stateEpoch = e;
      this.setState(m.value, m.seq, m.applied);
    }
    this.ctx.send(from, { t: 'state-ack', epoch: e });
  }

  private onWrite(from: NodeId, m: Extract<Msg, { t: 'write' }>): void {
    if (this.variant === 'no-epoch-check') {
      if (m.seq > this.seq || m.epoch !== this.epoch) this.setState(m.value, m.seq, [...this.applied, m.opId]);
      this.ctx.send(from, { t: 'write-ack', epoch: m.epoch, seq: m.seq });
      return;
    }
    if (m.epoch !== this.epoch || this.stateEpoch !== this.epoch || this.view?.primary !== from) return;
    if (m.seq > this.seq) this.setState(m.value, m.seq, [...this.applied, m.opId]);
    this.ctx.send(from, { t: 'write-ack', epoch: m.epoch, seq: m.seq });
  }

  /** Replaces the register state and makes it durable before anything is acknowledged. */
  private setState(value: unknown, seq: number, applied: Iterable<number>): void {
    this.value = value;
    this.seq = seq;
    this.applied = new Set(applied);
    this.save();
  }

  private save(): void {
    const d: ReplicaDisk = { epoch: this.epoch, view: this.view, stateEpoch: this.stateEpoch, value: this.value, seq: this.seq, applied: [...this.applied], seen: [...this.seen] };
    this.ctx.storage.set('replica', d);
    this.ctx.storage.sync();
  }

  private maybeSelfPromote(): void {
    if (this.isPrimary() || this.ctx.now() - this.lastViewHeardMs < SELF_PROMOTE_AFTER_MS) return;
    // The bug: no view manager consulted; this node declares itself primary of a view of its own.
    this.adoptView({ epoch: this.epoch + 1, primary: this.ctx.id, backups: [] });
    this.active = true;
    this.lastViewHeardMs = this.ctx.now();
    this.pump();
  }

  private retransmit(): void {
    if (!this.mayActivate()) return;
    if (!this.active) {
      this.sendState();
      if (this.allAcked(this.xferAcks)) this.ctx.send(this.vmId, { t: 'activate', epoch: this.epoch });
      return;
    }
    const f = this.inflight;
    if (f === undefined) return;
    for (const b of this.view!.backups) {
      if (f.acks.has(b)) continue;
      if (f.kind === 'write') this.ctx.send(b, { t: 'write', epoch: this.epoch, seq: f.seq, value: f.value, opId: f.p.op.id });
      else this.ctx.send(b, { t: 'confirm', epoch: this.epoch, rid: f.rid });
    }
  }

  /** Records a forward as taken or refused, durably, before it is answered or run. */
  private markSeen(opId: number): void {
    this.seen.add(opId);
    this.save();
  }

  private enqueue(p: Pending): void {
    if (this.seen.has(p.op.id)) return; // a duplicated forward: the first copy answers
    this.markSeen(p.op.id);
    if (this.applied.has(p.op.id)) return p.reply({ type: 'ok' });
    this.queue.push(p);
    this.pump();
  }

  /** Starts the next op if the primary is active and idle. One op at a time. */
  private pump(): void {
    while (this.active && this.inflight === undefined && this.queue.length > 0) {
      const p = this.queue.shift()!;
      const op = p.op;
      if (op.f === 'read') {
        const f: Inflight = { kind: 'read', p, rid: this.nextRid++, acks: new Set() };
        this.inflight = f;
        for (const b of this.view!.backups) this.ctx.send(b, { t: 'confirm', epoch: this.epoch, rid: f.rid });
        if (this.allAcked(f.acks)) this.finishRead(f);
        continue;
      }
      let next: unknown;
      if (op.f === 'write') next = op.value;
      else if (op.f === 'cas') {
        const [from, to] = op.value as [unknown, unknown];
        // The state is exactly the committed state here, so a mismatch definitely did nothing.
        if (this.value !== from) {
          p.reply({ type: 'fail', error: 'cas mismatch' });
          continue;
        }
        next = to;
      } else {
        p.reply({ type: 'fail', error: `unknown op ${op.f}` });
        continue;
      }
      const f: Inflight = { kind: 'write', p, seq: this.seq + 1, value: next, acks: new Set() };
      for (const b of this.view!.backups) this.ctx.send(b, { t: 'write', epoch: this.epoch, seq: f.seq, value: next, opId: op.id });
      if (this.variant === 'ack-before-backup') {
        // The bug: fire-and-forget replication. The client hears ok before any backup holds the
        // write, and the primary moves on without waiting (a lost message is never resent).
        this.setState(next, f.seq, [...this.applied, op.id]);
        this.ackedWrites.push(op.id);
        p.reply({ type: 'ok' });
        continue;
      }
      this.inflight = f;
      if (this.allAcked(f.acks)) this.commit(f);
    }
  }

  private commit(f: Extract<Inflight, { kind: 'write' }>): void {
    assert(this.inflight === f, 'commit of an op that is not running');
    this.inflight = undefined;
    this.setState(f.value, f.seq, [...this.applied, f.p.op.id]);
    this.ackedWrites.push(f.p.op.id);
    f.p.reply({ type: 'ok' });
    this.pump();
  }

  private finishRead(f: Extract<Inflight, { kind: 'read' }>): void {
    assert(this.inflight === f, 'finish of a read that is not running');
    this.inflight = undefined;
    f.p.reply({ type: 'ok', value: this.value });
    this.pump();
  }
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(`primary-backup: ${message}`);
}

/** Reads, writes and compare-and-sets of small integers (small values make stale reads visible). */
export const casRegisterWorkload: Workload = (rng) => {
  const r = rng();
  if (r < 0.4) return { f: 'read', value: null };
  if (r < 0.75) return { f: 'write', value: Math.floor(rng() * 5) };
  return { f: 'cas', value: [Math.floor(rng() * 5), Math.floor(rng() * 5)] };
};

/**
 * At most one node is ever an active primary of a given epoch (over the whole run, not just at
 * one instant): two would mean two histories of writes under one epoch number.
 */
function onePrimaryPerEpoch(): CheckingObserver {
  const owner = new Map<number, NodeId>();
  const check = always<WorldView>('one-primary-per-epoch', (view) => {
    for (const n of view.nodes) {
      const s = n.state as PrimaryBackupNode | undefined;
      if (s === undefined || !s.isActivePrimary()) continue;
      const prev = owner.get(s.epoch);
      if (prev === undefined) owner.set(s.epoch, n.id);
      else if (prev !== n.id) return `${prev} and ${n.id} both active primary of epoch ${s.epoch}`;
    }
    return true;
  });
  return { observe: (v, at) => check.observe(v, at), result: () => check.result() };
}

/**
 * A new primary's state includes every write any primary acknowledged before its view was
 * activated. Checked at the moment the VM activates a view (the moment that counts: a primary
 * that hears of its activation late, e.g. after a pause, can no longer complete anything once
 * its backups moved on), against the primary's durable state.
 */
function ackedWritesSurvive(): CheckingObserver {
  const acked: number[] = [];
  const ackedSet = new Set<number>();
  /** How much of each node incarnation's ackedWrites was already taken in. */
  const cursor = new WeakMap<PrimaryBackupNode, number>();
  let checkedEpoch = 0;
  const check = always<WorldView>('acked-writes-survive-failover', (view) => {
    let vmView: VmDisk | undefined;
    for (const n of view.nodes) {
      const s = n.state as PrimaryBackupNode | undefined;
      if (s === undefined) continue;
      if (s.role === 'vm') vmView = s.vm;
      for (let i = cursor.get(s) ?? 0; i < s.ackedWrites.length; i++) {
        const id = s.ackedWrites[i];
        if (!ackedSet.has(id)) {
          ackedSet.add(id);
          acked.push(id);
        }
      }
      cursor.set(s, s.ackedWrites.length);
    }
    if (vmView === undefined || vmView.activeEpoch === checkedEpoch) return true;
    checkedEpoch = vmView.activeEpoch;
    const primary = vmView.view.primary;
    assert(vmView.view.epoch === vmView.activeEpoch, 'the VM activates only its current view');
    const disk = view.nodes.find((n) => n.id === primary)!.storage.get<ReplicaDisk>('replica');
    const applied = new Set(disk?.applied ?? []);
    for (const id of acked) {
      if (!applied.has(id)) return `${primary}, activated as primary of epoch ${checkedEpoch}, lacks the acknowledged write of op ${id}`;
    }
    return true;
  });
  return { observe: (v, at) => check.observe(v, at), result: () => check.result() };
}

export const primaryBackup: ProtocolDef = {
  name: 'primary-backup',
  description: 'primary-backup cas register; n1 is a view manager that numbers views by epoch; writes ack after every backup applied',
  variants: {
    correct: { kind: 'correct', description: 'VM-activated views, new primary from the last activated view, writes wait for every backup, reads confirmed by every backup' },
    'ack-before-backup': { kind: 'bug', description: 'the primary acks a write to the client before any backup applied it (lost on failover)' },
    'no-epoch-check': { kind: 'bug', description: 'replicas that lose the view manager promote themselves; backups accept any self-declared primary (two primaries)' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new PrimaryBackupNode(ctx as NodeCtx<Msg>, variant as PrimaryBackupVariant),
  workload: casRegisterWorkload,
  checkers: () => [{ kind: 'linearizable', model: 'cas-register' }],
  observers: () => [onePrimaryPerEpoch(), ackedWritesSurvive()],
  minNodes: 2,
};
