import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';
import { between, betweenRight, fingerStart, M, nextHop, ringId } from './ring.ts';

/**
 * A Chord node holding a replicated key-value store.
 *
 * - Ring: each node keeps a successor list, a predecessor and M fingers. Every tick it stabilises
 *   (asks its successor for its predecessor and list, adopts a closer successor, notifies), checks
 *   its predecessor, and fixes one finger. A successor that stops answering is dropped and the
 *   next one on the list takes its place. Every few ticks it looks itself up through a random
 *   known node, which merges rings that formed apart (nodes restarting while others were down).
 * - Join: a (re)started node has an empty routing table; it looks up its successor through a
 *   member, retrying member after member until one that has joined answers; only the first node
 *   (`n1`) starts a ring of its own, once no member answered. Stabilisation does the rest.
 * - Keys: a key belongs to the first node at or after its id. The owner stamps a put with a
 *   version (its clock, past every version it has seen), stores it durably and replicates it to
 *   the first R nodes of its successor list; it acknowledges once all R stored it. A node serves
 *   its range only once its successor names it predecessor and it has taken the keys of its range
 *   from that successor (key transfer), and it keeps syncing with its successor, so keys written
 *   while ownership moved come back to the owner.
 *   Every few ticks the owner pushes the keys of its range to its replicas again, so a replica
 *   that left (its disk with it) is replaced by the next node on the list.
 * - Leave: a node told it is leaving (`onLeave`) stops serving, hands every key it holds to its
 *   successor (which takes over its range) and gives its predecessor its successor list. A node
 *   that leaves abruptly (crash-stop) hands nothing: its keys live on in its replicas.
 * - Lookups are iterative: ask the closest preceding known node, then its answer, and so on; the
 *   node reached checks the key is in its range before serving it.
 *
 * Keys live on disk: a crash loses routing state, not data; churn (a node leaving for good and a
 * fresh one with an empty disk joining under its name) loses the disk too.
 */

export type ChordVariant = 'correct' | 'no-successor-list' | 'early-transfer' | 'stale-fingers';

/** Stabilisation period. */
export const TICK_MS = 40;
/** An RPC not answered within this is a failure (generous: swarm draws 100 ms links with slow reorders). */
export const CALL_TIMEOUT_MS = 700;
/** Consecutive failed calls before a successor or predecessor is taken for dead. */
const SUSPECT_AFTER_FAILURES = 3;
/** Successors kept (the correct variant); replicas are the first REPLICAS of them. */
const SUCCESSOR_LIST = 3;
const REPLICAS = 2;
/** Ticks between key syncs with the successor, between replica pushes and between ring-merge probes. */
const SYNC_TICKS = 3;
const PUSH_TICKS = 6;
const PROBE_TICKS = 8;
/** Bound on a lookup's hops (a ring of any size the simulator runs needs far fewer). */
const MAX_HOPS = 2 * M;
/** Tries of a client op (lookup + serve) before giving up. */
const OP_ATTEMPTS = 4;
/** Bound on the op records the checks read. */
const MAX_RECORDS = 20_000;

/** A put's version: the owner's clock (past all it saw), ties broken by the owner's name. */
export interface Version {
  t: number;
  by: NodeId;
}

export interface Entry {
  value: unknown;
  ver: Version;
}

/**
 * What the node did with a client op, for the checks: `recv` when it arrived, `ok` when it was
 * acknowledged to the client, and for a put `stored` when its owner answered that it is stored
 * (on the owner, which may leave before the client hears of it).
 */
export interface OpRecord {
  op: number;
  f: 'put' | 'get';
  key: string;
  phase: 'recv' | 'stored' | 'ok';
  ver?: Version;
}

/** Orders versions; positive when a is newer. */
export function compareVersions(a: Version | undefined, b: Version | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return a.t !== b.t ? a.t - b.t : a.by < b.by ? -1 : a.by > b.by ? 1 : 0;
}

type Call =
  | { t: 'step'; keyId: number }
  | { t: 'state' }
  | { t: 'notify' }
  | { t: 'ping' }
  | { t: 'pull' }
  | { t: 'serve'; op: ClientOp }
  | { t: 'replicate'; key: string; entry: Entry }
  | { t: 'replicas'; entries: Array<[string, Entry]> }
  | { t: 'handoff'; entries: Array<[string, Entry]>; pred: NodeId | undefined }
  | { t: 'leaving'; succs: NodeId[] };

type Work = 'stabilise' | 'finger' | 'probe' | 'join' | 'pred' | 'push';
type StepReply = { done: NodeId } | { next: NodeId } | { notJoined: true };
interface StateReply {
  pred: NodeId | undefined;
  succs: NodeId[];
}
type ServeReply = { ok: true; value?: unknown; ver?: Version } | { retry: string } | { fail: string } | { info: string };

export class ChordNode implements NodeHandlers<never> {
  readonly ringId: number;
  joined = false;
  /** Successors, nearest first; empty when alone (the node is its own successor). */
  succs: NodeId[] = [];
  pred: NodeId | undefined;
  readonly fingers: Array<NodeId | undefined> = Array.from({ length: M }, () => undefined);
  /** The successor named this node its predecessor and the keys of its range came over since. */
  confirmed = false;
  readonly store: Map<string, Entry>;
  readonly records: OpRecord[] = [];
  private readonly listLength: number;
  private readonly replicas: number;
  private ticks = 0;
  private nextFinger = 0;
  private joinAttempts = 0;
  /** Members that answered a join attempt and had not joined either. */
  private readonly unjoinedPeers = new Set<NodeId>();
  private lastT = 0;
  private readonly busy: Record<Work, boolean> = { stabilise: false, finger: false, probe: false, join: false, pred: false, push: false };
  /** Told it is leaving: it serves and routes nothing more. */
  leaving = false;
  /**
   * no-successor-list: its one successor failed and it knows no other, so it takes itself for the
   * whole ring (which needs no replicas).
   */
  cutOff = false;
  private succFailures = 0;
  private predFailures = 0;

  constructor(
    private readonly ctx: NodeCtx<never>,
    readonly variant: ChordVariant,
  ) {
    this.ringId = ringId(ctx.id);
    const others = ctx.nodes.length - 1;
    this.listLength = Math.min(variant === 'no-successor-list' ? 1 : SUCCESSOR_LIST, others);
    this.replicas = Math.min(variant === 'no-successor-list' ? 1 : REPLICAS, others);
    const disk = ctx.storage.get<Record<string, Entry>>('kv') ?? {};
    this.store = new Map(Object.entries(disk));
    for (const e of this.store.values()) this.lastT = Math.max(this.lastT, e.ver.t);
  }

  onStart(): void {
    if (this.ctx.peers.length === 0) this.joined = true;
    this.ctx.setTimer(TICK_MS, 'tick');
  }

  /** The node's successor (itself when alone). */
  succ(): NodeId {
    return this.succs[0] ?? this.ctx.id;
  }

  /** Whether the key's id lies in this node's range (pred, self]. */
  owns(keyId: number): boolean {
    if (this.succs.length === 0) return true;
    return this.pred !== undefined && betweenRight(keyId, ringId(this.pred), this.ringId);
  }

  /** Whether this node serves its range now: it owns it and the keys of it came over. */
  ready(): boolean {
    // early-transfer serves its range as soon as it joined, whatever its successor thinks.
    if (this.variant === 'early-transfer') return this.joined;
    return this.joined && (this.succs.length === 0 || this.confirmed);
  }

  /** One step of a lookup from this node (the `step` RPC, and what the checks replay). */
  hop(keyId: number): StepReply {
    if (!this.joined || this.leaving) return { notJoined: true };
    return nextHop(this.ctx.id, this.ringId, this.succ(), ringId(this.succ()), this.known(), keyId);
  }

  /** stale-fingers: the first node this node knows of at or after the key, taken as its owner unasked. */
  guessOwner(keyId: number): NodeId {
    let best = this.ctx.id;
    let bestDist = (this.ringId - keyId + 2 ** M) % 2 ** M;
    for (const [name, id] of this.known()) {
      const d = (id - keyId + 2 ** M) % 2 ** M;
      if (d < bestDist) {
        bestDist = d;
        best = name;
      }
    }
    return best;
  }

  private known(): Array<[NodeId, number]> {
    const names = new Set<NodeId>([...this.succs, ...this.fingers.filter((f): f is NodeId => f !== undefined)]);
    if (this.pred !== undefined) names.add(this.pred);
    names.delete(this.ctx.id);
    return [...names].map((n) => [n, ringId(n)]);
  }

  async onTimer(name: string): Promise<void> {
    if (name !== 'tick' || this.leaving) return;
    this.ctx.setTimer(TICK_MS, 'tick');
    this.ticks++;
    if (!this.joined) return this.guarded('join', () => this.join());
    void this.guarded('stabilise', () => this.stabilise());
    void this.guarded('pred', () => this.checkPredecessor());
    void this.guarded('finger', () => this.fixFinger());
    if (this.ticks % PROBE_TICKS === 0) void this.guarded('probe', () => this.probe());
    if (this.ticks % PUSH_TICKS === 0) void this.guarded('push', () => this.pushReplicas());
  }

  /** Runs one kind of background work at a time (a slow call must not pile up rounds). */
  private async guarded(kind: Work, work: () => Promise<void>): Promise<void> {
    if (this.busy[kind]) return;
    this.busy[kind] = true;
    try {
      await work();
    } finally {
      this.busy[kind] = false;
    }
  }

  private async rpc<T>(to: NodeId, req: Call): Promise<T | undefined> {
    try {
      return await this.ctx.call<T>(to, req, CALL_TIMEOUT_MS);
    } catch {
      return undefined;
    }
  }

  /** Iterative lookup of the node owning `keyId`, starting at `via` (default: here). */
  async lookup(keyId: number, via: NodeId = this.ctx.id): Promise<NodeId | undefined> {
    let cur = via;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const r = cur === this.ctx.id ? this.hop(keyId) : await this.rpc<StepReply>(cur, { t: 'step', keyId });
      if (r !== undefined && 'notJoined' in r && cur !== this.ctx.id && !this.joined) this.unjoinedPeers.add(cur);
      if (r === undefined || 'notJoined' in r) return undefined;
      if ('done' in r) return r.done;
      if (r.next === cur) return undefined;
      // Handed back to this node before it joined: the ring still holds its old self.
      if (r.next === this.ctx.id && !this.joined) return this.ctx.id;
      cur = r.next;
    }
    return undefined;
  }

  /**
   * Joins through one member (trying them in turn, every tick, until one that joined answers). The
   * first node starts a ring of its own once two members answered that they had not joined either,
   * or every member was tried (at boot, or back fresh while the others are unreachable; probes
   * merge rings that formed apart).
   */
  private async join(): Promise<void> {
    const peers = this.ctx.peers;
    const via = peers[(this.ctx.randomInt(peers.length) + this.joinAttempts) % peers.length];
    this.joinAttempts++;
    const found = await this.lookup((this.ringId + 1) % 2 ** M, via);
    if (this.joined) return;
    // The ring may still hold this node's old self (it left and came back before anyone noticed):
    // then the member asked stands in as successor, and stabilisation walks back to the true one.
    const succ = found === this.ctx.id ? via : found;
    if (succ !== undefined) {
      this.adoptSuccessor(succ);
      this.joined = true;
      this.ctx.log('joined through', via, 'successor', succ);
      if (this.variant === 'early-transfer') {
        // The mistake: keys taken (and the range served) before the successor made this node its predecessor.
        await this.pull(succ);
        this.confirmed = true;
      }
    } else if (this.ctx.id === this.ctx.nodes[0] && (this.unjoinedPeers.size >= Math.min(2, peers.length) || this.joinAttempts >= peers.length)) {
      this.joined = true;
      this.ctx.log('no member has joined: starts the ring');
    }
  }

  private adoptSuccessor(s: NodeId): void {
    this.succs = [s, ...this.succs.filter((x) => x !== s)].slice(0, this.listLength);
    this.succFailures = 0;
    this.cutOff = false;
    if (this.variant !== 'early-transfer') this.confirmed = false;
  }

  private async stabilise(): Promise<void> {
    const succ = this.succ();
    if (succ === this.ctx.id) {
      if (this.pred !== undefined) this.adoptSuccessor(this.pred);
      return;
    }
    const r = await this.rpc<StateReply>(succ, { t: 'state' });
    if (succ !== this.succ()) return;
    if (r === undefined) {
      if (++this.succFailures >= SUSPECT_AFTER_FAILURES) {
        this.succs = this.succs.slice(1);
        this.succFailures = 0;
        if (this.variant !== 'early-transfer') this.confirmed = false;
        if (this.succs.length === 0 && this.variant === 'no-successor-list') {
          // The mistake: with no list to fall back on, one failure cuts the node off the ring.
          this.cutOff = true;
          this.ctx.log('successor', succ, 'failed and no other is known: alone in the ring');
        }
      }
      return;
    }
    this.succFailures = 0;
    if (r.pred !== undefined && r.pred !== this.ctx.id && between(ringId(r.pred), this.ringId, ringId(succ))) {
      this.adoptSuccessor(r.pred);
      return;
    }
    this.succs = [succ, ...r.succs.filter((x) => x !== this.ctx.id && x !== succ)].slice(0, this.listLength);
    if (r.pred !== this.ctx.id) {
      if (this.variant !== 'early-transfer') this.confirmed = false;
      await this.rpc(succ, { t: 'notify' });
    } else if (this.variant !== 'early-transfer' && (!this.confirmed || this.ticks % SYNC_TICKS === 0)) {
      if (await this.pull(succ)) this.confirmed = true;
    }
  }

  /** Takes the keys the successor holds outside its own range (key transfer, and later syncs). */
  private async pull(from: NodeId): Promise<boolean> {
    const r = await this.rpc<{ entries: Array<[string, Entry]> } | { notYet: true }>(from, { t: 'pull' });
    if (r === undefined || 'notYet' in r) return false;
    let changed = false;
    for (const [key, e] of r.entries) changed = this.merge(key, e) || changed;
    if (changed) this.persist();
    return true;
  }

  private async checkPredecessor(): Promise<void> {
    const p = this.pred;
    if (p === undefined) return;
    const ok = await this.rpc<boolean>(p, { t: 'ping' });
    if (p !== this.pred) return;
    if (ok) this.predFailures = 0;
    else if (++this.predFailures >= SUSPECT_AFTER_FAILURES) {
      this.pred = undefined;
      this.predFailures = 0;
    }
  }

  private async fixFinger(): Promise<void> {
    const i = this.nextFinger;
    this.nextFinger = (i + 1) % M;
    const f = await this.lookup(fingerStart(this.ringId, i));
    if (f !== undefined) this.fingers[i] = f === this.ctx.id ? undefined : f;
  }

  /** Pushes the keys of its range to its replicas again: a replica that left is replaced by the next. */
  private async pushReplicas(): Promise<void> {
    if (!this.ready() || this.succs.length === 0) return;
    const entries = [...this.store].filter(([key]) => this.owns(ringId(key)));
    if (entries.length === 0) return;
    await Promise.all(this.succs.slice(0, this.replicas).map((to) => this.rpc(to, { t: 'replicas', entries })));
  }

  /**
   * A graceful leave: serve and route nothing more, hand every key held to the successor (it takes
   * over the range) and the successor list to the predecessor, both within the grace period.
   */
  async onLeave(graceMs: number): Promise<void> {
    this.leaving = true;
    const succ = this.succ();
    if (succ === this.ctx.id) return;
    const timeoutMs = Math.max(1, Math.min(CALL_TIMEOUT_MS, graceMs));
    this.ctx.log('leaving: hands its keys to', succ);
    const calls: Array<Promise<unknown>> = [this.ctx.call(succ, { t: 'handoff', entries: [...this.store], pred: this.pred } satisfies Call, timeoutMs)];
    if (this.pred !== undefined) calls.push(this.ctx.call(this.pred, { t: 'leaving', succs: [...this.succs] } satisfies Call, timeoutMs));
    await Promise.allSettled(calls);
  }

  /** Looks this node's successor up through a random member: merges rings that formed apart. */
  private async probe(): Promise<void> {
    const via = this.ctx.peers[this.ctx.randomInt(this.ctx.peers.length)];
    const c = await this.lookup((this.ringId + 1) % 2 ** M, via);
    if (c === undefined || c === this.ctx.id) return;
    if (this.succs.length === 0 || between(ringId(c), this.ringId, ringId(this.succ()))) this.adoptSuccessor(c);
  }

  async onCall(from: NodeId, req: unknown): Promise<unknown> {
    const r = req as Call;
    switch (r.t) {
      case 'step':
        return this.hop(r.keyId);
      case 'state':
        return { pred: this.pred, succs: [...this.succs] } satisfies StateReply;
      case 'ping':
        return true;
      case 'notify':
        return this.onNotify(from);
      case 'pull':
        return this.onPull(from);
      case 'serve':
        return this.serve(r.op);
      case 'replicate':
        if (this.merge(r.key, r.entry)) this.persist();
        this.lastT = Math.max(this.lastT, r.entry.ver.t);
        return true;
      case 'replicas':
        return this.mergeAll(r.entries);
      case 'handoff':
        return this.onHandoff(from, r.entries, r.pred);
      case 'leaving':
        return this.onSuccessorLeaving(from, r.succs);
    }
  }

  private mergeAll(entries: ReadonlyArray<[string, Entry]>): true {
    let changed = false;
    for (const [key, e] of entries) changed = this.merge(key, e) || changed;
    if (changed) this.persist();
    return true;
  }

  /** The predecessor is leaving with its keys: take them, and its range (its predecessor is ours). */
  private onHandoff(from: NodeId, entries: ReadonlyArray<[string, Entry]>, pred: NodeId | undefined): true {
    this.mergeAll(entries);
    if (this.pred === from) {
      this.pred = pred === this.ctx.id ? undefined : pred;
      this.predFailures = 0;
    }
    return true;
  }

  /** The successor is leaving: its successors are ours now. */
  private onSuccessorLeaving(from: NodeId, succs: readonly NodeId[]): true {
    if (this.succ() !== from) return true;
    this.succs = succs.filter((x) => x !== this.ctx.id && x !== from).slice(0, this.listLength);
    this.succFailures = 0;
    if (this.variant !== 'early-transfer') this.confirmed = false;
    return true;
  }

  private onNotify(from: NodeId): boolean {
    if (this.pred === undefined || (this.pred !== from && between(ringId(from), ringId(this.pred), this.ringId))) {
      this.pred = from;
      this.predFailures = 0;
    }
    if (this.succs.length === 0 && this.joined) this.adoptSuccessor(from);
    return true;
  }

  /**
   * Key transfer: the keys this node holds outside its own range, for its predecessor. Only to the
   * node it names predecessor, so it stopped serving that range first (early-transfer: to anyone).
   */
  private onPull(from: NodeId): { entries: Array<[string, Entry]> } | { notYet: true } {
    if (this.variant !== 'early-transfer' && this.pred !== from) return { notYet: true };
    const entries: Array<[string, Entry]> = [];
    for (const [key, e] of this.store) if (!(this.pred === from && this.owns(ringId(key)))) entries.push([key, e]);
    return { entries };
  }

  private merge(key: string, e: Entry): boolean {
    const cur = this.store.get(key);
    if (cur !== undefined && compareVersions(cur.ver, e.ver) >= 0) return false;
    this.store.set(key, { value: e.value, ver: { ...e.ver } });
    this.lastT = Math.max(this.lastT, e.ver.t);
    return true;
  }

  private persist(): void {
    this.ctx.storage.set('kv', Object.fromEntries(this.store));
    this.ctx.storage.sync();
  }

  /** Serves a client op at the node a lookup reached: the owner of the key, once it is ready. */
  private async serve(op: ClientOp): Promise<ServeReply> {
    const key = op.key ?? '';
    if (this.leaving) return { retry: `${this.ctx.id} is leaving` };
    if (this.variant !== 'stale-fingers' && !(this.owns(ringId(key)) && this.ready())) return { retry: `${this.ctx.id} does not serve ${key} now` };
    if (op.f === 'get') {
      const e = this.store.get(key);
      return { ok: true, value: e?.value ?? null, ver: e?.ver };
    }
    // no-successor-list, cut off: alone in the ring as it believes, it needs no replica.
    const needed = this.cutOff ? 0 : this.replicas;
    const targets = this.succs.slice(0, needed);
    if (targets.length < needed) return { fail: `${this.ctx.id} knows ${targets.length} of the ${needed} replicas it needs` };
    const cur = this.store.get(key);
    const t = Math.max(this.ctx.now(), this.lastT + 1, (cur?.ver.t ?? 0) + 1);
    this.lastT = t;
    const entry: Entry = { value: op.value, ver: { t, by: this.ctx.id } };
    this.merge(key, entry);
    this.persist();
    const acks = await Promise.all(targets.map((to) => this.rpc<boolean>(to, { t: 'replicate', key, entry })));
    if (acks.some((a) => a !== true)) return { info: 'a replica did not answer' };
    this.record({ op: op.id, f: 'put', key, phase: 'stored', ver: entry.ver });
    return { ok: true, ver: entry.ver };
  }

  async onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): Promise<void> {
    if ((op.f !== 'put' && op.f !== 'get') || op.key === undefined) return reply({ type: 'fail', error: `unknown op ${op.f}` });
    const f = op.f;
    const key = op.key;
    this.record({ op: op.id, f, key, phase: 'recv' });
    for (let attempt = 0; attempt < OP_ATTEMPTS; attempt++) {
      if (attempt > 0) await this.ctx.sleep(TICK_MS * 2);
      const keyId = ringId(key);
      const owner = this.variant === 'stale-fingers' ? this.guessOwner(keyId) : await this.lookup(keyId);
      if (owner === undefined) continue;
      const r = owner === this.ctx.id ? await this.serve(op) : await this.rpc<ServeReply>(owner, { t: 'serve', op });
      if (r === undefined) {
        if (f === 'put') return reply({ type: 'info', error: `no answer from ${owner}` });
        continue;
      }
      if ('retry' in r) continue;
      // Every path that may have written answered with `info` above: a failure wrote nothing.
      if ('fail' in r) return reply({ type: 'fail', error: r.fail });
      if ('info' in r) return reply({ type: 'info', error: r.info });
      this.record({ op: op.id, f, key, phase: 'ok', ver: r.ver });
      return reply({ type: 'ok', value: f === 'get' ? r.value : undefined });
    }
    reply({ type: 'fail', error: 'no owner reached' });
  }

  private record(r: OpRecord): void {
    if (this.records.length < MAX_RECORDS) this.records.push(r);
  }
}
