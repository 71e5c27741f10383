import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/node/api.ts';
import type { RaftVariant } from './variants.ts';

/**
 * Raft (Ongaro & Ousterhout) replicating a small key-value store: leader election with randomized
 * timeouts, log replication with AppendEntries, the current-term commit rule, a no-op at the start
 * of every term, and every client op (reads included) going through the log. Written in callback
 * style (onMessage + timers) because it is the hottest protocol of the suite.
 *
 * Clients may address any node. The node that receives an op (its *origin*) keeps it pending and
 * forwards it to the leader it knows, retrying every `RETRY_MS` until the op is applied; retries
 * can put one op in the log several times, so the state machine deduplicates by (process, op id).
 * The origin answers its client when the op is applied, either by itself or by the leader (which
 * sends the result back).
 */

/** One client command as it sits in the log. Short field names: entries cross the network often. */
export interface Command {
  /** Client process. */
  p: number;
  /** Client op id (unique per run, increasing per process). */
  id: number;
  /** The origin node, which answers the client. */
  o: NodeId;
  f: string;
  k: string;
  v: unknown;
}

/** A log entry; `c === null` is the leader's no-op. */
export interface Entry {
  term: number;
  c: Command | null;
}

/** What applying a command answered; kept per process for deduplication. */
type Result = { type: 'ok'; value?: unknown } | { type: 'fail'; error?: string };

/**
 * Raft's messages (PreVote, RequestVote, AppendEntries, their replies) and client forwarding. A
 * PreVote (`pv`) asks "would you vote for me in `term`?" without anyone changing terms.
 */
export type RaftMsg =
  | { t: 'pv'; term: number; lastIndex: number; lastTerm: number }
  | { t: 'pvr'; term: number; granted: boolean }
  | { t: 'rv'; term: number; lastIndex: number; lastTerm: number }
  | { t: 'rvr'; term: number; granted: boolean }
  | { t: 'ae'; term: number; prevIndex: number; prevTerm: number; entries: Entry[]; commit: number }
  | { t: 'aer'; term: number; ok: boolean; match: number; hint: number }
  | { t: 'fwd'; c: Command }
  | { t: 'fwdr'; id: number; r: Result };

export type Role = 'follower' | 'candidate' | 'leader';

/** Election timeouts are drawn uniformly from [MIN, MAX) ms of the node's own clock. */
export const ELECTION_TIMEOUT_MIN_MS = 150;
export const ELECTION_TIMEOUT_MAX_MS = 300;
/** Leader heartbeat period: well under the smallest election timeout, so a live leader is never suspected. */
export const HEARTBEAT_MS = 50;
/** How often an origin re-forwards its pending ops to the leader it knows. */
export const RETRY_MS = 60;
/** Retries before an origin gives up on an op (the client's own timeout, 1000 ms, ends it first). */
export const MAX_RETRIES = 15;
/** Bound on entries per AppendEntries, so one message never carries a whole log. */
export const MAX_ENTRIES_PER_APPEND = 32;

interface PendingOp {
  op: ClientOp;
  reply: (r: ClientResult) => void;
  retries: number;
  /** Whether it ever left this node (forwarded or appended): only an op that never did may `fail`. */
  sent: boolean;
}

/** The replicated key-value state machine with per-process deduplication. */
class KvMachine {
  readonly data = new Map<string, string>();
  /** Last applied op per client process and its result. */
  readonly sessions = new Map<number, { id: number; result: Result }>();

  /** Applies `c` once: a retry of an op already applied (or older) returns the cached answer. */
  apply(c: Command): Result {
    const s = this.sessions.get(c.p);
    if (s !== undefined && c.id <= s.id) {
      // An older id than the last applied means the client already moved on: nobody awaits it.
      return c.id === s.id ? s.result : { type: 'fail', error: 'superseded' };
    }
    const result = this.execute(c);
    this.sessions.set(c.p, { id: c.id, result });
    return result;
  }

  /** The value of `k`; a missing key reads as "" (the kv model's `initial`). */
  read(k: string): string {
    return this.data.get(k) ?? '';
  }

  private execute(c: Command): Result {
    switch (c.f) {
      case 'get':
        return { type: 'ok', value: this.read(c.k) };
      case 'put':
        this.data.set(c.k, String(c.v));
        return { type: 'ok' };
      case 'append':
        this.data.set(c.k, this.read(c.k) + String(c.v));
        return { type: 'ok' };
      case 'cas': {
        const [from, to] = c.v as [unknown, unknown];
        if (this.read(c.k) !== String(from)) return { type: 'fail', error: 'cas mismatch' };
        this.data.set(c.k, String(to));
        return { type: 'ok' };
      }
      default:
        return { type: 'fail', error: `unknown op ${c.f}` };
    }
  }
}

/** One Raft node. Fields read by the invariant observers are public and documented. */
export class RaftNode implements NodeHandlers<RaftMsg> {
  /** This node's id (the observers read it). */
  readonly ctxId: NodeId;
  role: Role = 'follower';
  /** Durable (synced before any reply that depends on it). */
  currentTerm: number;
  votedFor: NodeId | null;
  /** `log[0]` is a sentinel of term 0, so indices are 1-based like the paper's. */
  readonly log: Entry[];
  commitIndex = 0;
  lastApplied = 0;
  leaderId: NodeId | null = null;
  /**
   * Lowest log index changed since the observer last looked (the observer resets it to Infinity).
   * Lets the log invariants check only what changed instead of whole logs after every event.
   */
  dirtyFrom = 1;

  private readonly sm = new KvMachine();
  private readonly majority: number;
  private votes = new Set<NodeId>();
  private readonly nextIndex = new Map<NodeId, number>();
  private readonly matchIndex = new Map<NodeId, number>();
  /** Ops this node appended as leader in its current term (a retry in the same term is not appended again). */
  private proposed = new Set<number>();
  private readonly pending = new Map<number, PendingOp>();
  /** Set when a leader (or a vote we granted) was heard since the election timer was armed. */
  private heard = false;
  /**
   * PreVote round in progress: the peers that would vote for this node in `currentTerm + 1`
   * (itself included), or null. The term changes only once a majority would.
   */
  private preVotes: Set<NodeId> | null = null;
  /** Numbers PreVote rounds: a round's retry timer stops once a newer round (or none) is on. */
  private preVoteRound = 0;
  /** This node's clock when it last heard a live leader of its term (AppendEntries), or null. */
  private leaderHeardAtMs: number | null = null;
  private retryArmed = false;

  constructor(
    private readonly ctx: NodeCtx<RaftMsg>,
    private readonly variant: RaftVariant,
  ) {
    this.ctxId = ctx.id;
    this.majority = Math.floor(ctx.nodes.length / 2) + 1;
    // Recover what reached the disk before a crash; volatile state (commit, state machine) is rebuilt.
    this.currentTerm = ctx.storage.get<number>('term') ?? 0;
    this.votedFor = ctx.storage.get<NodeId | null>('vote') ?? null;
    const len = ctx.storage.get<number>('len') ?? 0;
    this.log = [{ term: 0, c: null }];
    for (let i = 1; i <= len; i++) {
      const e = ctx.storage.get<Entry>(`e${i}`);
      assert(e !== undefined, `log entry ${i} of ${len} missing from storage`);
      this.log.push(e);
    }
  }

  onStart(): void {
    this.armElectionTimer();
  }

  get lastIndex(): number {
    return this.log.length - 1;
  }

  get lastTerm(): number {
    return this.log[this.log.length - 1].term;
  }

  // ---- persistence --------------------------------------------------------------------------

  /** Writes term and vote; synced unless the `no-persist` bug forgets to. */
  private saveHardState(): void {
    this.ctx.storage.set('term', this.currentTerm);
    this.ctx.storage.set('vote', this.votedFor);
    if (this.variant !== 'no-persist') this.ctx.storage.sync();
  }

  /** Writes log entries from `from` to the end, and the length, then syncs. */
  private saveLog(from: number): void {
    for (let i = from; i <= this.lastIndex; i++) this.ctx.storage.set(`e${i}`, this.log[i]);
    this.ctx.storage.set('len', this.lastIndex);
    this.ctx.storage.sync();
    if (from < this.dirtyFrom) this.dirtyFrom = from;
  }

  // ---- timers -------------------------------------------------------------------------------

  private armElectionTimer(): void {
    const span = ELECTION_TIMEOUT_MAX_MS - ELECTION_TIMEOUT_MIN_MS;
    this.ctx.setTimer(ELECTION_TIMEOUT_MIN_MS + this.ctx.randomInt(span), 'election');
  }

  onTimer(name: string, data: unknown): void {
    switch (name) {
      case 'election':
        // One timer per node, re-armed on every firing: hearing a leader sets a flag rather than
        // re-arming, so heartbeats do not flood the event queue with cancelled timers.
        if (this.role !== 'leader') {
          if (this.heard) this.heard = false;
          // The figure-8 bug runs the paper's basic election (no PreVote): Figure 8's history
          // needs a node to stand for election as soon as its timer fires, which PreVote makes
          // rare (under the bug's knobs, with PreVote: first failing seed 533, 3 in 0..1999;
          // without: 34, 4 in 0..499).
          else if (this.variant === 'figure8-commit') this.startElection();
          else this.startPreVote();
        }
        this.armElectionTimer();
        return;
      case 'heartbeat':
        // Tagged with the term it was armed in: a leader deposed and re-elected must not end up
        // with two heartbeat chains.
        if (this.role !== 'leader' || data !== this.currentTerm) return;
        for (const p of this.ctx.peers) this.sendAppend(p);
        this.ctx.setTimer(HEARTBEAT_MS, 'heartbeat', this.currentTerm);
        return;
      case 'prevote':
        // Retried like RequestVote, tagged with its round: one retry chain per node at most.
        if (this.preVotes === null || data !== this.preVoteRound) return;
        for (const p of this.ctx.peers) if (!this.preVotes.has(p)) this.sendPreVote(p);
        this.ctx.setTimer(HEARTBEAT_MS, 'prevote', this.preVoteRound);
        return;
      case 'revote':
        // RequestVote is retried like any RPC: a vote request lost or sent to a crashed node must
        // not leave the election to the next timeout.
        if (this.role !== 'candidate' || data !== this.currentTerm) return;
        for (const p of this.ctx.peers) if (!this.votes.has(p)) this.sendRequestVote(p);
        this.ctx.setTimer(HEARTBEAT_MS, 'revote', this.currentTerm);
        return;
      case 'retry':
        this.retryArmed = false;
        this.retryPending();
        return;
    }
  }

  // ---- elections ----------------------------------------------------------------------------

  /**
   * PreVote (Raft thesis, 9.6): before a node bumps its term it asks whether a majority would vote
   * for it. On a slow network (latencies near the election timeout) a follower whose timer fires
   * before the new leader's first heartbeat arrives would otherwise start an election it cannot
   * win (its log is behind) or need not win (a leader exists), and the higher term it carries
   * deposes the leader; leaders are then deposed in turn and client ops wait seconds. With PreVote
   * a node whose peers still hear a leader, or whose log is behind theirs, changes nothing.
   */
  private startPreVote(): void {
    this.preVotes = new Set([this.ctx.id]);
    this.preVoteRound++;
    if (this.preVotes.size >= this.majority) return this.startElection();
    for (const p of this.ctx.peers) this.sendPreVote(p);
    this.ctx.setTimer(HEARTBEAT_MS, 'prevote', this.preVoteRound);
  }

  private sendPreVote(to: NodeId): void {
    this.ctx.send(to, { t: 'pv', term: this.currentTerm + 1, lastIndex: this.lastIndex, lastTerm: this.lastTerm });
  }

  /** Whether a leader of this node's term was heard within the smallest election timeout. */
  private leaderRecentlyHeard(): boolean {
    if (this.role === 'leader') return true;
    if (this.leaderHeardAtMs === null) return false;
    const sinceMs = this.ctx.now() - this.leaderHeardAtMs;
    // A clock stepped back (a clock fault) makes sinceMs negative: not proof of a live leader.
    return sinceMs >= 0 && sinceMs < ELECTION_TIMEOUT_MIN_MS;
  }

  /** Whether a candidate with this log end may have this node's vote (the election restriction). */
  private logOk(lastIndex: number, lastTerm: number): boolean {
    if (this.variant === 'vote-without-log-check') return true;
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex);
  }

  /** Answers a PreVote without changing any state: granted iff a real vote could be, and no leader is heard. */
  private onPreVote(from: NodeId, m: Extract<RaftMsg, { t: 'pv' }>): void {
    const granted = m.term > this.currentTerm && !this.leaderRecentlyHeard() && this.logOk(m.lastIndex, m.lastTerm);
    this.ctx.send(from, { t: 'pvr', term: granted ? m.term : this.currentTerm, granted });
  }

  private onPreVoteReply(from: NodeId, m: Extract<RaftMsg, { t: 'pvr' }>): void {
    if (!m.granted) {
      // A refusal carries the voter's term: a higher one is adopted like any other.
      if (m.term > this.currentTerm) this.stepDown(m.term);
      return;
    }
    if (this.preVotes === null || m.term !== this.currentTerm + 1) return;
    this.preVotes.add(from);
    if (this.preVotes.size >= this.majority) this.startElection();
  }

  private startElection(): void {
    this.preVotes = null;
    this.role = 'candidate';
    this.currentTerm++;
    this.votedFor = this.ctx.id;
    this.leaderId = null;
    this.votes = new Set([this.ctx.id]);
    this.saveHardState();
    if (this.votes.size >= this.majority) return this.becomeLeader();
    for (const p of this.ctx.peers) this.sendRequestVote(p);
    this.ctx.setTimer(HEARTBEAT_MS, 'revote', this.currentTerm);
  }

  private sendRequestVote(to: NodeId): void {
    this.ctx.send(to, { t: 'rv', term: this.currentTerm, lastIndex: this.lastIndex, lastTerm: this.lastTerm });
  }

  /** Adopts a higher term seen in any message: follower, no vote yet in it. */
  private stepDown(term: number): void {
    assert(term > this.currentTerm, 'stepDown to a term that is not higher');
    if (this.role === 'leader') this.ctx.log(`steps down: saw term ${term}`);
    this.currentTerm = term;
    this.votedFor = null;
    this.role = 'follower';
    this.leaderId = null;
    this.preVotes = null;
    this.saveHardState();
  }

  private onRequestVote(from: NodeId, m: Extract<RaftMsg, { t: 'rv' }>): void {
    if (m.term > this.currentTerm) this.stepDown(m.term);
    const granted = m.term === this.currentTerm && (this.votedFor === null || this.votedFor === from) && this.logOk(m.lastIndex, m.lastTerm);
    if (granted && this.votedFor !== from) {
      this.votedFor = from;
      // The vote must be on disk before the candidate can count it.
      this.saveHardState();
    }
    if (granted) this.heard = true;
    this.ctx.send(from, { t: 'rvr', term: this.currentTerm, granted });
  }

  private onVote(from: NodeId, m: Extract<RaftMsg, { t: 'rvr' }>): void {
    if (m.term > this.currentTerm) return this.stepDown(m.term);
    if (this.role !== 'candidate' || m.term !== this.currentTerm || !m.granted) return;
    this.votes.add(from);
    if (this.votes.size >= this.majority) this.becomeLeader();
  }

  private becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader');
    this.role = 'leader';
    this.leaderId = this.ctx.id;
    this.ctx.log(`leader of term ${this.currentTerm}`);
    this.proposed = new Set();
    for (const p of this.ctx.peers) {
      this.nextIndex.set(p, this.lastIndex + 1);
      this.matchIndex.set(p, 0);
    }
    // A no-op of the new term lets the leader commit (and so learn) everything before it, since
    // only current-term entries are committed by counting. The figure-8 bug needs no such thing.
    if (this.variant !== 'figure8-commit') {
      this.log.push({ term: this.currentTerm, c: null });
      this.saveLog(this.lastIndex);
    }
    for (const p of this.ctx.peers) this.sendAppend(p);
    this.ctx.setTimer(HEARTBEAT_MS, 'heartbeat', this.currentTerm);
    this.advanceCommit();
    this.retryPending();
  }

  // ---- replication --------------------------------------------------------------------------

  private sendAppend(to: NodeId): void {
    const next = this.nextIndex.get(to)!;
    assert(next >= 1 && next <= this.lastIndex + 1, `nextIndex ${next} out of range`);
    const end = Math.min(this.lastIndex, next + MAX_ENTRIES_PER_APPEND - 1);
    const entries = this.log.slice(next, end + 1);
    this.ctx.send(to, { t: 'ae', term: this.currentTerm, prevIndex: next - 1, prevTerm: this.log[next - 1].term, entries, commit: this.commitIndex });
    // Pipelining: assume delivery; a lost message shows as a rejection and rewinds nextIndex.
    this.nextIndex.set(to, end + 1);
  }

  private onAppend(from: NodeId, m: Extract<RaftMsg, { t: 'ae' }>): void {
    if (m.term < this.currentTerm) {
      this.ctx.send(from, { t: 'aer', term: this.currentTerm, ok: false, match: 0, hint: 0 });
      return;
    }
    if (m.term > this.currentTerm) this.stepDown(m.term);
    if (this.role === 'leader') {
      // Two leaders of one term: impossible in correct Raft; a planted bug may get here, and the
      // election-safety invariant reports it, so the buggy node just ignores the other leader.
      assert(this.variant !== 'correct', `two leaders in term ${m.term}: ${this.ctx.id} and ${from}`);
      return;
    }
    this.role = 'follower';
    this.leaderId = from;
    this.heard = true;
    this.leaderHeardAtMs = this.ctx.now();
    this.preVotes = null;
    if (m.prevIndex > this.lastIndex || this.log[m.prevIndex].term !== m.prevTerm) {
      // Hint: the first index the leader should try next (skip the whole conflicting term).
      let hint = Math.min(m.prevIndex, this.lastIndex + 1);
      if (hint <= this.lastIndex) {
        const bad = this.log[hint].term;
        while (hint > 1 && hint > this.commitIndex + 1 && this.log[hint - 1].term === bad) hint--;
      }
      this.ctx.send(from, { t: 'aer', term: this.currentTerm, ok: false, match: 0, hint: Math.max(1, hint) });
      return;
    }
    let firstChanged = Infinity;
    for (let j = 0; j < m.entries.length; j++) {
      const idx = m.prevIndex + 1 + j;
      const e = m.entries[j];
      if (idx <= this.lastIndex) {
        if (this.log[idx].term === e.term) continue;
        if (idx <= this.commitIndex) {
          // Only a planted bug overwrites a committed entry; the node then forgets it committed it,
          // and the invariants (not this node) report the damage.
          assert(this.variant !== 'correct', `conflict at committed index ${idx}`);
          this.commitIndex = idx - 1;
        }
        if (this.variant === 'no-truncate') {
          // The bug: overwrite in place and keep whatever followed the conflicting entry.
          this.log[idx] = e;
          firstChanged = Math.min(firstChanged, idx);
          continue;
        }
        this.log.length = idx;
      }
      this.log.push(e);
      firstChanged = Math.min(firstChanged, idx);
    }
    // Durable before the ack: the leader will count this follower towards a commit.
    if (firstChanged !== Infinity) this.saveLog(firstChanged);
    const lastNew = m.prevIndex + m.entries.length;
    if (m.commit > this.commitIndex) {
      this.commitIndex = Math.max(this.commitIndex, Math.min(m.commit, lastNew));
      this.applyCommitted();
    }
    this.ctx.send(from, { t: 'aer', term: this.currentTerm, ok: true, match: lastNew, hint: 0 });
  }

  private onAppendReply(from: NodeId, m: Extract<RaftMsg, { t: 'aer' }>): void {
    if (m.term > this.currentTerm) return this.stepDown(m.term);
    if (this.role !== 'leader' || m.term !== this.currentTerm) return;
    const match = this.matchIndex.get(from)!;
    if (m.ok) {
      if (m.match > match) {
        this.matchIndex.set(from, m.match);
        if (this.nextIndex.get(from)! <= m.match) this.nextIndex.set(from, m.match + 1);
        this.advanceCommit();
      }
      // Entries past the last batch sent were never sent (a follower more than a batch behind).
      if (this.nextIndex.get(from)! <= this.lastIndex) this.sendAppend(from);
      return;
    }
    // Never rewind below what the follower already matched: those entries cannot be truncated.
    this.nextIndex.set(from, Math.min(this.lastIndex + 1, Math.max(match + 1, m.hint)));
    this.sendAppend(from);
  }

  /** The highest index a majority holds; committed if it is of the current term (paper, 5.4.2). */
  private advanceCommit(): void {
    const matches = [this.lastIndex];
    for (const p of this.ctx.peers) matches.push(this.matchIndex.get(p)!);
    matches.sort((a, b) => b - a);
    const n = matches[this.majority - 1];
    if (n <= this.commitIndex) return;
    // The figure-8 bug: an earlier-term entry held by a majority can still be overwritten.
    if (this.variant !== 'figure8-commit' && this.log[n].term !== this.currentTerm) return;
    this.commitIndex = n;
    this.applyCommitted();
  }

  private applyCommitted(): void {
    assert(this.commitIndex <= this.lastIndex, `commitIndex ${this.commitIndex} beyond the log (${this.lastIndex})`);
    // (In a planted-bug variant lastApplied may exceed a forgotten commitIndex; nothing is re-applied.)
    while (this.lastApplied < this.commitIndex) {
      const c = this.log[++this.lastApplied].c;
      if (c === null) continue;
      const r = this.sm.apply(c);
      this.answer(c.id, r);
      if (this.role === 'leader' && c.o !== this.ctx.id) this.ctx.send(c.o, { t: 'fwdr', id: c.id, r });
    }
  }

  // ---- clients ------------------------------------------------------------------------------

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (op.key === undefined) return reply({ type: 'fail', error: 'kv op without a key' });
    if (this.variant === 'stale-local-read' && op.f === 'get' && this.role === 'leader') {
      // The bug: a leader cut off from the majority does not know it was replaced.
      return reply({ type: 'ok', value: this.sm.read(op.key) });
    }
    this.pending.set(op.id, { op, reply, retries: 0, sent: false });
    this.route(op.id);
    this.armRetry();
  }

  /** Sends one pending op towards the log: append if leader, else forward to the known leader. */
  private route(id: number): void {
    const p = this.pending.get(id)!;
    const c: Command = { p: p.op.process, id, o: this.ctx.id, f: p.op.f, k: p.op.key!, v: p.op.value };
    if (this.role === 'leader') {
      this.propose(c);
      p.sent = true;
    } else if (this.leaderId !== null) {
      this.ctx.send(this.leaderId, { t: 'fwd', c });
      p.sent = true;
    }
  }

  private propose(c: Command): void {
    assert(this.role === 'leader', 'only a leader appends client commands');
    if (this.proposed.has(c.id)) return;
    this.proposed.add(c.id);
    this.log.push({ term: this.currentTerm, c });
    // Durable before replicating: the leader counts its own log towards the majority.
    this.saveLog(this.lastIndex);
    for (const p of this.ctx.peers) this.sendAppend(p);
    this.advanceCommit();
  }

  private onForward(from: NodeId, c: Command): void {
    if (this.role !== 'leader') return; // the origin retries towards whoever leads next
    if (this.variant === 'stale-local-read' && c.f === 'get') {
      this.ctx.send(from, { t: 'fwdr', id: c.id, r: { type: 'ok', value: this.sm.read(c.k) } });
      return;
    }
    this.propose(c);
  }

  private answer(id: number, r: Result): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    p.reply(r.type === 'ok' ? (r.value === undefined ? { type: 'ok' } : { type: 'ok', value: r.value }) : { type: 'fail', error: r.error });
  }

  private armRetry(): void {
    if (this.retryArmed || this.pending.size === 0) return;
    this.retryArmed = true;
    this.ctx.setTimer(RETRY_MS, 'retry');
  }

  private retryPending(): void {
    for (const [id, p] of this.pending) {
      if (++p.retries > MAX_RETRIES) {
        this.pending.delete(id);
        // Never sent anywhere: it definitely did not happen. Otherwise the client's timeout says `info`.
        if (!p.sent) p.reply({ type: 'fail', error: 'no leader' });
        continue;
      }
      this.route(id);
    }
    this.armRetry();
  }

  // ---- dispatch -----------------------------------------------------------------------------

  onMessage(from: NodeId, m: RaftMsg): void {
    switch (m.t) {
      case 'pv':
        return this.onPreVote(from, m);
      case 'pvr':
        return this.onPreVoteReply(from, m);
      case 'rv':
        return this.onRequestVote(from, m);
      case 'rvr':
        return this.onVote(from, m);
      case 'ae':
        return this.onAppend(from, m);
      case 'aer':
        return this.onAppendReply(from, m);
      case 'fwd':
        return this.onForward(from, m.c);
      case 'fwdr':
        return this.answer(m.id, m.r);
    }
  }
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(`raft assertion failed: ${message}`);
}
