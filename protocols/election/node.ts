import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';

/**
 * Bully leader election with a heartbeat failure detector, and a single-writer log the leader
 * alone appends to.
 *
 * - Failure detector: a follower that has heard no heartbeat for its timeout suspects the leader.
 *   Timeouts are staggered by rank (the bully rule): the highest id waits least, so the highest
 *   live node usually wins; and a live node ranked above the current leader challenges it. Every
 *   timeout is a timer, never a difference of clock readings (the clock jumps): the suspect timer
 *   stays armed while a node does not lead, so a candidate whose election failed runs again.
 * - Election: a candidate takes epoch = highest promised + 1 and asks every node for a vote. A
 *   node promises at most one candidate per epoch and never an older epoch (durable before it
 *   answers) and sends its log. With a majority the candidate leads that epoch, starting from the
 *   most recent log among its voters (highest epoch it was adopted in, then longest).
 * - The log: the leader appends a client's entry, sends its whole log (with its epoch and how
 *   much of it a majority stored) to every node, and acknowledges once a majority stored it. A node
 *   takes a log only from an epoch at least as high as it promised, so a deposed leader can no
 *   longer gather a majority. A follower forwards client ops to the leader, resends them every
 *   retransmission timeout (adapted to the round trips it measured) and answers a forwarded
 *   append as soon as a heartbeat shows it stored by a majority.
 * - Reads and leases: a leader answers a read alone while its lease lasts: LEASE_MS after a
 *   heartbeat a majority acked. The lease rests on the followers' promise: a node that acked a
 *   heartbeat votes for nobody (itself included) until PROMISE_MS without one have passed, timed
 *   by a timer (monotonic; a clock bump does not move it) and LEASE_MS < PROMISE_MS / 4 covers clock
 *   rates from x0.5 to x2. A bound node that outranks the leader asks it to abdicate instead of
 *   running. Without a lease, a read waits for a majority to ack a heartbeat sent after it arrived.
 */

export type ElectionVariant = 'correct' | 'no-quorum' | 'lease-reads' | 'fd-local-clock';

/** How often a node checks its failure detector and a leader sends heartbeats. */
export const TICK_MS = 20;
/** The failure detector's timeout for the highest-ranked node; lower ranks wait RANK_STEP_MS more per rank. */
export const SUSPECT_AFTER_MS = 150;
const RANK_STEP_MS = 40;
/** A candidate that has no majority by then gives up (and retries after its timeout). */
const ELECTION_MS = 100;
/** After a heartbeat, a node votes for nobody for this long (its timer); below SUSPECT_AFTER_MS, so it is free again when it suspects. */
const PROMISE_MS = 140;
/** A leader reads alone this long after a heartbeat a majority acked: under PROMISE_MS / 4 (clocks run at x0.5 to x2). */
const LEASE_MS = 30;
/**
 * lease-reads: the leader reads alone for this long on its own clock, while followers promise
 * nothing (they vote for a candidate at once): a lease that rests only on hoping no follower's
 * failure detector fires sooner.
 */
const UNPROMISED_LEASE_MS = 100;
/**
 * Retransmission timeout of a forwarded op before any round trip was measured, and its bounds:
 * at most FORWARD_PATIENCE_MS / 6, so an op gets six tries or more before the node gives up (with
 * 300 it got three, and 5% loss plus reordering that holds a message back up to 500 ms lost all
 * three often enough to leave ops unanswered after the heal). A resend too early costs a message:
 * the leader recognises the op by its id.
 */
const FORWARD_RTO_MS = { initial: 100, min: 30, max: 150 };
/** A forwarded op not answered within this long (under the client's 1 s timeout) is answered `info`. */
const FORWARD_PATIENCE_MS = 900;
/** Bound on the log (the workload appends far fewer). */
const MAX_LOG = 10_000;

export interface Entry {
  epoch: number;
  op: number;
  value: unknown;
}

type Msg =
  | { t: 'vote-req'; epoch: number }
  | { t: 'vote'; epoch: number; granted: boolean; log: Entry[]; logEpoch: number }
  | { t: 'append'; epoch: number; seq: number; log: Entry[]; committed: number }
  | { t: 'abdicate'; epoch: number }
  | { t: 'abdicated'; epoch: number; to: NodeId }
  | { t: 'append-ack'; epoch: number; seq: number; length: number }
  | { t: 'fwd'; op: ClientOp }
  | { t: 'fwd-reply'; opId: number; result: ClientResult };

interface Disk {
  promised: number;
  log: Entry[];
  logEpoch: number;
}

interface Pending {
  index: number;
  reply: (r: ClientResult) => void;
}

export class ElectionNode implements NodeHandlers<Msg> {
  role: 'follower' | 'candidate' | 'leader' = 'follower';
  /** The highest epoch this node promised (or led). */
  promised: number;
  /** The epoch this node leads, while role is leader. */
  epoch = 0;
  log: Entry[];
  /** The epoch of the leader this log was taken from. */
  logEpoch: number;
  /** Acknowledged entries (index and op), appended by this node while leader: what the checks follow. */
  readonly acked: Array<{ index: number; op: number; epoch: number }> = [];
  /** Local clock time of the last heartbeat (or vote given, or start): the fd-local-clock bug judges by it. */
  private lastHeardMs: number;
  private lastPromiseMs: number;
  /** True while this node's promise to the leader it last heard holds (PROMISE_MS timer not yet fired). */
  private bound = true;
  private promiseTimer: number | undefined;
  private suspectTimer: number | undefined;
  /** Forwarding round trips (Jacobson/Karels): smoothed and variance, ms. */
  private srttMs: number | undefined;
  private rttvarMs = 0;
  private leaderId: NodeId | undefined;
  private votes = new Map<NodeId, { log: Entry[]; logEpoch: number }>();
  private electionStartedMs = 0;
  private acks = new Map<NodeId, number>();
  private pending: Pending[] = [];
  /** Client ops this node forwarded to the leader, by op id, until answered. */
  private forwarded = new Map<number, { op: ClientOp; reply: (r: ClientResult) => void; attempts: number; sentMs: number; firstMs: number }>();
  /** While leader: how many entries of the log a majority stored in this epoch. */
  private committed = 0;
  /** While leader: heartbeat rounds (each `append` broadcast is one), when each left, and each node's highest acked round. */
  private hbSeq = 0;
  private seqSentMs = new Map<number, number>();
  private ackSeq = new Map<NodeId, number>();
  private leaseUntilMs = -Infinity;
  /** Heartbeat rounds whose LEASE_MS timer fired: a lease from one of them is over. */
  private leaseExpiredSeq = 0;
  /** The highest round a majority acked. */
  private confirmedSeq = 0;
  /** Reads waiting for a majority to ack a heartbeat sent after they arrived (so this node still leads). */
  private pendingReads: Array<{ afterSeq: number; reply: (r: ClientResult) => void }> = [];

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly variant: ElectionVariant,
  ) {
    const d = ctx.storage.get<Disk>('disk');
    this.promised = d?.promised ?? 0;
    this.log = d?.log ?? [];
    this.logEpoch = d?.logEpoch ?? 0;
    this.lastHeardMs = ctx.now();
    this.lastPromiseMs = this.lastHeardMs;
  }

  onStart(): void {
    this.ctx.setTimer(TICK_MS, 'tick');
    // What this node promised before a crash is forgotten: it keeps a fresh promise to whoever led.
    this.heard();
  }

  isLeader(): boolean {
    return this.role === 'leader';
  }

  private rank(id: NodeId): number {
    return this.ctx.nodes.indexOf(id);
  }

  private suspectAfterMs(): number {
    return SUSPECT_AFTER_MS + (this.ctx.nodes.length - 1 - this.rank(this.ctx.id)) * RANK_STEP_MS;
  }

  private save(): void {
    const d: Disk = { promised: this.promised, log: this.log, logEpoch: this.logEpoch };
    this.ctx.storage.set('disk', d);
    this.ctx.storage.sync();
  }

  onTimer(name: string, data: unknown): void {
    if (name === 'fwd') return this.onForwardTimer(data as number);
    if (name === 'lease') return void (this.leaseExpiredSeq = Math.max(this.leaseExpiredSeq, data as number));
    if (name === 'promise') return void (this.bound = false);
    // A candidate whose election failed runs again too: the suspect timer is the only thing that
    // wakes a node that hears no leader it accepts (one that promised a newer epoch ignores the old
    // leader's heartbeats), so it must never be dropped.
    if (name === 'suspect') return this.role !== 'leader' ? this.suspectLeader() : undefined;
    // A candidacy ends by a timer, not by the clock: a clock set back would keep it a candidate.
    if (name === 'election') {
      if (this.role === 'candidate' && this.promised === data) this.role = 'follower';
      return;
    }
    if (name !== 'tick') return;
    this.ctx.setTimer(TICK_MS, 'tick');
    if (this.role === 'leader') return this.sendLog();
    // The fd-local-clock bug times its failure detector by the local clock, which jumps (the correct one by the suspect timer).
    if (this.variant === 'fd-local-clock' && this.ctx.now() - this.lastHeardMs > this.suspectAfterMs()) this.suspectLeader();
  }

  /**
   * The failure detector hears from the leader (or starts, or votes): it promises not to vote
   * for PROMISE_MS and suspects after its timeout, both timed by timers, which clock bumps do not
   * move. (A candidate that fails re-arms it here too, so it retries after its timeout.)
   */
  private heard(promise = true): void {
    this.lastHeardMs = this.ctx.now();
    // Only a heartbeat (or a restart) promises: a candidate or a voter that bound itself would refuse every rival, and no one would win.
    if (promise) this.lastPromiseMs = this.lastHeardMs;
    if (this.variant === 'fd-local-clock') return;
    if (this.suspectTimer !== undefined) this.ctx.cancelTimer(this.suspectTimer);
    this.suspectTimer = this.ctx.setTimer(this.suspectAfterMs(), 'suspect');
    if (!promise) return;
    if (this.promiseTimer !== undefined) this.ctx.cancelTimer(this.promiseTimer);
    this.bound = true;
    this.promiseTimer = this.ctx.setTimer(PROMISE_MS, 'promise');
  }

  /** True while this node's promise to the last leader it heard forbids a vote. */
  private isBound(): boolean {
    if (this.variant === 'lease-reads' || this.variant === 'no-quorum') return false;
    if (this.variant === 'fd-local-clock') return this.ctx.now() - this.lastPromiseMs < PROMISE_MS;
    return this.bound;
  }

  private suspectLeader(): void {
    this.heard(false);
    if (this.variant === 'no-quorum') {
      // The bug: a timeout is taken as proof the leader is gone; no votes, no majority.
      this.promised += 1;
      this.save();
      return this.becomeLeader(this.promised);
    }
    this.promised += 1;
    this.save();
    this.role = 'candidate';
    this.electionStartedMs = this.ctx.now();
    this.ctx.setTimer(ELECTION_MS, 'election', this.promised);
    this.votes = new Map([[this.ctx.id, { log: this.log, logEpoch: this.logEpoch }]]);
    this.ctx.broadcast({ t: 'vote-req', epoch: this.promised });
    this.maybeWin();
  }

  onMessage(from: NodeId, m: Msg): void {
    if (m.t === 'abdicate') return this.onAbdicate(from, m.epoch);
    if (m.t === 'abdicated') return this.onAbdicated(from, m);
    if (m.t === 'vote-req') return this.onVoteReq(from, m.epoch);
    if (m.t === 'vote') return this.onVote(from, m);
    if (m.t === 'append') return this.onAppend(from, m);
    if (m.t === 'append-ack') return this.onAppendAck(from, m);
    if (m.t === 'fwd') return this.serveAsLeader(m.op, (result) => this.ctx.send(from, { t: 'fwd-reply', opId: m.op.id, result }));
    if (m.t === 'fwd-reply') return this.onForwardReply(m.opId, m.result);
  }

  private onVoteReq(from: NodeId, epoch: number): void {
    // A leader may grant (it steps down, ending its own lease); a follower only once its promise ran out.
    const granted = epoch > this.promised && (this.role === 'leader' || !this.isBound());
    if (granted) {
      this.stepDown(epoch);
      this.save();
    }
    this.ctx.send(from, { t: 'vote', epoch, granted, log: this.log, logEpoch: this.logEpoch });
  }

  private onVote(from: NodeId, m: Extract<Msg, { t: 'vote' }>): void {
    if (this.role !== 'candidate' || m.epoch !== this.promised || !m.granted) return;
    this.votes.set(from, { log: m.log, logEpoch: m.logEpoch });
    this.maybeWin();
  }

  private maybeWin(): void {
    if (this.votes.size <= this.ctx.nodes.length / 2) return;
    let best = { log: this.log, logEpoch: this.logEpoch };
    for (const v of this.votes.values()) {
      if (v.logEpoch > best.logEpoch || (v.logEpoch === best.logEpoch && v.log.length > best.log.length)) best = v;
    }
    this.log = best.log;
    this.becomeLeader(this.promised);
  }

  private becomeLeader(epoch: number): void {
    this.role = 'leader';
    this.epoch = epoch;
    this.leaderId = this.ctx.id;
    this.logEpoch = epoch;
    this.acks = new Map([[this.ctx.id, this.log.length]]);
    this.committed = 0;
    this.ackSeq = new Map();
    this.seqSentMs = new Map();
    this.leaseUntilMs = -Infinity;
    this.confirmedSeq = 0;
    this.leaseExpiredSeq = this.hbSeq;
    this.save();
    this.sendLog();
  }

  private sendLog(): void {
    this.hbSeq++;
    this.seqSentMs.set(this.hbSeq, this.ctx.now());
    this.seqSentMs.delete(this.hbSeq - 1000);
    this.ackSeq.set(this.ctx.id, this.hbSeq);
    // The lease timer: what ends a lease whatever the clock does (fd-local-clock judges by the clock alone).
    if (this.variant !== 'lease-reads' && this.variant !== 'fd-local-clock') this.ctx.setTimer(LEASE_MS, 'lease', this.hbSeq);
    this.ctx.broadcast({ t: 'append', epoch: this.epoch, seq: this.hbSeq, log: this.log, committed: this.committed });
  }

  /** Leaves leadership (answering what is pending: it may or may not survive) and promises `epoch`. */
  private stepDown(epoch: number): void {
    this.promised = epoch;
    if (this.role !== 'follower') this.role = 'follower';
    for (const p of this.pending) p.reply({ type: 'info', error: 'deposed' });
    this.pending = [];
    // A read has no effect: one not answered before the step-down simply did not happen.
    for (const r of this.pendingReads) r.reply({ type: 'fail', error: 'deposed' });
    this.pendingReads = [];
    this.heard(false);
  }

  private onAppend(from: NodeId, m: Extract<Msg, { t: 'append' }>): void {
    if (m.epoch < this.promised || (m.epoch === this.promised && this.role === 'leader' && from !== this.ctx.id)) return;
    if (m.epoch > this.promised || this.role !== 'follower') this.stepDown(m.epoch);
    this.heard();
    this.leaderId = from;
    // Reordered messages of one leader: never go back to a shorter log of the same epoch.
    if (m.epoch > this.logEpoch || m.log.length > this.log.length) {
      this.log = m.log;
      this.logEpoch = m.epoch;
      this.save();
    }
    this.ctx.send(from, { t: 'append-ack', epoch: m.epoch, seq: m.seq, length: this.log.length });
    this.answerForwardedAppends(m.log, m.committed);
    this.challengeIfHigher(from, m.epoch);
  }

  /**
   * The bully rule: a live node ranked above the leader takes over. Bound by its promise, it may
   * not run while the leader's lease may last, so it asks the leader to abdicate, then runs when its
   * own failure detector fires (it has the shortest timeout of those ranked below it).
   */
  private challengeIfHigher(leader: NodeId, epoch: number): void {
    if (this.rank(this.ctx.id) <= this.rank(leader) || this.ctx.now() - this.electionStartedMs <= this.suspectAfterMs()) return;
    if (!this.isBound()) return this.suspectLeader();
    this.electionStartedMs = this.ctx.now();
    this.ctx.send(leader, { t: 'abdicate', epoch });
  }

  /** A higher-ranked node asks this leader to make way: it stops leading (its lease ends with it) and falls silent. */
  private onAbdicate(from: NodeId, epoch: number): void {
    if (this.role !== 'leader' || epoch !== this.epoch || this.rank(from) <= this.rank(this.ctx.id)) return;
    this.ctx.sometimes('leader abdicated to a higher-ranked node', true);
    this.stepDown(this.promised);
    this.leaderId = from;
    this.release();
    this.ctx.broadcast({ t: 'abdicated', epoch, to: from });
  }

  /** The leader this node promised stepped down (its lease ended with it): the promise is void; the challenger runs now. */
  private onAbdicated(from: NodeId, m: Extract<Msg, { t: 'abdicated' }>): void {
    if (this.role !== 'follower' || from !== this.leaderId || m.epoch !== this.promised) return;
    this.leaderId = m.to;
    this.release();
    if (m.to === this.ctx.id) this.suspectLeader();
  }

  private release(): void {
    this.bound = false;
    if (this.promiseTimer !== undefined) this.ctx.cancelTimer(this.promiseTimer);
    this.promiseTimer = undefined;
    if (this.variant === 'fd-local-clock') this.lastPromiseMs = this.ctx.now() - PROMISE_MS;
  }

  private onAppendAck(from: NodeId, m: Extract<Msg, { t: 'append-ack' }>): void {
    if (this.role !== 'leader' || m.epoch !== this.epoch) return;
    this.acks.set(from, Math.max(this.acks.get(from) ?? 0, m.length));
    this.ackSeq.set(from, Math.max(this.ackSeq.get(from) ?? 0, m.seq));
    this.advanceCommit();
    this.advanceReads();
  }

  /** Answers the reads whose heartbeat round a majority acked; renews the lease (lease-reads). */
  private advanceReads(): void {
    const seqs = [...this.ackSeq.values()].sort((a, b) => b - a);
    const majority = Math.floor(this.ctx.nodes.length / 2) + 1;
    if (seqs.length < majority) return;
    const confirmed = seqs[majority - 1];
    this.confirmedSeq = Math.max(this.confirmedSeq, confirmed);
    const sentMs = this.seqSentMs.get(confirmed);
    // lease-reads and fd-local-clock keep the lease as a deadline on the local clock (never moved back).
    if (sentMs !== undefined) this.leaseUntilMs = Math.max(this.leaseUntilMs, sentMs + (this.variant === 'lease-reads' ? UNPROMISED_LEASE_MS : LEASE_MS));
    while (this.pendingReads.length > 0 && this.pendingReads[0].afterSeq <= confirmed) this.pendingReads.shift()!.reply(this.readResult());
  }

  private readResult(): ClientResult {
    return { type: 'ok', value: this.log.map((e) => e.value) };
  }

  /** Acknowledges the pending appends a majority (this node included) has stored. */
  private advanceCommit(): void {
    const stored = [...this.acks.values()].sort((a, b) => b - a);
    const majority = Math.floor(this.ctx.nodes.length / 2) + 1;
    const before = this.committed;
    this.committed = Math.max(this.committed, stored.length >= majority ? stored[majority - 1] : 0);
    // Every index stored by a majority counts as acknowledged (a follower may answer its client from a heartbeat).
    for (let i = before; i < this.committed; i++) this.acked.push({ index: i, op: this.log[i].op, epoch: this.epoch });
    while (this.pending.length > 0 && this.pending[0].index < this.committed) {
      const p = this.pending.shift()!;
      p.reply({ type: 'ok', value: p.index });
    }
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (op.f !== 'append' && op.f !== 'read') return reply({ type: 'fail', error: `unknown op ${op.f}` });
    if (this.role !== 'leader' && this.leaderId !== undefined && this.leaderId !== this.ctx.id) {
      return this.forward(this.leaderId, op, reply);
    }
    this.serveAsLeader(op, reply);
  }

  /** Forwards a client op to the leader; the `fwd` timer resends a lost one (see onForwardTimer). */
  private forward(leader: NodeId, op: ClientOp, reply: (r: ClientResult) => void): void {
    const now = this.ctx.now();
    this.forwarded.set(op.id, { op, reply, attempts: 1, sentMs: now, firstMs: now });
    this.ctx.send(leader, { t: 'fwd', op });
    this.ctx.setTimer(this.rtoMs(), 'fwd', op.id);
  }

  /** The retransmission timeout: smoothed round trip plus four deviations, bounded; a guess until measured. */
  private rtoMs(): number {
    if (this.srttMs === undefined) return FORWARD_RTO_MS.initial;
    return Math.min(FORWARD_RTO_MS.max, Math.max(FORWARD_RTO_MS.min, Math.ceil(this.srttMs + 4 * this.rttvarMs)));
  }

  private sampleRtt(rttMs: number): void {
    if (!(rttMs >= 0)) return; // the local clock went back
    if (this.srttMs === undefined) {
      this.srttMs = rttMs;
      this.rttvarMs = rttMs / 2;
      return;
    }
    this.rttvarMs = 0.75 * this.rttvarMs + 0.25 * Math.abs(this.srttMs - rttMs);
    this.srttMs = 0.875 * this.srttMs + 0.125 * rttMs;
  }

  /**
   * No answer yet: resend, to the leader as now known, every retransmission timeout (the leader
   * recognises a resent append by its op id and appends it once), until FORWARD_PATIENCE_MS, then answer `info`.
   */
  private onForwardTimer(opId: number): void {
    const f = this.forwarded.get(opId);
    if (f === undefined) return;
    const now = this.ctx.now();
    if (now - f.firstMs >= FORWARD_PATIENCE_MS || this.leaderId === undefined || this.leaderId === this.ctx.id) {
      this.forwarded.delete(opId);
      return f.reply({ type: 'info', error: 'leader did not answer' });
    }
    f.attempts++;
    f.sentMs = now;
    this.ctx.send(this.leaderId, { t: 'fwd', op: f.op });
    this.ctx.setTimer(this.rtoMs(), 'fwd', opId);
  }

  private onForwardReply(opId: number, result: ClientResult): void {
    const f = this.forwarded.get(opId);
    if (f === undefined) return; // a duplicate, or an answer after we gave up
    // Karn's rule: a resent op's answer may be to any of its tries, so it is no sample.
    if (f.attempts === 1) this.sampleRtt(this.ctx.now() - f.sentMs);
    this.forwarded.delete(opId);
    f.reply(result);
  }

  /** A heartbeat shows a forwarded append stored by a majority: answer it without waiting for the leader's reply. */
  private answerForwardedAppends(log: Entry[], committed: number): void {
    for (const [opId, f] of this.forwarded) {
      if (f.op.f !== 'append') continue;
      const index = log.findIndex((e) => e.op === opId);
      if (index < 0 || index >= committed) continue;
      this.forwarded.delete(opId);
      f.reply({ type: 'ok', value: index });
    }
  }

  /**
   * A read answers the log as of a moment this node certainly led: after a majority acked a
   * heartbeat sent once the read had arrived. The lease-reads bug skips that while its lease lasts.
   */
  private read(reply: (r: ClientResult) => void): void {
    if (this.leaseHolds()) return reply(this.readResult());
    this.sendLog();
    this.pendingReads.push({ afterSeq: this.hbSeq, reply });
    this.advanceReads();
  }

  /**
   * The lease: the last heartbeat round a majority acked left less than LEASE_MS ago, by its timer
   * (clock bumps do not move it) and by the clock (a pause does not stop the clock). lease-reads
   * trusts its own clock alone, over a lease no follower promised to respect. fd-local-clock keeps
   * the lease as a deadline on its local clock: set back by D ms, the clock leaves the lease D ms
   * too long, even across a partition in which a newer leader is elected.
   */
  private leaseHolds(): boolean {
    if (this.variant === 'no-quorum') return false;
    if (this.variant === 'lease-reads' || this.variant === 'fd-local-clock') return this.ctx.now() < this.leaseUntilMs;
    const sentMs = this.seqSentMs.get(this.confirmedSeq);
    return this.confirmedSeq > this.leaseExpiredSeq && sentMs !== undefined && this.ctx.now() - sentMs < LEASE_MS;
  }

  private serveAsLeader(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (this.role !== 'leader') return reply({ type: 'fail', error: 'not the leader' });
    if (op.f === 'read') return this.read(reply);
    const already = this.log.findIndex((e) => e.op === op.id);
    if (already >= 0) {
      // A retried forward: answer when that entry is stored by a majority, never append it twice.
      if (already < this.committed) return reply({ type: 'ok', value: already });
      this.pending.push({ index: already, reply });
      this.pending.sort((a, b) => a.index - b.index);
      return;
    }
    if (this.log.length >= MAX_LOG) return reply({ type: 'fail', error: 'log full' });
    const index = this.log.length;
    this.log = [...this.log, { epoch: this.epoch, op: op.id, value: op.value }];
    this.acks.set(this.ctx.id, this.log.length);
    this.save();
    this.pending.push({ index, reply });
    this.advanceCommit();
    this.sendLog();
  }
}
