import { always } from '../../checkers/invariant.ts';
import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/node/api.ts';
import type { CheckingObserver, ProtocolDef } from '../../src/run/protocol.ts';
import type { WorldView } from '../../src/sim/simulator.ts';
import type { Workload } from '../../src/workload/workload.ts';

/**
 * A lease-based lock service with fencing tokens, protecting a counter kept by a storage service.
 *
 * - `n1` is the lock server. It grants a lease of `LEASE_MS` (on its own clock) to one client at a
 *   time, each grant with a fencing token higher than every earlier one (made durable before the
 *   grant leaves). After a restart it grants nothing for a whole lease, since it forgot the holder.
 * - `n2` is the storage service holding the counter. It serves fenced requests only with a token
 *   at least as high as the highest it has seen (reads included, so that a read-modify-write by an
 *   older holder cannot straddle a newer holder's), and plain unfenced reads to anyone.
 * - Every other node is a lock client. A client `add` acquires the lease, reads the counter,
 *   writes it plus one, and releases. It stops using the lease `MARGIN_MS` before the lease ends,
 *   measured on its own clock from when it *sent* the acquire (so a late grant only shortens it).
 *
 * Clocks drift and processes pause, so a client can still believe in a lease the server already
 * gave away; the fencing check at storage is what makes that harmless.
 */

type Msg =
  | { t: 'acquire'; rid: number }
  | { t: 'grant'; rid: number; token: number; leaseMs: number; expiresAtMs: number }
  | { t: 'deny'; rid: number }
  | { t: 'release'; token: number }
  | { t: 'sread'; rid: number; token: number; step: number }
  | { t: 'swrite'; rid: number; token: number; step: number; value: number }
  | { t: 'sreply'; rid: number; ok: boolean; value: number }
  | { t: 'fwd'; rid: number; op: ClientOp }
  | { t: 'fwd-reply'; rid: number; result: ClientResult };

export type LockVariant = 'correct' | 'no-fencing' | 'client-clock-expiry';

/** How long a lease lasts at the lock server (its clock). */
const LEASE_MS = 100;
/** A client stops using its lease this long before it ends (its own clock). */
const MARGIN_MS = 30;
/** A client waits this long for any one answer (grant, read, write) before giving up on it. */
const STEP_TIMEOUT_MS = 40;
/** A holder works this long between reading the counter and writing it back (the critical section). */
const WORK_MS = 15;
/** A denied client asks again after this long. */
const ACQUIRE_RETRY_MS = 10;
/** A client gives up acquiring after this long and fails the op (nothing happened). */
const ACQUIRE_GIVE_UP_MS = 500;

/** The storage service's durable record. */
interface StorageDisk {
  value: number;
  /** Highest fencing token seen, and the highest request step seen under it. */
  highToken: number;
  highStep: number;
}

/** One fenced storage request the storage accepted (for the invariant). */
export interface Accepted {
  token: number;
  client: NodeId;
  kind: 'read' | 'write';
}

/** The op a lock client is running and where it is in it. */
interface Running {
  op: ClientOp;
  reply: (r: ClientResult) => void;
  phase: 'acquire' | 'read' | 'work' | 'write';
  rid: number;
  /** Local time the op started acquiring (for giving up). */
  startedMs: number;
  /** Local time the current acquire was sent. */
  acquireSentMs: number;
  token: number;
  /** The lease may be used while `now() < validUntilMs` (local clock). */
  validUntilMs: number;
  step: number;
  timer: number;
  /** The counter as read in the critical section. */
  readValue: number;
}

/** A node of the lock service: the lock server, the storage service, or a lock client. */
export class LockNode implements NodeHandlers<Msg> {
  readonly role: 'lock-server' | 'storage' | 'client';
  private readonly serverId: NodeId;
  private readonly storageId: NodeId;
  private readonly clientIds: NodeId[];
  private nextRid = 1;
  private readonly forwarded = new Map<number, (r: ClientResult) => void>();
  // ---- lock server ----
  /** The last token granted (durable). */
  lastToken = 0;
  private holder: NodeId | undefined;
  private holderToken = 0;
  private holderUntilMs = 0;
  /** No grants before this local time: a restarted server may not know a live lease. */
  private quietUntilMs = 0;
  // ---- storage ----
  private disk: StorageDisk = { value: 0, highToken: 0, highStep: 0 };
  /** Fenced requests accepted by this incarnation, in order (read by the invariant only). */
  readonly accepted: Accepted[] = [];
  // ---- client ----
  private queue: Array<{ op: ClientOp; reply: (r: ClientResult) => void }> = [];
  private running: Running | undefined;
  private readonly plainReads = new Map<number, (r: ClientResult) => void>();
  /** Op ids this incarnation already queued: a duplicated forward must not add twice. */
  private readonly seen = new Set<number>();

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly variant: LockVariant,
  ) {
    this.serverId = ctx.nodes[0];
    this.storageId = ctx.nodes[1];
    this.clientIds = ctx.nodes.slice(2);
    this.role = ctx.id === this.serverId ? 'lock-server' : ctx.id === this.storageId ? 'storage' : 'client';
    if (this.role === 'lock-server') this.lastToken = ctx.storage.get<number>('lastToken') ?? 0;
    if (this.role === 'storage') this.disk = ctx.storage.get<StorageDisk>('storage') ?? this.disk;
  }

  onStart(): void {
    if (this.role === 'lock-server' && this.lastToken > 0) {
      // Restarted: some client may still hold a lease granted before the crash. Wait it out.
      this.quietUntilMs = this.ctx.now() + LEASE_MS;
    }
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (op.f === 'read') {
      if (this.role === 'storage') return reply({ type: 'ok', value: this.disk.value });
      const rid = this.nextRid++;
      this.plainReads.set(rid, reply);
      this.ctx.send(this.storageId, { t: 'sread', rid, token: 0, step: 0 });
      return;
    }
    if (op.f !== 'add') return reply({ type: 'fail', error: `unknown op ${op.f}` });
    if (this.role === 'client') {
      this.queue.push({ op, reply });
      return this.pump();
    }
    // Only lock clients run critical sections: hand the op to one, exactly once.
    const to = this.clientIds[op.id % this.clientIds.length];
    const rid = this.nextRid++;
    this.forwarded.set(rid, reply);
    this.ctx.send(to, { t: 'fwd', rid, op });
  }

  onMessage(from: NodeId, m: Msg): void {
    switch (m.t) {
      case 'fwd':
        if (this.role !== 'client' || this.seen.has(m.op.id)) return;
        this.seen.add(m.op.id);
        this.queue.push({ op: m.op, reply: (result) => this.ctx.send(from, { t: 'fwd-reply', rid: m.rid, result }) });
        return this.pump();
      case 'fwd-reply': {
        const reply = this.forwarded.get(m.rid);
        this.forwarded.delete(m.rid);
        return reply?.(m.result);
      }
      case 'acquire':
        return this.serverAcquire(from, m.rid);
      case 'release':
        if (this.role === 'lock-server' && this.holder === from && this.holderToken === m.token) this.holder = undefined;
        return;
      case 'sread':
      case 'swrite':
        return this.storageRequest(from, m);
      case 'grant':
      case 'deny':
      case 'sreply':
        return this.clientAnswer(m);
    }
  }

  onTimer(name: string, data: unknown): void {
    const r = this.running;
    if (r === undefined || r.rid !== (data as { rid: number }).rid) return;
    if (name === 'retry-acquire') return this.sendAcquire(r);
    if (name === 'work-done') return this.storageStep(r, 'write', r.readValue + 1);
    if (name !== 'step-timeout') return;
    if (r.phase === 'acquire') return this.sendAcquire(r);
    // A read that went unanswered changed nothing; a write may or may not have landed.
    this.finish(r, r.phase === 'read' ? { type: 'fail', error: 'storage read timed out' } : { type: 'info', error: 'storage write timed out' });
  }

  // ---- lock server ---------------------------------------------------------------------------------

  private serverAcquire(from: NodeId, rid: number): void {
    if (this.role !== 'lock-server') return;
    const now = this.ctx.now();
    const free = this.holder === undefined || now >= this.holderUntilMs || this.holder === from;
    if (!free || now < this.quietUntilMs) return this.ctx.send(from, { t: 'deny', rid });
    this.lastToken++;
    // The token is durable before anyone can use it: a restarted server never hands it out again.
    this.ctx.storage.set('lastToken', this.lastToken);
    this.ctx.storage.sync();
    this.holder = from;
    this.holderToken = this.lastToken;
    this.holderUntilMs = now + LEASE_MS;
    this.ctx.send(from, { t: 'grant', rid, token: this.lastToken, leaseMs: LEASE_MS, expiresAtMs: this.holderUntilMs });
  }

  // ---- storage -------------------------------------------------------------------------------------

  private storageRequest(from: NodeId, m: Extract<Msg, { t: 'sread' | 'swrite' }>): void {
    if (this.role !== 'storage') return;
    const d = this.disk;
    if (m.token === 0) {
      assert(m.t === 'sread', 'an unfenced request must be a plain read');
      return this.ctx.send(from, { t: 'sreply', rid: m.rid, ok: true, value: d.value });
    }
    // A copy of the last accepted request (the network duplicates): it happened, say so again.
    // Re-applying it could undo a later write; answering `false` would make its client report
    // a write that landed as failed.
    if (m.token === d.highToken && m.step === d.highStep) return this.ctx.send(from, { t: 'sreply', rid: m.rid, ok: true, value: d.value });
    // Fencing: only the newest holder may touch the counter, and each of its requests once.
    const fenced = this.variant === 'correct';
    const fresh = m.token > d.highToken || (m.token === d.highToken && m.step > d.highStep);
    // Without fencing, still drop older copies from the current holder.
    const stale = m.token === d.highToken && m.step < d.highStep;
    if (fenced ? !fresh : stale) return this.ctx.send(from, { t: 'sreply', rid: m.rid, ok: false, value: d.value });
    if (m.token >= d.highToken) {
      d.highToken = m.token;
      d.highStep = m.step;
    }
    if (m.t === 'swrite') d.value = m.value;
    this.ctx.storage.set('storage', d);
    this.ctx.storage.sync();
    this.accepted.push({ token: m.token, client: from, kind: m.t === 'swrite' ? 'write' : 'read' });
    this.ctx.send(from, { t: 'sreply', rid: m.rid, ok: true, value: d.value });
  }

  // ---- lock client ---------------------------------------------------------------------------------

  /** Starts the next queued op if none is running. One critical section at a time. */
  private pump(): void {
    if (this.running !== undefined || this.queue.length === 0) return;
    const { op, reply } = this.queue.shift()!;
    const now = this.ctx.now();
    const r: Running = { op, reply, phase: 'acquire', rid: 0, startedMs: now, acquireSentMs: now, token: 0, validUntilMs: 0, step: 0, timer: 0, readValue: 0 };
    this.running = r;
    this.sendAcquire(r);
  }

  private sendAcquire(r: Running): void {
    this.ctx.cancelTimer(r.timer);
    const now = this.ctx.now();
    if (now - r.startedMs >= ACQUIRE_GIVE_UP_MS) return this.finish(r, { type: 'fail', error: 'lock not acquired' });
    r.phase = 'acquire';
    r.rid = this.nextRid++;
    r.acquireSentMs = now;
    this.ctx.send(this.serverId, { t: 'acquire', rid: r.rid });
    r.timer = this.ctx.setTimer(STEP_TIMEOUT_MS, 'step-timeout', { rid: r.rid });
  }

  private leaseValid(r: Running): boolean {
    return this.ctx.now() < r.validUntilMs;
  }

  private clientAnswer(m: Extract<Msg, { t: 'grant' | 'deny' | 'sreply' }>): void {
    if (m.t === 'sreply' && this.plainReads.has(m.rid)) {
      const reply = this.plainReads.get(m.rid)!;
      this.plainReads.delete(m.rid);
      return reply({ type: 'ok', value: m.value });
    }
    const r = this.running;
    if (r === undefined || r.rid !== m.rid) return; // late or duplicated answer
    this.ctx.cancelTimer(r.timer);
    if (m.t === 'deny') {
      r.timer = this.ctx.setTimer(ACQUIRE_RETRY_MS, 'retry-acquire', { rid: r.rid });
      return;
    }
    if (m.t === 'grant') {
      assert(r.phase === 'acquire', 'a grant outside the acquire phase');
      r.token = m.token;
      r.validUntilMs =
        this.variant === 'client-clock-expiry'
          ? // The bug: the server's absolute deadline read against this node's own (skewed) clock.
            m.expiresAtMs - MARGIN_MS
          : // The lease began no earlier than our request left: count from then, on our clock.
            r.acquireSentMs + m.leaseMs - MARGIN_MS;
      return this.storageStep(r, 'read', 0);
    }
    if (!m.ok) return this.finish(r, { type: 'fail', error: `fenced out (token ${r.token})` });
    if (r.phase === 'read') {
      r.phase = 'work';
      // A fresh id: a duplicated read answer arriving during the work must be ignored.
      r.rid = this.nextRid++;
      r.readValue = m.value;
      r.timer = this.ctx.setTimer(WORK_MS, 'work-done', { rid: r.rid });
      return;
    }
    assert(r.phase === 'write', 'a storage answer outside read/write');
    this.finish(r, { type: 'ok' });
  }

  /** Sends the next storage request of the critical section, if the lease is still ours to use. */
  private storageStep(r: Running, phase: 'read' | 'write', value: number): void {
    if (!this.leaseValid(r)) return this.finish(r, { type: 'fail', error: 'lease ran out before storage' });
    r.phase = phase;
    r.rid = this.nextRid++;
    r.step++;
    if (phase === 'read') this.ctx.send(this.storageId, { t: 'sread', rid: r.rid, token: r.token, step: r.step });
    else this.ctx.send(this.storageId, { t: 'swrite', rid: r.rid, token: r.token, step: r.step, value });
    r.timer = this.ctx.setTimer(STEP_TIMEOUT_MS, 'step-timeout', { rid: r.rid });
  }

  private finish(r: Running, result: ClientResult): void {
    assert(this.running === r, 'finishing an op that is not running');
    this.ctx.cancelTimer(r.timer);
    this.running = undefined;
    if (r.token !== 0) this.ctx.send(this.serverId, { t: 'release', token: r.token });
    r.reply(result);
    this.pump();
  }
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(`lock: ${message}`);
}

/** Mostly increments (each one a critical section), some reads of the counter. */
export const lockWorkload: Workload = (rng) => (rng() < 0.7 ? { f: 'add', value: 1 } : { f: 'read', value: null });

/**
 * Mutual exclusion on the protected counter, as storage saw it: storage never accepts a write
 * from a holder after a newer holder (higher token) has touched the counter, so no holder's
 * read-modify-write interleaves with a newer one's. (A late *read* from an old holder is
 * harmless and not counted.)
 */
function sectionsNeverInterleave(): CheckingObserver {
  let highest: Accepted | undefined;
  const cursor = new WeakMap<LockNode, number>();
  const check = always<WorldView>('no-write-after-newer-holder', (view) => {
    for (const n of view.nodes) {
      const s = n.state as LockNode | undefined;
      if (s === undefined || s.role !== 'storage') continue;
      for (let i = cursor.get(s) ?? 0; i < s.accepted.length; i++) {
        const a = s.accepted[i];
        if (a.kind === 'write' && highest !== undefined && a.token < highest.token) {
          return `storage accepted a write from ${a.client} with token ${a.token} after a ${highest.kind} from ${highest.client} with token ${highest.token}: two holders interleaved`;
        }
        if (highest === undefined || a.token >= highest.token) highest = a;
      }
      cursor.set(s, s.accepted.length);
    }
    return true;
  });
  return { observe: (v, at) => check.observe(v, at), result: () => check.result() };
}

export const lock: ProtocolDef = {
  name: 'lock',
  description: 'lease lock server (n1) with fencing tokens guarding a counter at a storage service (n2); other nodes are lock clients',
  variants: {
    correct: { kind: 'correct', description: 'clients stop a margin before the lease ends (own clock, from the request); storage rejects tokens below the highest seen' },
    'no-fencing': { kind: 'bug', description: 'storage ignores fencing tokens: a holder slowed by a pause, a slow clock or a slow link writes over a newer holder' },
    'client-clock-expiry': { kind: 'bug', description: "the client judges expiry by the server's absolute deadline against its own skewed clock, and storage does not fence" },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new LockNode(ctx as NodeCtx<Msg>, variant as LockVariant),
  workload: lockWorkload,
  // Jepsen's counter bounds, not a linearizability search: with many concurrent and timed-out adds
  // the search costs ~10x the simulation, and a lost (or doubled) increment breaks the bounds anyway.
  checkers: () => [{ kind: 'counter' }],
  observers: () => [sectionsNeverInterleave()],
  minNodes: 3,
};
