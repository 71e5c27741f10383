import { always } from '../../checkers/invariant.ts';
import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/node/api.ts';
import type { CheckingObserver, ProtocolDef } from '../../src/run/protocol.ts';
import type { ScenarioOptions } from '../../src/run/scenario.ts';
import type { WorldView } from '../../src/sim/simulator.ts';
import type { Workload } from '../../src/workload/workload.ts';

/**
 * A linearizable compare-and-set register replicated by a log of single-decree Paxos instances
 * (one instance per slot). Every node is proposer, acceptor and learner. A node that receives a
 * client op runs Paxos on the lowest slot it does not know to be chosen; if phase 1 reveals a value
 * already accepted there it must finish that value first (helping whoever proposed it) and try
 * its own op in the next slot. Each node applies the chosen log in slot order to its own copy of the
 * register and answers the client once the op's slot is applied, so reads go through the log too.
 *
 * There is no stable leader: proposers duel and back off at random. That makes contention on a
 * slot common, which is exactly where the planted bugs bite.
 *
 * Acceptors persist (and sync) promises and accepted values before replying; proposers persist
 * their ballot round before using it, so a restarted proposer never reuses a ballot.
 */

/** A log entry: one client op (id unique per run), or a no-op that fills a hole. */
export interface Command {
  id: number;
  f: 'read' | 'write' | 'cas' | 'noop';
  value: unknown;
}

const NOOP: Command = { id: -1, f: 'noop', value: null };

/** Ballot = round * BALLOT_NODE_SPAN + node index + 1: unique per proposer, 0 means "none". */
const BALLOT_NODE_SPAN = 64;
/** A phase with no quorum after this long resends its message to the nodes that did not answer. */
const PHASE_RESEND_MS = 25;
/** Resends per phase before the attempt is abandoned and retried with a higher ballot. */
const PHASE_RESENDS = 3;
/** Random backoff after losing a ballot, so dueling proposers stop preempting each other. */
const BACKOFF_MAX_MS = 20;
/** How often a node with unanswered clients looks for holes in its log. */
const TICK_MS = 50;
/** Bound on the entries in one catch-up answer. */
const CATCHUP_MAX_ENTRIES = 64;

type Msg =
  | { t: 'prepare'; slot: number; ballot: number }
  | { t: 'promise'; slot: number; ballot: number; accBallot: number; accCmd: Command | null }
  | { t: 'nack'; slot: number; ballot: number; promised: number }
  | { t: 'accept'; slot: number; ballot: number; cmd: Command }
  | { t: 'accepted'; slot: number; ballot: number }
  | { t: 'decide'; slot: number; cmd: Command }
  | { t: 'catchup'; from: number }
  | { t: 'entries'; from: number; cmds: Command[] };

/** What an acceptor keeps (durably) for one slot. */
interface AcceptorSlot {
  promised: number;
  accBallot: number;
  accCmd: Command | null;
}

/** The proposal this node is driving right now (at most one at a time). */
interface Attempt {
  slot: number;
  ballot: number;
  phase: 1 | 2;
  /** Distinguishes this attempt's timer from stale ones. */
  token: number;
  promises: Set<NodeId>;
  /** Highest-ballot value reported accepted by the promise quorum so far. */
  highBallot: number;
  highCmd: Command | null;
  cmd: Command | null;
  accepts: Set<NodeId>;
  /** Resends so far in the current phase. */
  resends: number;
}

export type PaxosVariant = 'correct' | 'no-persist-promise' | 'ignore-accepted' | 'quorum-off-by-one';

/**
 * What a node shows observers, appended in event order and reset with every incarnation (the
 * observer notices the new object). Kept apart from the protocol state so checks stay cheap.
 */
export interface PaxosJournal {
  /** Client ops this node set out to propose. */
  proposed: Command[];
  /** Acceptor votes: [slot, ballot, command]. Votes are synced, so they count across restarts. */
  votes: Array<[number, number, Command]>;
  /** Values this node learned as chosen (including any conflicting second answer for a slot). */
  learned: Array<[number, Command]>;
}

/** One Paxos node: acceptor, proposer and learner of a replicated cas-register. */
export class PaxosNode implements NodeHandlers<Msg> {
  readonly journal: PaxosJournal = { proposed: [], votes: [], learned: [] };
  private readonly index: number;
  private readonly quorum: number;
  /** Acceptor state cache; a miss reads the durable record. */
  private readonly acceptor = new Map<number, AcceptorSlot>();
  /** Chosen values this node knows, by slot. */
  private readonly chosen = new Map<number, Command>();
  /** Highest slot known chosen, plus one. */
  private chosenEnd = 0;
  /** Every slot below this is chosen and applied to `register`. */
  private applied = 0;
  private register: unknown = null;
  private readonly executed = new Set<number>();
  /** Client ops not yet seen chosen, in arrival order. */
  private readonly queue: Command[] = [];
  /** Clients waiting for their op's slot to be applied. */
  private readonly waiting = new Map<number, (r: ClientResult) => void>();
  private round: number;
  private attempt: Attempt | null = null;
  private nextToken = 1;
  private backingOff = false;
  private catchupDue = false;

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly variant: PaxosVariant,
  ) {
    this.index = ctx.nodes.indexOf(ctx.id);
    if (!(this.index >= 0 && this.index < BALLOT_NODE_SPAN - 1)) throw new Error(`paxos supports at most ${BALLOT_NODE_SPAN - 1} nodes`);
    const n = ctx.nodes.length;
    this.quorum = variant === 'quorum-off-by-one' ? Math.max(1, Math.floor(n / 2)) : Math.floor(n / 2) + 1;
    this.round = ctx.storage.get<number>('round') ?? 0;
    // Learned entries survive when some later sync flushed them; the rest comes back by catch-up.
    for (let s = 0; ; s++) {
      const cmd = ctx.storage.get<Command>(`log:${s}`);
      if (cmd === undefined) break;
      this.chosen.set(s, cmd);
      this.chosenEnd = s + 1;
    }
    this.applyReady();
  }

  onStart(): void {
    this.ctx.broadcast({ t: 'catchup', from: this.applied });
    this.ctx.setTimer(TICK_MS, 'tick');
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (op.f !== 'read' && op.f !== 'write' && op.f !== 'cas') return reply({ type: 'fail', error: `unknown op ${op.f}` });
    const cmd: Command = { id: op.id, f: op.f, value: op.f === 'read' ? null : op.value };
    this.journal.proposed.push(cmd);
    this.queue.push(cmd);
    this.waiting.set(cmd.id, reply);
    this.drive();
  }

  onMessage(from: NodeId, m: Msg): void {
    switch (m.t) {
      case 'prepare':
        return this.onPrepare(from, m.slot, m.ballot);
      case 'accept':
        return this.onAccept(from, m.slot, m.ballot, m.cmd);
      case 'promise':
        return this.onPromise(from, m);
      case 'accepted':
        return this.onAccepted(from, m.slot, m.ballot);
      case 'nack':
        return this.onNack(m.slot, m.ballot, m.promised);
      case 'decide':
        this.learn(m.slot, m.cmd);
        return this.drive();
      case 'catchup': {
        const cmds: Command[] = [];
        for (let s = m.from; cmds.length < CATCHUP_MAX_ENTRIES; s++) {
          const cmd = this.chosen.get(s);
          if (cmd === undefined) break;
          cmds.push(cmd);
        }
        if (cmds.length > 0) this.ctx.send(from, { t: 'entries', from: m.from, cmds });
        return;
      }
      case 'entries':
        m.cmds.forEach((cmd, i) => this.learn(m.from + i, cmd));
        return this.drive();
    }
  }

  onTimer(name: string, data: unknown): void {
    if (name === 'phase') {
      const at = this.attempt;
      if (at === null || at.token !== data) return;
      // No quorum yet (loss, partition, crashed acceptors): ask the silent ones again, a few times,
      // then retry with a higher ballot.
      if (at.resends >= PHASE_RESENDS) return this.abandon();
      at.resends++;
      const answered = at.phase === 1 ? at.promises : at.accepts;
      const msg: Msg = at.phase === 1 ? { t: 'prepare', slot: at.slot, ballot: at.ballot } : { t: 'accept', slot: at.slot, ballot: at.ballot, cmd: at.cmd! };
      for (const to of this.ctx.nodes) if (!answered.has(to)) this.ctx.send(to, msg);
      this.ctx.setTimer(PHASE_RESEND_MS, 'phase', at.token);
      return;
    }
    if (name === 'backoff') {
      this.backingOff = false;
      return this.drive();
    }
    if (name === 'tick') {
      this.ctx.setTimer(TICK_MS, 'tick');
      if (this.catchupDue || (this.waiting.size > 0 && this.applied < this.chosenEnd)) {
        this.catchupDue = false;
        const peers = this.ctx.peers;
        if (peers.length > 0) this.ctx.send(peers[this.ctx.randomInt(peers.length)], { t: 'catchup', from: this.applied });
      }
      this.drive();
    }
  }

  // ---- acceptor -------------------------------------------------------------------------------

  private slotState(slot: number): AcceptorSlot {
    let a = this.acceptor.get(slot);
    if (a === undefined) {
      a = this.ctx.storage.get<AcceptorSlot>(`acc:${slot}`) ?? { promised: 0, accBallot: 0, accCmd: null };
      this.acceptor.set(slot, a);
    }
    return a;
  }

  private onPrepare(from: NodeId, slot: number, ballot: number): void {
    const known = this.chosen.get(slot);
    // A learner that knows the outcome says so: the proposer can skip straight to it.
    if (known !== undefined) return this.ctx.send(from, { t: 'decide', slot, cmd: known });
    const a = this.slotState(slot);
    if (ballot <= a.promised) return this.ctx.send(from, { t: 'nack', slot, ballot, promised: a.promised });
    a.promised = ballot;
    if (this.variant !== 'no-persist-promise') {
      // The promise must outlive a crash, or a restarted acceptor could accept a lower ballot.
      this.ctx.storage.set(`acc:${slot}`, a);
      this.ctx.storage.sync();
    }
    this.ctx.send(from, { t: 'promise', slot, ballot, accBallot: a.accBallot, accCmd: a.accCmd });
  }

  private onAccept(from: NodeId, slot: number, ballot: number, cmd: Command): void {
    const a = this.slotState(slot);
    if (ballot < a.promised) return this.ctx.send(from, { t: 'nack', slot, ballot, promised: a.promised });
    a.promised = ballot;
    a.accBallot = ballot;
    a.accCmd = cmd;
    this.ctx.storage.set(`acc:${slot}`, a);
    this.ctx.storage.sync();
    this.journal.votes.push([slot, ballot, cmd]);
    this.ctx.send(from, { t: 'accepted', slot, ballot });
  }

  // ---- proposer -------------------------------------------------------------------------------

  /** Starts a proposal on the lowest unknown slot if there is work and none is running. */
  private drive(): void {
    if (this.attempt !== null || this.backingOff) return;
    const hole = this.waiting.size > 0 && this.applied < this.chosenEnd;
    if (this.queue.length === 0 && !hole) return;
    const slot = this.applied;
    if (this.chosen.has(slot)) throw new Error(`paxos: slot ${slot} is chosen but not applied`);
    this.round++;
    // A ballot reused after a restart could carry a different value: make the round durable first.
    this.ctx.storage.set('round', this.round);
    this.ctx.storage.sync();
    const ballot = this.round * BALLOT_NODE_SPAN + this.index + 1;
    const token = this.nextToken++;
    this.attempt = { slot, ballot, phase: 1, token, promises: new Set(), highBallot: 0, highCmd: null, cmd: null, accepts: new Set(), resends: 0 };
    for (const to of this.ctx.nodes) this.ctx.send(to, { t: 'prepare', slot, ballot });
    this.ctx.setTimer(PHASE_RESEND_MS, 'phase', token);
  }

  private onPromise(from: NodeId, m: Extract<Msg, { t: 'promise' }>): void {
    const at = this.attempt;
    if (at === null || at.phase !== 1 || at.slot !== m.slot || at.ballot !== m.ballot) return;
    at.promises.add(from);
    if (m.accCmd !== null && m.accBallot > at.highBallot) {
      at.highBallot = m.accBallot;
      at.highCmd = m.accCmd;
    }
    if (at.promises.size < this.quorum) return;
    // The heart of Paxos: a value some acceptor in the quorum accepted may already be chosen, so
    // the highest-ballot one must be proposed again instead of our own.
    const own = this.queue.length > 0 ? this.queue[0] : NOOP;
    at.cmd = this.variant === 'ignore-accepted' || at.highCmd === null ? own : at.highCmd;
    at.phase = 2;
    at.resends = 0;
    for (const to of this.ctx.nodes) this.ctx.send(to, { t: 'accept', slot: at.slot, ballot: at.ballot, cmd: at.cmd });
  }

  private onAccepted(from: NodeId, slot: number, ballot: number): void {
    const at = this.attempt;
    if (at === null || at.phase !== 2 || at.slot !== slot || at.ballot !== ballot) return;
    at.accepts.add(from);
    if (at.accepts.size < this.quorum) return;
    const cmd = at.cmd!;
    this.attempt = null;
    this.learn(slot, cmd);
    this.ctx.broadcast({ t: 'decide', slot, cmd });
    this.drive();
  }

  private onNack(slot: number, ballot: number, promised: number): void {
    this.round = Math.max(this.round, Math.floor(promised / BALLOT_NODE_SPAN));
    const at = this.attempt;
    if (at !== null && at.slot === slot && at.ballot === ballot) this.abandon();
  }

  /** Gives up the current attempt and retries after a random pause. */
  private abandon(): void {
    this.attempt = null;
    this.backingOff = true;
    this.ctx.setTimer(1 + this.ctx.randomInt(BACKOFF_MAX_MS), 'backoff');
  }

  // ---- learner --------------------------------------------------------------------------------

  private learn(slot: number, cmd: Command): void {
    const known = this.chosen.get(slot);
    if (known !== undefined) {
      // A second, different answer is a safety violation; record it so the observer reports it.
      if (known.id !== cmd.id) this.journal.learned.push([slot, cmd]);
      return;
    }
    this.chosen.set(slot, cmd);
    this.journal.learned.push([slot, cmd]);
    this.ctx.log(`learns slot ${slot}: ${cmd.f}${cmd.value === null || cmd.value === undefined ? "" : " " + JSON.stringify(cmd.value)}`);
    if (slot >= this.chosenEnd) this.chosenEnd = slot + 1;
    if (slot > this.applied) this.catchupDue = true;
    // Unsynced on purpose: a chosen value lost in a crash is learned again from the others.
    this.ctx.storage.set(`log:${slot}`, cmd);
    const qi = this.queue.findIndex((c) => c.id === cmd.id);
    if (qi >= 0) this.queue.splice(qi, 1);
    if (this.attempt !== null && this.attempt.slot === slot) this.attempt = null;
    this.applyReady();
  }

  /** Applies the contiguous chosen prefix to the register, answering waiting clients. */
  private applyReady(): void {
    for (let cmd = this.chosen.get(this.applied); cmd !== undefined; cmd = this.chosen.get(this.applied)) {
      this.applied++;
      // A command is executed once even if it were chosen twice (it never is in correct Paxos).
      if (cmd.f === 'noop' || this.executed.has(cmd.id)) continue;
      this.executed.add(cmd.id);
      let result: ClientResult;
      if (cmd.f === 'read') result = { type: 'ok', value: this.register };
      else if (cmd.f === 'write') {
        this.register = cmd.value;
        result = { type: 'ok' };
      } else {
        const [from, to] = cmd.value as [unknown, unknown];
        if (this.register === from) {
          this.register = to;
          result = { type: 'ok' };
        } else result = { type: 'fail', error: 'cas mismatch' };
      }
      const reply = this.waiting.get(cmd.id);
      if (reply !== undefined) {
        this.waiting.delete(cmd.id);
        reply(result);
      }
    }
  }
}

/** Reads, writes and compare-and-sets of small integers: collisions make divergence visible. */
export const casRegisterWorkload: Workload = (rng) => {
  const r = rng();
  if (r < 0.4) return { f: 'read', value: null };
  if (r < 0.8) return { f: 'write', value: Math.floor(rng() * 5) };
  return { f: 'cas', value: [Math.floor(rng() * 5), Math.floor(rng() * 5)] };
};

/**
 * Agreement (no slot ever has two different chosen values) and validity (only proposed values are
 * chosen), checked after every event. "Chosen" means: a majority of acceptors voted for it in one
 * ballot (votes are synced, so they are counted across restarts), or some node learned it. A learner
 * that learns a value nobody chose is caught by agreement as soon as the two differ.
 */
export function paxosObservers(nodeCount: number): CheckingObserver[] {
  const majority = Math.floor(nodeCount / 2) + 1;
  const chosen = new Map<number, { cmd: Command; how: string }>();
  const proposed = new Map<number, string>();
  const votes = new Map<string, { cmd: Command; voters: Set<NodeId> }>();
  /** Per node: the incarnation last seen and how far each journal was read. */
  const cursors = new Map<NodeId, { state: unknown; proposed: number; votes: number; learned: number }>();
  let agreementError: string | undefined;
  let validityError: string | undefined;

  const choose = (slot: number, cmd: Command, how: string): void => {
    if (validityError === undefined && cmd.f !== 'noop') {
      const p = proposed.get(cmd.id);
      if (p === undefined || p !== JSON.stringify(cmd)) validityError = `slot ${slot}: ${show(cmd)} (${how}) was never proposed by any client`;
    }
    const prev = chosen.get(slot);
    if (prev === undefined) chosen.set(slot, { cmd, how });
    else if (prev.cmd.id !== cmd.id && agreementError === undefined) {
      agreementError = `slot ${slot}: ${show(prev.cmd)} (${prev.how}) and ${show(cmd)} (${how})`;
    }
  };

  /** Reads every node's journal once per event; both checkers share the work. */
  let lastEvent = -1;
  const scan = (view: WorldView, eventIndex: number): void => {
    if (eventIndex === lastEvent) return;
    lastEvent = eventIndex;
    const journals: Array<[NodeId, PaxosJournal, { proposed: number; votes: number; learned: number }]> = [];
    for (const nv of view.nodes) {
      const node = nv.state as PaxosNode | undefined;
      if (node === undefined) continue;
      let c = cursors.get(nv.id);
      if (c === undefined || c.state !== node) {
        c = { state: node, proposed: 0, votes: 0, learned: 0 };
        cursors.set(nv.id, c);
      }
      journals.push([nv.id, node.journal, c]);
    }
    // Proposals first: a value proposed and chosen within one event must count as proposed.
    for (const [, j, c] of journals) {
      for (; c.proposed < j.proposed.length; c.proposed++) {
        const cmd = j.proposed[c.proposed];
        proposed.set(cmd.id, JSON.stringify(cmd));
      }
    }
    for (const [id, j, c] of journals) {
      for (; c.votes < j.votes.length; c.votes++) {
        const [slot, ballot, cmd] = j.votes[c.votes];
        const key = `${slot}/${ballot}`;
        let v = votes.get(key);
        if (v === undefined) votes.set(key, (v = { cmd, voters: new Set() }));
        else if (v.cmd.id !== cmd.id && agreementError === undefined) {
          agreementError = `slot ${slot} ballot ${ballot} carried two values: ${show(v.cmd)} and ${show(cmd)}`;
        }
        const before = v.voters.size;
        v.voters.add(id);
        if (before < majority && v.voters.size >= majority) choose(slot, v.cmd, `voted by ${[...v.voters].join(',')} in ballot ${ballot}`);
      }
      for (; c.learned < j.learned.length; c.learned++) {
        const [slot, cmd] = j.learned[c.learned];
        choose(slot, cmd, `learned by ${id}`);
      }
    }
  };

  const agreement = always<{ view: WorldView }>('paxos-agreement', () => agreementError ?? true);
  const validity = always<{ view: WorldView }>('paxos-validity', () => validityError ?? true);
  const wrap = (c: typeof agreement): CheckingObserver => ({
    observe(view, at) {
      scan(view, at.eventIndex);
      c.observe({ view }, at);
    },
    result: () => c.result(),
  });
  return [wrap(agreement), wrap(validity)];
}

function show(cmd: Command): string {
  return cmd.f === 'noop' ? 'noop' : `op #${cmd.id} ${cmd.f} ${JSON.stringify(cmd.value)}`;
}

export const paxos: ProtocolDef = {
  name: 'paxos',
  description: 'cas-register over a log of single-decree Paxos slots (every node proposes, accepts and learns)',
  variants: {
    correct: { kind: 'correct', description: 'acceptors sync promises and votes; proposers adopt the highest accepted value; majority quorums' },
    'no-persist-promise': {
      kind: 'bug',
      description: 'acceptors keep promises only in memory: a restarted acceptor accepts a ballot it promised to ignore',
      // The acceptor must restart between a promise and a lower ballot's accept: frequent short crashes.
      scenario: { nodes: 3, nemesis: ['crash'], faultIntervalMs: 20, faultDurationMs: 10 },
    },
    'ignore-accepted': { kind: 'bug', description: 'proposers ignore values reported accepted in phase 1 and propose their own' },
    'quorum-off-by-one': { kind: 'bug', description: 'quorum size floor(n/2) instead of floor(n/2)+1 in both phases' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new PaxosNode(ctx as NodeCtx<Msg>, variant as PaxosVariant),
  workload: casRegisterWorkload,
  checkers: () => [{ kind: 'linearizable', model: 'cas-register' }],
  observers: (_variant: string, scenario: ScenarioOptions) => paxosObservers(scenario.nodes),
  minNodes: 1,
};
