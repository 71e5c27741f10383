import type { CheckerResult } from '../../checkers/result.ts';
import type { EventAt } from '../../checkers/invariant.ts';
import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/node/api.ts';
import type { CheckingObserver, ProtocolDef } from '../../src/run/protocol.ts';
import { nodeIds } from '../../src/run/scenario.ts';
import type { WorldView } from '../../src/sim/simulator.ts';
import type { Workload } from '../../src/workload/workload.ts';

/**
 * Two-phase commit with presumed abort. `n1` coordinates; every other node is a participant.
 * A client submits a transaction (its value is the transaction id) to any node, which forwards
 * it to the coordinator. The coordinator asks every participant to prepare; a participant votes
 * yes (logging "prepared" durably first) or no (a deterministic draw from its own random stream,
 * logged as aborted). The coordinator commits iff every vote is yes within its vote timeout, logs
 * the decision durably, then tells the participants (resending until each acks) and the client
 * (ok = committed, fail = aborted).
 *
 * A prepared participant may not decide on its own: it blocks, asking the coordinator until it
 * hears the outcome. A restarted participant recovers its prepared transactions from its log and
 * asks about them. A coordinator asked about a transaction it has no record of answers abort
 * (presumed abort) and logs that answer. Blocking while the coordinator is down is 2PC by design:
 * it is reported as an observation, never as a failure.
 */

export type TwoPcVariant = 'correct' | 'commit-on-timeout' | 'decision-not-logged' | 'forget-prepared';

type Msg =
  | { t: 'submit'; txn: number }
  | { t: 'result'; txn: number; commit: boolean }
  | { t: 'prepare'; txn: number }
  | { t: 'vote'; txn: number; yes: boolean }
  | { t: 'decision'; txn: number; commit: boolean }
  | { t: 'ack'; txn: number }
  | { t: 'status'; txn: number };

const COORDINATOR_INDEX = 0;
/** The coordinator aborts a transaction whose votes are not all in after this long. */
const VOTE_TIMEOUT_MS = 100;
/** The coordinator resends a decision to participants that have not acked it. */
const DECISION_RESEND_MS = 50;
/** A prepared participant that has heard nothing asks the coordinator after this long, and again. */
const DECISION_WAIT_MS = 50;
/** Chance that a participant votes no (its own seeded stream): 4 participants abort ~19% of txns. */
const NO_VOTE_PROBABILITY = 0.05;

type TxnState = 'prepared' | 'committed' | 'aborted';

/** What a node shows observers, appended in event order; a restart starts a fresh journal. */
export interface TwoPcJournal {
  /** Participant votes: [txn, yes]. */
  votes: Array<[number, boolean]>;
  /** Decisions this node took or applied: [txn, commit]. A no vote is an abort decision. */
  decisions: Array<[number, boolean]>;
}

/** One 2PC node: the coordinator (`n1`) or a participant, plus client forwarding for both. */
export class TwoPcNode implements NodeHandlers<Msg> {
  readonly journal: TwoPcJournal = { votes: [], decisions: [] };
  readonly isCoordinator: boolean;
  private readonly coordinator: NodeId;
  private readonly participants: readonly NodeId[];
  // ---- coordinator state (volatile unless noted) ----
  /** Decisions known: a cache over the durable `d:<txn>` records. */
  private readonly decisions = new Map<number, boolean>();
  private readonly collecting = new Map<number, { yes: Set<NodeId>; origins: Set<NodeId>; timer: number }>();
  private readonly unacked = new Map<number, { commit: boolean; pending: Set<NodeId> }>();
  // ---- participant state ----
  /** Transaction states: a cache over the durable `t:<txn>` records. */
  private readonly txns = new Map<number, TxnState>();
  /** Prepared and undecided; mirrored durably in `prepared` so a restart can find them. */
  private readonly prepared = new Set<number>();
  // ---- client forwarding ----
  private readonly clients = new Map<number, (r: ClientResult) => void>();

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly variant: TwoPcVariant,
  ) {
    this.coordinator = ctx.nodes[COORDINATOR_INDEX];
    this.isCoordinator = ctx.id === this.coordinator;
    this.participants = ctx.nodes.filter((n) => n !== this.coordinator);
  }

  onStart(): void {
    if (this.isCoordinator) {
      this.ctx.setTimer(DECISION_RESEND_MS, 'resend');
      return;
    }
    const logged = this.ctx.storage.get<number[]>('prepared') ?? [];
    if (this.variant === 'forget-prepared') {
      // The planted bug: recovery replays only finished transactions, dropping prepared ones as if
      // they had never been voted on.
      for (const txn of logged) this.ctx.storage.delete(`t:${txn}`);
      this.ctx.storage.set('prepared', []);
      this.ctx.storage.sync();
      return;
    }
    for (const txn of logged) {
      this.prepared.add(txn);
      this.txns.set(txn, 'prepared');
      // Ask at once: the coordinator may have decided while we were down.
      this.ctx.send(this.coordinator, { t: 'status', txn });
      this.ctx.setTimer(DECISION_WAIT_MS, 'decision', txn);
    }
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (op.f !== 'txn' || !Number.isSafeInteger(op.value)) return reply({ type: 'fail', error: `expected {f: 'txn', value: <integer id>}, got ${op.f}` });
    const txn = op.value as number;
    this.clients.set(txn, reply);
    this.submit(txn);
  }

  onMessage(from: NodeId, m: Msg): void {
    switch (m.t) {
      case 'submit':
        return this.coordSubmit(m.txn, from);
      case 'result':
        return this.answerClient(m.txn, m.commit);
      case 'vote':
        return this.coordVote(m.txn, from, m.yes);
      case 'ack':
        this.unacked.get(m.txn)?.pending.delete(from);
        return;
      case 'status':
        return this.coordStatus(m.txn, from);
      case 'prepare':
        return this.partPrepare(m.txn);
      case 'decision':
        return this.partDecision(m.txn, m.commit);
    }
  }

  onTimer(name: string, data: unknown): void {
    const txn = data as number;
    switch (name) {
      case 'votes':
        // Missing votes (lost message, crashed or cut-off participant): the coordinator may abort.
        if (this.collecting.has(txn)) this.decide(txn, false);
        return;
      case 'resend':
        this.ctx.setTimer(DECISION_RESEND_MS, 'resend');
        for (const [t, u] of this.unacked) {
          if (u.pending.size === 0) this.unacked.delete(t);
          else for (const p of u.pending) this.ctx.send(p, { t: 'decision', txn: t, commit: u.commit });
        }
        return;
      case 'decision':
        if (!this.prepared.has(txn)) return;
        if (this.variant === 'commit-on-timeout') {
          // The planted bug: a prepared participant gives up waiting and commits on its own.
          this.finish(txn, true);
          return;
        }
        this.ctx.send(this.coordinator, { t: 'status', txn });
        this.ctx.setTimer(DECISION_WAIT_MS, 'decision', txn);
        return;
    }
  }

  /** A participant or the coordinator itself: what the journal says about a blocked txn. */
  blockedTxns(): number[] {
    return [...this.prepared];
  }

  // ---- client forwarding --------------------------------------------------------------------

  private submit(txn: number): void {
    if (this.isCoordinator) this.coordSubmit(txn, this.ctx.id);
    // Sent once: if it is lost the client times out (info), which is all a lost submit can mean.
    else this.ctx.send(this.coordinator, { t: 'submit', txn });
  }

  private answerClient(txn: number, commit: boolean): void {
    const reply = this.clients.get(txn);
    if (reply === undefined) return;
    this.clients.delete(txn);
    reply(commit ? { type: 'ok' } : { type: 'fail', error: 'aborted' });
  }

  // ---- coordinator --------------------------------------------------------------------------

  private decision(txn: number): boolean | undefined {
    let d = this.decisions.get(txn);
    if (d === undefined) {
      d = this.ctx.storage.get<boolean>(`d:${txn}`);
      if (d !== undefined) this.decisions.set(txn, d);
    }
    return d;
  }

  private tell(origin: NodeId, txn: number, commit: boolean): void {
    if (origin === this.ctx.id) this.answerClient(txn, commit);
    else this.ctx.send(origin, { t: 'result', txn, commit });
  }

  private coordSubmit(txn: number, origin: NodeId): void {
    const d = this.decision(txn);
    if (d !== undefined) return this.tell(origin, txn, d);
    const c = this.collecting.get(txn);
    if (c !== undefined) {
      c.origins.add(origin);
      return;
    }
    const timer = this.ctx.setTimer(VOTE_TIMEOUT_MS, 'votes', txn);
    this.collecting.set(txn, { yes: new Set(), origins: new Set([origin]), timer });
    for (const p of this.participants) this.ctx.send(p, { t: 'prepare', txn });
    if (this.participants.length === 0) this.decide(txn, true);
  }

  private coordVote(txn: number, from: NodeId, yes: boolean): void {
    const c = this.collecting.get(txn);
    if (c === undefined) {
      // A late vote for a decided txn: the voter may be waiting, so tell it now.
      const d = this.decision(txn);
      if (d !== undefined) this.ctx.send(from, { t: 'decision', txn, commit: d });
      return;
    }
    if (!yes) return this.decide(txn, false);
    c.yes.add(from);
    if (this.participants.every((p) => c.yes.has(p))) this.decide(txn, true);
  }

  private coordStatus(txn: number, from: NodeId): void {
    const d = this.decision(txn);
    if (d !== undefined) return void this.ctx.send(from, { t: 'decision', txn, commit: d });
    // Still counting votes: the participant asks again later.
    if (this.collecting.has(txn)) return;
    // No record at all: we crashed before deciding, so nobody was told commit. Presumed abort.
    this.decide(txn, false);
  }

  private decide(txn: number, commit: boolean): void {
    if (this.decision(txn) !== undefined) throw new Error(`2pc: txn ${txn} decided twice`);
    const c = this.collecting.get(txn);
    this.collecting.delete(txn);
    if (c !== undefined) this.ctx.cancelTimer(c.timer);
    this.decisions.set(txn, commit);
    this.journal.decisions.push([txn, commit]);
    this.ctx.log(`coordinator decides ${commit ? 'commit' : 'abort'} of txn ${txn}`);
    this.ctx.storage.set(`d:${txn}`, commit);
    // The decision must be on disk before anyone hears it: a coordinator that forgets a commit it
    // announced would answer "abort" (presumed) to the participants still asking.
    if (this.variant !== 'decision-not-logged') this.ctx.storage.sync();
    this.unacked.set(txn, { commit, pending: new Set(this.participants) });
    for (const p of this.participants) this.ctx.send(p, { t: 'decision', txn, commit });
    if (c !== undefined) for (const o of c.origins) this.tell(o, txn, commit);
  }

  // ---- participant --------------------------------------------------------------------------

  private txnState(txn: number): TxnState | undefined {
    let s = this.txns.get(txn);
    if (s === undefined) {
      s = this.ctx.storage.get<TxnState>(`t:${txn}`);
      if (s !== undefined) this.txns.set(txn, s);
    }
    return s;
  }

  private partPrepare(txn: number): void {
    const s = this.txnState(txn);
    if (s !== undefined) return this.ctx.send(this.coordinator, { t: 'vote', txn, yes: s !== 'aborted' });
    const yes = this.ctx.random() >= NO_VOTE_PROBABILITY;
    this.txns.set(txn, yes ? 'prepared' : 'aborted');
    this.ctx.storage.set(`t:${txn}`, yes ? 'prepared' : 'aborted');
    if (yes) {
      this.prepared.add(txn);
      this.ctx.storage.set('prepared', [...this.prepared]);
      this.ctx.setTimer(DECISION_WAIT_MS, 'decision', txn);
    }
    // The vote is a promise: it must survive a crash before the coordinator counts it.
    this.ctx.storage.sync();
    this.journal.votes.push([txn, yes]);
    // Voting no is deciding abort: this participant can never commit the txn.
    if (!yes) this.journal.decisions.push([txn, false]);
    this.ctx.send(this.coordinator, { t: 'vote', txn, yes });
  }

  private partDecision(txn: number, commit: boolean): void {
    const s = this.txnState(txn);
    if (s === 'prepared') this.finish(txn, commit);
    else if (s === undefined) {
      // Never prepared here (or, with forget-prepared, forgotten): the txn's work is not on this
      // node, so it cannot commit; it stands aborted here whatever the coordinator says.
      this.txns.set(txn, 'aborted');
      this.ctx.storage.set(`t:${txn}`, 'aborted');
      this.ctx.storage.sync();
      this.journal.decisions.push([txn, false]);
    }
    this.ctx.send(this.coordinator, { t: 'ack', txn });
  }

  private finish(txn: number, commit: boolean): void {
    this.ctx.log(`${commit ? 'commits' : 'aborts'} txn ${txn}`);
    this.txns.set(txn, commit ? 'committed' : 'aborted');
    this.prepared.delete(txn);
    this.ctx.storage.set(`t:${txn}`, commit ? 'committed' : 'aborted');
    this.ctx.storage.set('prepared', [...this.prepared]);
    this.ctx.storage.sync();
    this.journal.decisions.push([txn, commit]);
  }
}

/** Every op is a new transaction; its value is its id (unique in the plan). */
export const txnWorkload: Workload = (_rng, info) => ({ f: 'txn', value: info.opIndex });

interface NodeCursor {
  state: unknown;
  votes: number;
  decisions: number;
}

/**
 * Observers over node states: atomicity (every node that decided a txn decided the same), and
 * no commit without a yes vote from every participant (votes are counted run-wide, across
 * restarts), both checked after every event; plus `2pc-blocking`, an observation that is always
 * `ok` and says how many txns were still prepared and undecided when the run ended.
 */
export function twoPcObservers(nodeIds: readonly NodeId[]): CheckingObserver[] {
  const participants = nodeIds.slice(1);
  const decided = new Map<number, { commit: boolean; node: NodeId }>();
  const yesVotes = new Map<number, Set<NodeId>>();
  const cursors = new Map<NodeId, NodeCursor>();
  let atomicity: { at: string; timeMs: number; message: string; traceIndex?: number } | undefined;
  let commitNeedsYes: { at: string; timeMs: number; message: string; traceIndex?: number } | undefined;
  let events = 0;
  let lastView: WorldView | undefined;

  const observer = {
    observe(view: WorldView, at: EventAt): void {
      events++;
      lastView = view;
      const journals: Array<[NodeId, TwoPcJournal, NodeCursor]> = [];
      for (const nv of view.nodes) {
        const node = nv.state as TwoPcNode | undefined;
        if (node === undefined) continue;
        let c = cursors.get(nv.id);
        if (c === undefined || c.state !== node) cursors.set(nv.id, (c = { state: node, votes: 0, decisions: 0 }));
        journals.push([nv.id, node.journal, c]);
      }
      // Votes before decisions: a commit must find every yes vote cast so far.
      for (const [id, j, c] of journals) {
        for (; c.votes < j.votes.length; c.votes++) {
          const [txn, yes] = j.votes[c.votes];
          if (!yes) continue;
          let s = yesVotes.get(txn);
          if (s === undefined) yesVotes.set(txn, (s = new Set()));
          s.add(id);
        }
      }
      const where = `event #${at.eventIndex} at ${at.timeMs}ms`;
      for (const [id, j, c] of journals) {
        for (; c.decisions < j.decisions.length; c.decisions++) {
          const [txn, commit] = j.decisions[c.decisions];
          const prev = decided.get(txn);
          if (prev === undefined) decided.set(txn, { commit, node: id });
          else if (prev.commit !== commit && atomicity === undefined) {
            atomicity = { at: where, timeMs: at.timeMs, traceIndex: at.traceIndex, message: `txn ${txn}: ${prev.node} decided ${prev.commit ? 'commit' : 'abort'}, ${id} decided ${commit ? 'commit' : 'abort'}` };
          }
          if (commit && commitNeedsYes === undefined) {
            const yes = yesVotes.get(txn) ?? new Set<NodeId>();
            const missing = participants.filter((p) => !yes.has(p));
            if (missing.length > 0) commitNeedsYes = { at: where, timeMs: at.timeMs, traceIndex: at.traceIndex, message: `txn ${txn} committed by ${id} without a yes vote from ${missing.join(', ')}` };
          }
        }
      }
    },
  };

  const verdict = (name: string, v: { at: string; message: string } | undefined): CheckerResult =>
    v === undefined
      ? { checker: `always(${name})`, verdict: 'ok', summary: `held after all ${events} events` }
      : { checker: `always(${name})`, verdict: 'illegal', summary: `${v.at}: ${v.message}`, details: v };

  const blocking = (): CheckerResult => {
    const blocked: string[] = [];
    for (const nv of lastView?.nodes ?? []) {
      // A crashed participant is blocked on whatever its log says is prepared.
      const txns = nv.state !== undefined ? (nv.state as TwoPcNode).blockedTxns() : (nv.storage.get<number[]>('prepared') ?? []);
      for (const t of txns) blocked.push(`${nv.id}:${t}`);
    }
    const summary =
      blocked.length === 0
        ? `no participant was blocked at the end (${decided.size} txns decided)`
        : `${blocked.length} prepared txn(s) undecided at the end (blocked on the coordinator, or its decision still in flight): ${blocked.slice(0, 5).join(', ')}${blocked.length > 5 ? ', ...' : ''}`;
    // Blocking is how 2PC behaves when the coordinator is unreachable: an observation, not a failure.
    return { checker: '2pc-blocking', verdict: 'ok', summary, details: { blocked } };
  };

  // Only the first observer does the work; the other two read what it found.
  return [
    { observe: observer.observe, result: () => verdict('2pc-atomicity', atomicity) },
    { observe: () => undefined, result: () => verdict('2pc-commit-needs-all-yes', commitNeedsYes) },
    { observe: () => undefined, result: blocking },
  ];
}

export const twoPc: ProtocolDef = {
  name: '2pc',
  description: 'two-phase commit, presumed abort: n1 coordinates, the other nodes vote and block when unsure',
  variants: {
    correct: { kind: 'correct', description: 'decision synced before it is sent; prepared state synced and recovered; prepared participants block and ask' },
    'commit-on-timeout': { kind: 'bug', description: 'a prepared participant that hears nothing for a while commits on its own' },
    'decision-not-logged': {
      kind: 'bug',
      description: 'the coordinator sends its decision before it is durable; after a crash it presumes abort',
      // Only a crash of the coordinator itself shows it: crashes only, on three nodes.
      scenario: { nodes: 3, nemesis: ['crash'] },
    },
    'forget-prepared': { kind: 'bug', description: 'a restarted participant does not recover its prepared transactions' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new TwoPcNode(ctx as NodeCtx<Msg>, variant as TwoPcVariant),
  workload: txnWorkload,
  // Outcomes are judged on node states (observers); clients see ok = committed, fail = aborted.
  checkers: () => [],
  observers: (_variant, scenario) => twoPcObservers(nodeIds(scenario.nodes)),
  minNodes: 2,
};
