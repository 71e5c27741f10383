import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';

/**
 * Bully leader election with a heartbeat failure detector, and a single-writer log the leader
 * alone appends to.
 *
 * - Failure detector: a follower that has heard no heartbeat for its timeout suspects the leader.
 *   Timeouts are staggered by rank (the bully rule): the highest id waits least, so the highest
 *   live node usually wins; and a live node ranked above the current leader challenges it.
 * - Election: a candidate takes epoch = highest promised + 1 and asks every node for a vote. A
 *   node promises at most one candidate per epoch and never an older epoch (durable before it
 *   answers) and sends its log. With a majority the candidate leads that epoch, starting from the
 *   most recent log among its voters (highest epoch it was adopted in, then longest).
 * - The log: the leader appends a client's entry, sends its whole log (with its epoch) to every
 *   node, and acknowledges once a majority stored it. A node takes a log only from an epoch at
 *   least as high as it promised, so a deposed leader can no longer gather a majority.
 */

export type ElectionVariant = 'correct' | 'no-quorum' | 'lease-reads';

/** How often a node checks its failure detector and a leader sends heartbeats. */
export const TICK_MS = 20;
/** The failure detector's timeout for the highest-ranked node; lower ranks wait RANK_STEP_MS more per rank. */
export const SUSPECT_AFTER_MS = 150;
const RANK_STEP_MS = 40;
/** A candidate that has no majority by then gives up (and retries after its timeout). */
const ELECTION_MS = 100;
/** How long a follower waits for the leader to answer one try of a forwarded client op. */
const FORWARD_TIMEOUT_MS = 250;
/** Tries per forwarded op: 3 x 250 ms stays under the client's 1 s timeout. */
const FORWARD_ATTEMPTS = 3;
/**
 * lease-reads: a leader answers reads alone for this long after a heartbeat a majority acked (its
 * clock), counting on every follower's failure detector (its own clock) to wait SUSPECT_AFTER_MS.
 * Safety then rests on timeouts: a follower that cannot hear the leader, or whose clock jumps,
 * suspects early and wins votes from nodes that still ack the old leader.
 */
const LEASE_MS = 100;
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
  | { t: 'append'; epoch: number; seq: number; log: Entry[] }
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
  private lastHeardMs: number;
  private leaderId: NodeId | undefined;
  private votes = new Map<NodeId, { log: Entry[]; logEpoch: number }>();
  private electionStartedMs = 0;
  private acks = new Map<NodeId, number>();
  private pending: Pending[] = [];
  /** Client ops this node forwarded to the leader, by op id, until answered. */
  private forwarded = new Map<number, { op: ClientOp; reply: (r: ClientResult) => void; attempts: number }>();
  /** While leader: how many entries of the log a majority stored in this epoch. */
  private committed = 0;
  /** While leader: heartbeat rounds (each `append` broadcast is one), when each left, and each node's highest acked round. */
  private hbSeq = 0;
  private seqSentMs = new Map<number, number>();
  private ackSeq = new Map<NodeId, number>();
  private leaseUntilMs = -Infinity;
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
  }

  onStart(): void {
    this.ctx.setTimer(TICK_MS, 'tick');
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
    if (name !== 'tick') return;
    this.ctx.setTimer(TICK_MS, 'tick');
    if (this.role === 'leader') return this.sendLog();
    const now = this.ctx.now();
    if (this.role === 'candidate' && now - this.electionStartedMs > ELECTION_MS) this.role = 'follower';
    if (this.role === 'follower' && now - this.lastHeardMs > this.suspectAfterMs()) this.suspectLeader();
  }

  private suspectLeader(): void {
    this.lastHeardMs = this.ctx.now();
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
    this.votes = new Map([[this.ctx.id, { log: this.log, logEpoch: this.logEpoch }]]);
    this.ctx.broadcast({ t: 'vote-req', epoch: this.promised });
    this.maybeWin();
  }

  onMessage(from: NodeId, m: Msg): void {
    if (m.t === 'vote-req') return this.onVoteReq(from, m.epoch);
    if (m.t === 'vote') return this.onVote(from, m);
    if (m.t === 'append') return this.onAppend(from, m);
    if (m.t === 'append-ack') return this.onAppendAck(from, m);
    if (m.t === 'fwd') return this.serveAsLeader(m.op, (result) => this.ctx.send(from, { t: 'fwd-reply', opId: m.op.id, result }));
    if (m.t === 'fwd-reply') return this.onForwardReply(m.opId, m.result);
  }

  private onVoteReq(from: NodeId, epoch: number): void {
    const granted = epoch > this.promised;
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
    this.save();
    this.sendLog();
  }

  private sendLog(): void {
    this.hbSeq++;
    this.seqSentMs.set(this.hbSeq, this.ctx.now());
    this.seqSentMs.delete(this.hbSeq - 1000);
    this.ackSeq.set(this.ctx.id, this.hbSeq);
    this.ctx.broadcast({ t: 'append', epoch: this.epoch, seq: this.hbSeq, log: this.log });
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
    this.lastHeardMs = this.ctx.now();
  }

  private onAppend(from: NodeId, m: Extract<Msg, { t: 'append' }>): void {
    if (m.epoch < this.promised || (m.epoch === this.promised && this.role === 'leader' && from !== this.ctx.id)) return;
    if (m.epoch > this.promised || this.role !== 'follower') this.stepDown(m.epoch);
    this.lastHeardMs = this.ctx.now();
    this.leaderId = from;
    // Reordered messages of one leader: never go back to a shorter log of the same epoch.
    if (m.epoch > this.logEpoch || m.log.length > this.log.length) {
      this.log = m.log;
      this.logEpoch = m.epoch;
      this.save();
    }
    this.ctx.send(from, { t: 'append-ack', epoch: m.epoch, seq: m.seq, length: this.log.length });
    this.challengeIfHigher(from);
  }

  /** The bully rule: a live node ranked above the leader takes over (by a normal election). */
  private challengeIfHigher(leader: NodeId): void {
    if (this.rank(this.ctx.id) > this.rank(leader) && this.ctx.now() - this.electionStartedMs > this.suspectAfterMs()) this.suspectLeader();
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
    const sentMs = this.seqSentMs.get(confirmed);
    if (sentMs !== undefined) this.leaseUntilMs = Math.max(this.leaseUntilMs, sentMs + LEASE_MS);
    while (this.pendingReads.length > 0 && this.pendingReads[0].afterSeq <= confirmed) this.pendingReads.shift()!.reply(this.readResult());
  }

  private readResult(): ClientResult {
    return { type: 'ok', value: this.log.map((e) => e.value) };
  }

  /** Acknowledges the pending appends a majority (this node included) has stored. */
  private advanceCommit(): void {
    const stored = [...this.acks.values()].sort((a, b) => b - a);
    const majority = Math.floor(this.ctx.nodes.length / 2) + 1;
    this.committed = Math.max(this.committed, stored.length >= majority ? stored[majority - 1] : 0);
    while (this.pending.length > 0 && this.pending[0].index < this.committed) {
      const p = this.pending.shift()!;
      if (!this.acked.some((a) => a.index === p.index)) this.acked.push({ index: p.index, op: this.log[p.index].op, epoch: this.epoch });
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
    this.forwarded.set(op.id, { op, reply, attempts: 1 });
    this.ctx.send(leader, { t: 'fwd', op });
    this.ctx.setTimer(FORWARD_TIMEOUT_MS, 'fwd', op.id);
  }

  /**
   * No answer yet: resend, to the leader as now known, a bounded number of times (the leader
   * recognises a resent append by its op id and appends it once), then answer `info`.
   */
  private onForwardTimer(opId: number): void {
    const f = this.forwarded.get(opId);
    if (f === undefined) return;
    if (f.attempts >= FORWARD_ATTEMPTS || this.leaderId === undefined || this.leaderId === this.ctx.id) {
      this.forwarded.delete(opId);
      return f.reply({ type: 'info', error: 'leader did not answer' });
    }
    f.attempts++;
    this.ctx.send(this.leaderId, { t: 'fwd', op: f.op });
    this.ctx.setTimer(FORWARD_TIMEOUT_MS, 'fwd', opId);
  }

  private onForwardReply(opId: number, result: ClientResult): void {
    const f = this.forwarded.get(opId);
    if (f === undefined) return; // a duplicate, or an answer after we gave up
    this.forwarded.delete(opId);
    f.reply(result);
  }

  /**
   * A read answers the log as of a moment this node certainly led: after a majority acked a
   * heartbeat sent once the read had arrived. The lease-reads bug skips that while its lease lasts.
   */
  private read(reply: (r: ClientResult) => void): void {
    if (this.variant === 'lease-reads' && this.ctx.now() < this.leaseUntilMs) return reply(this.readResult());
    this.sendLog();
    this.pendingReads.push({ afterSeq: this.hbSeq, reply });
    this.advanceReads();
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
