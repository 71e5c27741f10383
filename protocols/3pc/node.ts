import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';

/**
 * Three-phase commit (Skeen) with a termination protocol. `n1` coordinates: it asks every
 * participant to vote (phase 1), moves them all to pre-commit once every vote is yes (phase 2),
 * and commits once every participant has acknowledged the pre-commit (phase 3). Nobody commits
 * while anyone is still uncertain, so a participant that is uncertain knows nobody has committed.
 *
 * When the coordinator goes silent, the participants do not block (as in 2PC): the lowest-ranked
 * node still up runs the termination protocol. It asks every node for its state; a final state
 * decides; any pre-commit among the nodes that answered means "move them all to pre-commit, then
 * commit"; all uncertain means abort. That is safe when silence means crashed: a node that does
 * not answer within the window is down (crash-stop), and a node that restarts in doubt does not
 * count (it only learns the outcome, or decides with every node's answer in hand). Under a
 * partition, silence means cut off, both sides terminate, and they can decide differently; that
 * is the classic limit of 3PC, shown by the `under-partitions` variant.
 *
 * Timeouts are in units of `d`, the slowest one-way delay a node has seen so far (messages carry
 * their send time; 3PC assumes a synchronous network, and with crash faults only the clocks agree).
 */
export type ThreePcVariant = 'correct' | 'under-partitions' | 'commit-on-timeout' | 'recovery-ignores-precommit';

/** A node's state for one transaction. `collecting` is the coordinator's phase 1 (not logged). */
export type TxnState = 'none' | 'collecting' | 'uncertain' | 'precommitted' | 'committed' | 'aborted';

type Body =
  | { t: 'submit'; txn: number }
  | { t: 'result'; txn: number; commit: boolean }
  | { t: 'prepare'; txn: number }
  | { t: 'vote'; txn: number; yes: boolean }
  | { t: 'precommit'; txn: number }
  | { t: 'ack'; txn: number }
  | { t: 'query'; txn: number; recovered: boolean }
  | { t: 'state'; txn: number; s: TxnState; continuous: boolean }
  | { t: 'decision'; txn: number; commit: boolean }
  | { t: 'decided'; txn: number };
export type Msg = Body & { sentAtMs: number };

/** Chance that a participant votes no (its own seeded stream). */
const NO_VOTE_PROBABILITY = 0.05;
/** The floor of `d`: timeouts never go below a few multiples of this. */
const MIN_DELAY_MS = 20;
/** Weight of the newest delay in the running average that paces resends. */
const DELAY_AVERAGE_WEIGHT = 0.1;

/** What a node shows observers, appended in event order; a restart starts a fresh journal. */
export interface ThreePcJournal {
  votes: Array<[number, boolean]>;
  decisions: Array<[number, boolean]>;
}

/** One round of the termination protocol (or the coordinator's phase 2, which is its move step). */
interface Round {
  phase: 'query' | 'move';
  replies: Map<NodeId, { s: TxnState; continuous: boolean }>;
  pending: Set<NodeId>;
  /** The window closes here: whoever has not answered by then is taken for crashed. */
  deadlineMs: number;
}

export class ThreePcNode implements NodeHandlers<Msg> {
  readonly journal: ThreePcJournal = { votes: [], decisions: [] };
  private readonly coordinator: NodeId;
  private readonly participants: readonly NodeId[];
  private readonly others: readonly NodeId[];
  private readonly rank: number;
  /** Slowest one-way delay seen (volatile: a restart starts from the floor again). */
  private maxDelayMs = MIN_DELAY_MS;
  /** Running average of one-way delays: paces resends. */
  private meanDelayMs = MIN_DELAY_MS / 4;
  private readonly states = new Map<number, TxnState>();
  /** Txns this node was in doubt about when it restarted: it only learns their outcome. */
  private readonly recovered = new Set<number>();
  private readonly rounds = new Map<number, Round>();
  private readonly silenceTimers = new Map<number, number>();
  private readonly votes = new Map<number, { yes: Set<NodeId>; timer: number }>();
  private readonly origins = new Map<number, Set<NodeId>>();
  private readonly clients = new Map<number, (r: ClientResult) => void>();
  /** Decisions sent and not yet acknowledged, per txn. */
  private readonly unacked = new Map<number, { commit: boolean; pending: Set<NodeId> }>();

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly variant: ThreePcVariant,
  ) {
    this.coordinator = ctx.nodes[0];
    this.participants = ctx.nodes.slice(1);
    this.others = ctx.nodes.filter((n) => n !== ctx.id);
    this.rank = ctx.nodes.indexOf(ctx.id);
  }

  /** `d`: the slowest one-way delay seen; every timeout that stands for "crashed" is a multiple of it. */
  private get d(): number {
    return this.maxDelayMs;
  }

  /** How often unanswered messages go out again: a few typical delays. */
  private get resendMs(): number {
    return Math.max(MIN_DELAY_MS, Math.round(3 * this.meanDelayMs));
  }

  onStart(): void {
    this.ctx.setTimer(this.resendMs, 'resend');
    for (const txn of this.ctx.storage.get<number[]>('doubt') ?? []) {
      let s = this.ctx.storage.get<TxnState>(`s:${txn}`)!;
      if (s === 'precommitted' && this.variant === 'recovery-ignores-precommit') {
        // The planted bug: recovery reads the vote but not the pre-commit record after it.
        s = this.ctx.id === this.coordinator ? 'none' : 'uncertain';
        if (s === 'none') {
          // ... and the coordinator, finding no decision, presumes abort as 2PC would.
          this.finish(txn, false);
          continue;
        }
      }
      this.states.set(txn, s);
      this.recovered.add(txn);
      this.startRound(txn);
    }
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (op.f !== 'txn' || !Number.isSafeInteger(op.value)) return reply({ type: 'fail', error: `expected {f: 'txn', value: <integer id>}, got ${op.f}` });
    const txn = op.value as number;
    this.clients.set(txn, reply);
    if (this.ctx.id === this.coordinator) this.submit(txn, this.ctx.id);
    else this.send(this.coordinator, { t: 'submit', txn });
  }

  onMessage(from: NodeId, m: Msg): void {
    const delayMs = this.ctx.now() - m.sentAtMs;
    this.maxDelayMs = Math.max(this.maxDelayMs, delayMs);
    this.meanDelayMs += DELAY_AVERAGE_WEIGHT * (delayMs - this.meanDelayMs);
    // Only a lower-ranked node (the coordinator, or a terminator this node defers to) holds off its
    // termination; a node back from a crash asking around does not.
    if (this.ctx.nodes.indexOf(from) < this.rank && !(m.t === 'query' && m.recovered)) this.resetSilence(m.txn);
    switch (m.t) {
      case 'submit':
        return this.submit(m.txn, from);
      case 'result':
        return this.answerClient(m.txn, m.commit);
      case 'prepare':
        return this.onPrepare(m.txn);
      case 'vote':
        return this.onVote(m.txn, from, m.yes);
      case 'precommit':
        return this.onPrecommit(m.txn, from);
      case 'ack':
        return this.onAck(m.txn, from);
      case 'query':
        return this.onQuery(m.txn, from);
      case 'state':
        return this.onStateReply(m.txn, from, m.s, m.continuous);
      case 'decision':
        if (!this.isFinal(m.txn)) this.finish(m.txn, m.commit);
        return this.send(from, { t: 'decided', txn: m.txn });
      case 'decided':
        this.unacked.get(m.txn)?.pending.delete(from);
        return;
    }
  }

  onTimer(name: string, data: unknown): void {
    const txn = data as number;
    if (name === 'resend') return this.resendAll();
    if (name === 'votes' && this.state(txn) === 'collecting') return this.finish(txn, false);
    if (name === 'silence') return this.onSilence(txn);
  }

  /** Txns this node holds in doubt (for the liveness check). */
  inDoubt(): number[] {
    return [...this.states].filter(([, s]) => s === 'uncertain' || s === 'precommitted' || s === 'collecting').map(([t]) => t);
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private send(to: NodeId, body: Body): void {
    this.ctx.send(to, { ...body, sentAtMs: this.ctx.now() });
  }

  private state(txn: number): TxnState {
    let s = this.states.get(txn);
    if (s === undefined) {
      s = this.ctx.storage.get<TxnState>(`s:${txn}`) ?? 'none';
      if (s !== 'none') this.states.set(txn, s);
    }
    return s;
  }

  private isFinal(txn: number): boolean {
    const s = this.state(txn);
    return s === 'committed' || s === 'aborted';
  }

  /** Logs a state durably (with the in-doubt list a restart reads) before anyone hears of it. */
  private setState(txn: number, s: TxnState): void {
    this.states.set(txn, s);
    this.ctx.storage.set(`s:${txn}`, s);
    const doubt = new Set(this.ctx.storage.get<number[]>('doubt') ?? []);
    if (s === 'uncertain' || s === 'precommitted') doubt.add(txn);
    else doubt.delete(txn);
    this.ctx.storage.set('doubt', [...doubt]);
    this.ctx.storage.sync();
  }

  /**
   * Silence long enough to mean "crashed" on this network: longer than the coordinator's phase 1
   * (2d) plus the slowest delivery, so that when a round starts every message a crashed node sent
   * has landed.
   */
  private silenceMs(): number {
    return 4 * this.d;
  }

  private resetSilence(txn: number): void {
    const s = this.state(txn);
    if (s !== 'uncertain' && s !== 'precommitted') return;
    const old = this.silenceTimers.get(txn);
    if (old !== undefined) this.ctx.cancelTimer(old);
    this.silenceTimers.set(txn, this.ctx.setTimer(this.silenceMs(), 'silence', txn));
  }

  private answerClient(txn: number, commit: boolean): void {
    const reply = this.clients.get(txn);
    if (reply === undefined) return;
    this.clients.delete(txn);
    reply(commit ? { type: 'ok' } : { type: 'fail', error: 'aborted' });
  }

  /** Decides (or adopts a decision): logged, journaled, told to everyone until they acknowledge. */
  private finish(txn: number, commit: boolean): void {
    if (this.isFinal(txn)) throw new Error(`3pc: txn ${txn} decided twice on ${this.ctx.id}`);
    this.setState(txn, commit ? 'committed' : 'aborted');
    this.journal.decisions.push([txn, commit]);
    this.ctx.log(`${commit ? 'commits' : 'aborts'} txn ${txn}`);
    this.rounds.delete(txn);
    this.recovered.delete(txn);
    this.votes.delete(txn);
    const t = this.silenceTimers.get(txn);
    if (t !== undefined) this.ctx.cancelTimer(t);
    this.silenceTimers.delete(txn);
    this.unacked.set(txn, { commit, pending: new Set(this.others) });
    for (const n of this.others) this.send(n, { t: 'decision', txn, commit });
    // A node that forwarded a client's txn answers it from its own decision (the coordinator may be down).
    this.answerClient(txn, commit);
    for (const o of this.origins.get(txn) ?? []) {
      if (o === this.ctx.id) this.answerClient(txn, commit);
      else this.send(o, { t: 'result', txn, commit });
    }
    this.origins.delete(txn);
  }

  private resendAll(): void {
    this.ctx.setTimer(this.resendMs, 'resend');
    for (const [txn, u] of this.unacked) {
      if (u.pending.size === 0) this.unacked.delete(txn);
      else for (const n of u.pending) this.send(n, { t: 'decision', txn, commit: u.commit });
    }
    for (const [txn, r] of this.rounds) this.resendRound(txn, r);
    for (const [txn, v] of this.votes) for (const p of this.participants) if (!v.yes.has(p)) this.send(p, { t: 'prepare', txn });
    // A lost submit is sent again while the client waits (the coordinator dedups by txn id).
    if (this.ctx.id !== this.coordinator) for (const txn of this.clients.keys()) this.send(this.coordinator, { t: 'submit', txn });
  }

  // ---- coordinator, phases 1 and 2 ---------------------------------------------------------

  private submit(txn: number, origin: NodeId): void {
    const s = this.state(txn);
    if (s === 'committed' || s === 'aborted') {
      if (origin === this.ctx.id) this.answerClient(txn, s === 'committed');
      else this.send(origin, { t: 'result', txn, commit: s === 'committed' });
      return;
    }
    let o = this.origins.get(txn);
    if (o === undefined) this.origins.set(txn, (o = new Set()));
    o.add(origin);
    if (s !== 'none') return;
    this.states.set(txn, 'collecting');
    const timer = this.ctx.setTimer(2 * this.d, 'votes', txn);
    this.votes.set(txn, { yes: new Set(), timer });
    for (const p of this.participants) this.send(p, { t: 'prepare', txn });
    if (this.participants.length === 0) this.finish(txn, true);
  }

  private onVote(txn: number, from: NodeId, yes: boolean): void {
    const v = this.votes.get(txn);
    if (v === undefined || this.state(txn) !== 'collecting') return;
    if (!yes) return this.finish(txn, false);
    v.yes.add(from);
    if (!this.participants.every((p) => v.yes.has(p))) return;
    this.ctx.cancelTimer(v.timer);
    this.votes.delete(txn);
    // Phase 2 is the move step of a round whose every participant answered "uncertain".
    const replies = new Map(this.participants.map((p) => [p, { s: 'uncertain' as TxnState, continuous: true }]));
    this.move(txn, { phase: 'query', replies, pending: new Set(), deadlineMs: 0 });
  }

  // ---- participant -------------------------------------------------------------------------

  private onPrepare(txn: number): void {
    const s = this.state(txn);
    if (s !== 'none') return this.send(this.coordinator, { t: 'vote', txn, yes: s !== 'aborted' });
    const yes = this.ctx.random() >= NO_VOTE_PROBABILITY;
    this.journal.votes.push([txn, yes]);
    if (yes) {
      this.setState(txn, 'uncertain');
      this.resetSilence(txn);
    } else {
      // Voting no is deciding abort: this participant can never commit the txn.
      this.setState(txn, 'aborted');
      this.journal.decisions.push([txn, false]);
    }
    this.send(this.coordinator, { t: 'vote', txn, yes });
  }

  private onPrecommit(txn: number, from: NodeId): void {
    const s = this.state(txn);
    if (s === 'committed' || s === 'aborted') return this.send(from, { t: 'decision', txn, commit: s === 'committed' });
    // A node back from a crash takes no part in a round: it waits for the outcome. The coordinator
    // still collecting votes is not moved by anyone else.
    if (this.recovered.has(txn) || s === 'none' || s === 'collecting') return;
    if (s === 'uncertain') this.setState(txn, 'precommitted');
    this.send(from, { t: 'ack', txn });
  }

  private onSilence(txn: number): void {
    this.silenceTimers.delete(txn);
    const s = this.state(txn);
    if (s !== 'uncertain' && s !== 'precommitted') return;
    if (s === 'uncertain' && this.variant === 'commit-on-timeout') {
      // The planted bug: an uncertain participant takes the silence for a crash after phase 2.
      return this.finish(txn, true);
    }
    this.startRound(txn);
  }

  private onQuery(txn: number, from: NodeId): void {
    let s = this.state(txn);
    if (s === 'none') {
      // Never voted: it may still abort on its own, and must, so that it never votes yes later.
      this.setState(txn, 'aborted');
      this.journal.decisions.push([txn, false]);
      s = 'aborted';
    }
    const inDoubt = s === 'uncertain' || s === 'precommitted' || s === 'collecting';
    this.send(from, { t: 'state', txn, s, continuous: inDoubt && !this.recovered.has(txn) });
  }

  // ---- termination protocol ----------------------------------------------------------------

  private startRound(txn: number): void {
    const r: Round = { phase: 'query', replies: new Map(), pending: new Set(this.others), deadlineMs: this.ctx.now() + 2 * this.d };
    this.rounds.set(txn, r);
    for (const n of this.others) this.send(n, { t: 'query', txn, recovered: this.recovered.has(txn) });
  }

  private resendRound(txn: number, r: Round): void {
    if (this.ctx.now() >= r.deadlineMs) return this.endWindow(txn, r);
    for (const n of r.pending) this.send(n, r.phase === 'query' ? { t: 'query', txn, recovered: this.recovered.has(txn) } : { t: 'precommit', txn });
  }

  private onStateReply(txn: number, from: NodeId, s: TxnState, continuous: boolean): void {
    const r = this.rounds.get(txn);
    if (r === undefined || r.phase !== 'query' || this.isFinal(txn)) return;
    r.replies.set(from, { s, continuous });
    r.pending.delete(from);
    if (s === 'committed' || s === 'aborted') return this.finish(txn, s === 'committed');
    if (r.pending.size === 0) this.decideRound(txn, r);
  }

  private onAck(txn: number, from: NodeId): void {
    const r = this.rounds.get(txn);
    if (r === undefined || r.phase !== 'move') return;
    r.pending.delete(from);
    if (r.pending.size === 0) this.finish(txn, true);
  }

  /** The window closed: whoever did not answer is down. */
  private endWindow(txn: number, r: Round): void {
    this.rounds.delete(txn);
    if (r.phase === 'query') return this.decideRound(txn, r);
    // A node that answered the query did not acknowledge the move: it crashed since. Ask again.
    if (!this.recovered.has(txn)) this.startRound(txn);
  }

  private decideRound(txn: number, r: Round): void {
    this.rounds.delete(txn);
    const own = this.state(txn);
    const states = [...r.replies.values()];
    if (this.recovered.has(txn)) return this.decideRecovered(txn, r, own);
    const lowerInDoubt = [...r.replies].some(([n, x]) => x.continuous && this.ctx.nodes.indexOf(n) < this.rank);
    // A lower-ranked node up and in doubt terminates this txn; wait for it (or its silence).
    if (lowerInDoubt) return this.resetSilence(txn);
    if (own === 'precommitted' || states.some((x) => x.continuous && x.s === 'precommitted')) return this.move(txn, r);
    this.finish(txn, false);
  }

  /** Move every node that answered to pre-commit; commit when they all acknowledge. */
  private move(txn: number, r: Round): void {
    if (this.state(txn) !== 'precommitted') this.setState(txn, 'precommitted');
    const pending = new Set([...r.replies].filter(([, x]) => x.continuous && x.s === 'uncertain').map(([n]) => n));
    if (pending.size === 0) return this.finish(txn, true);
    this.rounds.set(txn, { phase: 'move', replies: r.replies, pending, deadlineMs: this.ctx.now() + 2 * this.d });
    for (const n of pending) this.send(n, { t: 'precommit', txn });
  }

  /**
   * A node back from a crash decides only with every node's answer in hand and nobody else in doubt
   * and up (after a total failure): then nobody has decided, and the answers cannot change.
   */
  private decideRecovered(txn: number, r: Round, own: TxnState): void {
    const states = [...r.replies.values()];
    const everyone = r.replies.size === this.others.length;
    if (!everyone || states.some((x) => x.continuous)) {
      this.silenceTimers.set(txn, this.ctx.setTimer(this.silenceMs(), 'silence', txn));
      return;
    }
    this.finish(txn, own === 'precommitted' || states.some((x) => x.s === 'precommitted'));
  }
}
