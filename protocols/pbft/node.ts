import { clonePlainData } from './clone.ts';
import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';
import { applyOp, emptyState, type KvResult } from './kv.ts';
import {
  clientSig,
  clientSigOk,
  digestOf,
  NULL_DIGEST,
  sign,
  stateDigest,
  verify,
  type Checkpoint,
  type Commit,
  type KvOp,
  type Msg,
  type NewView,
  type PrePrepare,
  type Prepare,
  type PreparedCert,
  type Reply,
  type Request,
  type StateSnapshot,
  type ViewChange,
} from './messages.ts';
import {
  bestCheckpoint,
  CHECKPOINT_EVERY,
  newViewPrePrepares,
  primaryOf,
  samePrePrepares,
  viewChangeValid,
  WINDOW,
  type Cluster,
} from './view-change.ts';

/**
 * A PBFT replica (Castro and Liskov) and, on the same node, the client proxy the simulated clients
 * talk to. The primary of view v is node v mod n; it orders requests with pre-prepares, replicas
 * prepare and commit with quorums, execute in sequence order and answer the proxy, which waits for
 * f + 1 matching replies. The log is a ring of WINDOW slots above the last stable checkpoint
 * (checkpoints every CHECKPOINT_EVERY sequence numbers; a replica that falls behind one fetches the
 * state). A replica that sees no progress on a request asks for the next view; the new primary
 * proves its pre-prepares from 2f + 1 view changes and the prepared certificates in them.
 * Everything a replica promised (slots, view, checkpoint, state) is on disk before it speaks.
 */
export type PbftVariant = 'correct' | 'prepare-quorum-2f' | 'view-change-without-certificates' | 'no-watermark-check';

/** Retransmission period: votes, pre-prepares, checkpoints, view changes and new views go out again. */
export const TICK_MS = 100;
/** No progress on a request for this long (doubling per failed view, up to the max) starts a view change. */
export const VIEW_TIMEOUT_MS = 800;
export const VIEW_TIMEOUT_MAX_MS = 3200;
/** The proxy re-sends a request this often until f + 1 replies match. */
export const RETRY_MS = 400;
/** Views ahead of ours whose view changes we keep (a bound on the map). */
const MAX_VIEWS_AHEAD = 64;

interface Slot {
  /** The sequence number the slot was opened for (the ring trusts the window for the rest). */
  n: number;
  pp?: PrePrepare;
  prepares: Record<NodeId, Prepare>;
  commits: Record<NodeId, Commit>;
  /** The highest-view prepared certificate (kept across views, for view changes). */
  cert?: PreparedCert;
  /** View in which this replica sent its commit, or -1. */
  committedIn: number;
}

interface Meta {
  view: number;
  changing: boolean;
  h: number;
  proof: Checkpoint[];
  lastExec: number;
  nextSeq: number;
}

export class PbftNode implements NodeHandlers<Msg> {
  readonly cluster: Cluster;
  meta: Meta;
  state: StateSnapshot;
  /** Own states at checkpoints not yet below the stable one (served to replicas that fell behind). */
  snapshots: Record<string, StateSnapshot>;
  log: Array<Slot | undefined>;
  /** Executed sequence numbers and request ids (-1: null) since this incarnation started (for the checks). */
  readonly executed: Array<{ n: number; rid: number }> = [];
  private readonly checkpoints = new Map<number, Map<NodeId, Checkpoint>>();
  private readonly vcs = new Map<number, Map<NodeId, ViewChange>>();
  private readonly pending = new Map<number, Request>();
  private readonly assigned = new Set<number>();
  private readonly outstanding = new Map<number, { reply: (r: ClientResult) => void; req: Request; votes: Map<NodeId, string> }>();
  private newView: NewView | undefined;
  /** Our latest checkpoint message, sent again until it is stable. */
  private lastCheckpoint: Checkpoint | undefined;
  private lastProgressMs = 0;
  private timeoutMs = VIEW_TIMEOUT_MS;
  private readonly dirtySlots = new Set<number>();
  /** Meta changed; `stateDirty`: the state or the snapshots changed. */
  private dirty = false;
  private stateDirty = false;

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly variant: PbftVariant,
  ) {
    const n = ctx.nodes.length;
    const f = Math.floor((n - 1) / 3);
    // Two quorums of q meet in f + 1 replicas, so in one honest replica (q = 2f + 1 when n = 3f + 1).
    const q = Math.ceil((n + f + 1) / 2);
    this.cluster = { nodes: ctx.nodes, f, quorum: q, prepareQuorum: variant === 'prepare-quorum-2f' ? q - 1 : q };
    this.meta = ctx.storage.get<Meta>('meta') ?? { view: 0, changing: false, h: 0, proof: [], lastExec: 0, nextSeq: 0 };
    this.state = ctx.storage.get<StateSnapshot>('state') ?? emptyState();
    this.snapshots = ctx.storage.get<Record<string, StateSnapshot>>('snapshots') ?? {};
    this.log = Array.from({ length: WINDOW }, (_, i) => ctx.storage.get<Slot>(`slot:${i}`));
  }

  get id(): NodeId {
    return this.ctx.id;
  }

  onStart(): void {
    this.lastProgressMs = this.ctx.now();
    this.ctx.setTimer(TICK_MS, 'tick');
  }

  onTimer(name: string, data: unknown): void {
    if (name === 'tick') {
      this.tick();
      this.ctx.setTimer(TICK_MS, 'tick');
    } else if (name === 'retry') {
      const o = this.outstanding.get(data as number);
      if (o === undefined) return;
      this.ctx.broadcast({ t: 'req', req: o.req });
      this.onRequest(o.req);
      this.ctx.setTimer(RETRY_MS, 'retry', data);
    }
    this.flush();
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    const kvop = { f: op.f, key: op.key ?? '', value: op.value ?? null } as KvOp;
    const req: Request = { rid: op.id, op: kvop, proxy: this.id, csig: clientSig(op.id, kvop, this.id) };
    this.outstanding.set(req.rid, { reply, req, votes: new Map() });
    this.ctx.broadcast({ t: 'req', req });
    this.onRequest(req);
    this.ctx.setTimer(RETRY_MS, 'retry', req.rid);
    this.flush();
  }

  onMessage(from: NodeId, m: Msg): void {
    if (m === null || typeof m !== 'object') return;
    switch (m.t) {
      case 'req':
        if (clientSigOk(m.req)) this.onRequest(m.req);
        break;
      case 'pp':
        if (this.authentic(m)) this.onPrePrepare(m);
        break;
      case 'p':
        if (this.authentic(m)) this.onPrepare(m);
        break;
      case 'c':
        if (this.authentic(m)) this.onCommit(m);
        break;
      case 'cp':
        if (this.authentic(m)) this.onCheckpoint(m);
        break;
      case 'vc':
        if (this.authentic(m)) this.onViewChange(m);
        break;
      case 'nv':
        if (this.authentic(m)) this.onNewView(m);
        break;
      case 'reply':
        this.onReply(from, m);
        break;
      case 'status':
        this.onStatus(from, m.v, m.e);
        break;
      case 'state?':
        this.onStateRequest(from, m.n);
        break;
      case 'state':
        this.onState(m.n, m.state);
        break;
    }
    this.flush();
  }

  /**
   * Signed by a replica of the cluster, with whole-number view and sequence fields. The signature,
   * not the hop, says who spoke: a replica may pass on another's pre-prepare or votes (to one that
   * fell behind), and can no more change them than forge them.
   */
  private authentic(m: Msg & { from?: NodeId }): boolean {
    const x = m as unknown as Record<string, unknown>;
    for (const k of ['v', 'n', 'h']) if (k in x && !Number.isSafeInteger(x[k])) return false;
    return typeof m.from === 'string' && this.ctx.nodes.includes(m.from) && verify(m);
  }

  // ---- requests and the normal case -----------------------------------------------------------

  private onRequest(req: Request): void {
    const done = this.state.done[req.rid];
    if (done !== undefined) {
      this.answer(req, done as KvResult);
      return;
    }
    if (!this.pending.has(req.rid)) {
      if (this.pending.size === 0) this.lastProgressMs = this.ctx.now();
      this.pending.set(req.rid, req);
    }
    if (this.isPrimary() && !this.meta.changing) this.propose(req);
  }

  private isPrimary(): boolean {
    return primaryOf(this.cluster, this.meta.view) === this.id;
  }

  /** The primary gives the request the next sequence number, if the window has room. */
  private propose(req: Request): void {
    if (this.assigned.has(req.rid) || this.meta.nextSeq + 1 > this.meta.h + WINDOW) return;
    const n = ++this.meta.nextSeq;
    this.dirty = true;
    this.assigned.add(req.rid);
    const pp = sign<PrePrepare>({ t: 'pp', from: this.id, v: this.meta.view, n, d: digestOf(req), req });
    this.acceptPrePrepare(pp);
    this.ctx.broadcast(pp);
  }

  private proposePending(): void {
    const rids = [...this.pending.keys()].sort((a, b) => a - b);
    for (const rid of rids) this.propose(this.pending.get(rid)!);
  }

  /** Whether a sequence number lies in the window above the last stable checkpoint. */
  private inWindow(n: number): boolean {
    return n > this.meta.h && n <= this.meta.h + WINDOW;
  }

  private onPrePrepare(m: PrePrepare): void {
    const { view, changing } = this.meta;
    if (m.v !== view || changing || m.from !== primaryOf(this.cluster, view)) return;
    if (m.d !== digestOf(m.req) || (m.req === undefined ? m.d !== NULL_DIGEST : !clientSigOk(m.req))) return;
    // The planted bug trusts the primary's number; the window is what keeps one slot per number.
    if (this.variant === 'no-watermark-check' ? m.n <= 0 : !this.inWindow(m.n)) return;
    this.acceptPrePrepare(m);
  }

  /** The ring slot of sequence number n: one per number, as long as only window numbers reach it. */
  private slotAt(n: number): Slot {
    const i = n % WINDOW;
    let s = this.log[i];
    if (s === undefined) {
      s = { n, prepares: {}, commits: {}, committedIn: -1 };
      this.log[i] = s;
    }
    this.dirtySlots.add(i);
    return s;
  }

  private acceptPrePrepare(m: PrePrepare): void {
    const s = this.slotAt(m.n);
    if (s.pp !== undefined && s.pp.v >= m.v) return; // one pre-prepare per view: an equivocating primary's second is ignored
    s.pp = m;
    if (m.req !== undefined && this.state.done[m.req.rid] === undefined && !this.pending.has(m.req.rid)) this.onRequest(m.req);
    if (m.from !== this.id) {
      const p = sign<Prepare>({ t: 'p', from: this.id, v: m.v, n: m.n, d: m.d });
      s.prepares[this.id] = p;
      this.ctx.broadcast(p);
    }
    this.checkPrepared(s);
  }

  private onPrepare(m: Prepare): void {
    if (m.v !== this.meta.view || !this.inWindow(m.n) || m.from === primaryOf(this.cluster, m.v)) return;
    const s = this.slotAt(m.n);
    s.prepares[m.from] = m;
    this.checkPrepared(s);
  }

  /** Prepares matching the slot's pre-prepare (view and digest) from backups. */
  private matchingPrepares(s: Slot): Prepare[] {
    const pp = s.pp!;
    return Object.values(s.prepares).filter((p) => p.v === pp.v && p.d === pp.d && p.from !== pp.from);
  }

  private checkPrepared(s: Slot): void {
    const pp = s.pp;
    if (pp === undefined || s.committedIn === pp.v) return;
    const prepares = this.matchingPrepares(s);
    if (prepares.length + 1 < this.cluster.prepareQuorum) return;
    s.cert = { pp, prepares };
    s.committedIn = pp.v;
    const c = sign<Commit>({ t: 'c', from: this.id, v: pp.v, n: pp.n, d: pp.d });
    s.commits[this.id] = c;
    this.ctx.broadcast(c);
    this.execute();
  }

  private onCommit(m: Commit): void {
    if (m.v !== this.meta.view || !this.inWindow(m.n)) return;
    const s = this.slotAt(m.n);
    s.commits[m.from] = m;
    this.execute();
  }

  private committed(s: Slot | undefined): boolean {
    const pp = s?.pp;
    if (s === undefined || pp === undefined || s.cert?.pp.v !== pp.v || s.cert.pp.d !== pp.d) return false;
    let votes = 0;
    for (const c of Object.values(s.commits)) if (c.v === pp.v && c.d === pp.d) votes++;
    return votes >= this.cluster.quorum;
  }

  /** Executes committed slots in sequence order, within the window (below it the state comes by transfer). */
  private execute(): void {
    for (let k = 0; k < WINDOW; k++) {
      if (this.meta.lastExec < this.meta.h || this.meta.lastExec + 1 > this.meta.h + WINDOW) return;
      const s = this.log[(this.meta.lastExec + 1) % WINDOW];
      if (s === undefined || !this.committed(s)) return;
      const pp = s.pp!;
      this.run(pp.req);
      this.meta.lastExec = pp.n;
      this.dirty = true;
      this.executed.push({ n: pp.n, rid: pp.req?.rid ?? -1 });
      this.lastProgressMs = this.ctx.now();
      this.timeoutMs = VIEW_TIMEOUT_MS;
      if (this.meta.lastExec % CHECKPOINT_EVERY === 0) this.checkpoint();
    }
  }

  /** Applies a request once (a request id already executed keeps its first result). */
  private run(req: Request | undefined): void {
    if (req === undefined) return;
    let result = this.state.done[req.rid] as KvResult | undefined;
    if (result === undefined) {
      result = applyOp(this.state.kv, req.op);
      this.state.done[req.rid] = result;
      this.stateDirty = true;
    }
    this.pending.delete(req.rid);
    this.assigned.delete(req.rid);
    this.answer(req, result);
  }

  private answer(req: Request, result: KvResult): void {
    const reply: Reply = { t: 'reply', rid: req.rid, result };
    if (req.proxy === this.id) this.onReply(this.id, reply);
    else if (this.ctx.nodes.includes(req.proxy)) this.ctx.send(req.proxy, reply);
  }

  // ---- the client proxy -----------------------------------------------------------------------

  /** f + 1 matching replies: at least one from an honest replica, so the result is the service's. */
  private onReply(from: NodeId, m: Reply): void {
    const o = this.outstanding.get(m.rid);
    if (o === undefined) return;
    let key: string;
    try {
      key = JSON.stringify(m.result) ?? 'undefined';
    } catch {
      return;
    }
    o.votes.set(from, key);
    let same = 0;
    for (const k of o.votes.values()) if (k === key) same++;
    if (same < this.cluster.f + 1) return;
    this.outstanding.delete(m.rid);
    const r = m.result as KvResult;
    o.reply(r.ok ? (r.value === undefined ? { type: 'ok' } : { type: 'ok', value: r.value }) : { type: 'fail', error: 'cas mismatch' });
  }

  // ---- checkpoints and state transfer ---------------------------------------------------------

  private checkpoint(): void {
    const n = this.meta.lastExec;
    const snap = clonePlainData(this.state);
    this.snapshots[n] = snap;
    this.stateDirty = true;
    const cp = sign<Checkpoint>({ t: 'cp', from: this.id, n, sd: stateDigest(snap) });
    this.lastCheckpoint = cp;
    this.ctx.broadcast(cp);
    this.onCheckpoint(cp);
  }

  private onCheckpoint(m: Checkpoint): void {
    if (m.n <= this.meta.h || m.n % CHECKPOINT_EVERY !== 0) return;
    let votes = this.checkpoints.get(m.n);
    if (votes === undefined) {
      votes = new Map();
      this.checkpoints.set(m.n, votes);
      // Bound: far-ahead numbers are kept for a replica that fell behind, but not without end.
      if (this.checkpoints.size > 4 * this.cluster.nodes.length) this.checkpoints.delete(Math.min(...this.checkpoints.keys()));
    }
    votes.set(m.from, m);
    const proof = [...votes.values()].filter((c) => c.sd === m.sd);
    if (proof.length >= this.cluster.quorum) this.stable(m.n, proof);
  }

  /** A checkpoint is stable: the window moves past it; a replica behind it fetches the state. */
  private stable(n: number, proof: Checkpoint[]): void {
    if (n <= this.meta.h) return;
    this.meta.h = n;
    this.meta.proof = proof;
    this.meta.nextSeq = Math.max(this.meta.nextSeq, n);
    this.dirty = true;
    for (let i = 0; i < WINDOW; i++) {
      if (this.log[i] !== undefined && this.log[i]!.n <= n) {
        this.log[i] = undefined;
        this.dirtySlots.add(i);
      }
    }
    for (const k of this.checkpoints.keys()) if (k <= n) this.checkpoints.delete(k);
    for (const k of Object.keys(this.snapshots)) if (Number(k) < n) delete this.snapshots[k];
    this.stateDirty = true;
    this.askForState();
    if (this.isPrimary() && !this.meta.changing) this.proposePending();
  }

  /** Behind the stable checkpoint: ask the replicas that vouched for it (again on every tick until it comes). */
  private askForState(): void {
    const n = this.meta.h;
    if (this.meta.lastExec >= n) return;
    for (const cp of this.meta.proof) if (cp.from !== this.id) this.ctx.send(cp.from, { t: 'state?', n });
  }

  private onStateRequest(from: NodeId, n: number): void {
    const snap = this.snapshots[n];
    if (snap !== undefined && this.ctx.nodes.includes(from)) this.ctx.send(from, { t: 'state', n, state: snap });
  }

  private onState(n: number, state: StateSnapshot): void {
    if (n !== this.meta.h || this.meta.lastExec >= n || state === null || typeof state !== 'object') return;
    let sd: number;
    try {
      sd = stateDigest(state);
    } catch {
      return;
    }
    if (sd !== this.meta.proof[0]?.sd) return;
    this.state = clonePlainData(state);
    this.snapshots[n] = clonePlainData(state);
    this.meta.lastExec = n;
    this.dirty = true;
    this.stateDirty = true;
    for (const rid of [...this.pending.keys()]) if (this.state.done[rid] !== undefined) this.run(this.pending.get(rid));
    this.lastProgressMs = this.ctx.now();
    this.execute();
  }

  // ---- view changes ---------------------------------------------------------------------------

  private tick(): void {
    const now = this.ctx.now();
    const stalled = this.meta.changing || this.pending.size > 0;
    if (stalled && now - this.lastProgressMs > this.timeoutMs) {
      this.startViewChange(this.meta.view + 1);
      return;
    }
    this.retransmit();
    this.askForState();
  }

  private startViewChange(v: number): void {
    if (v <= this.meta.view && !(v === this.meta.view && !this.meta.changing)) return;
    this.meta.view = v;
    this.meta.changing = true;
    this.dirty = true;
    this.lastProgressMs = this.ctx.now();
    this.timeoutMs = Math.min(this.timeoutMs * 2, VIEW_TIMEOUT_MAX_MS);
    const P = this.variant === 'view-change-without-certificates' ? [] : this.certificates();
    const vc = sign<ViewChange>({ t: 'vc', from: this.id, v, h: this.meta.h, proof: this.meta.proof, P });
    this.ctx.broadcast(vc);
    this.onViewChange(vc);
  }

  /** This replica's prepared certificates above its stable checkpoint. */
  private certificates(): PreparedCert[] {
    const out: PreparedCert[] = [];
    for (const s of this.log) if (s?.cert !== undefined && this.inWindow(s.cert.pp.n)) out.push(s.cert);
    return out.sort((a, b) => a.pp.n - b.pp.n);
  }

  private onViewChange(m: ViewChange): void {
    const { view, changing } = this.meta;
    if (m.v < view || m.v > view + MAX_VIEWS_AHEAD || !viewChangeValid(this.cluster, m)) return;
    if (m.v === view && !changing) {
      // A late view change for the view we are in: the primary sends its new view again.
      if (this.newView?.v === view && this.isPrimary()) this.ctx.send(m.from, this.newView);
      return;
    }
    let byView = this.vcs.get(m.v);
    if (byView === undefined) this.vcs.set(m.v, (byView = new Map()));
    byView.set(m.from, m);
    this.joinIfBehind();
    this.maybeNewView();
  }

  /** f + 1 replicas ask for views above ours: one of them is honest, so we join the smallest. */
  private joinIfBehind(): void {
    const above = new Map<NodeId, number>();
    for (const [v, byView] of this.vcs) {
      if (v <= this.meta.view) continue;
      for (const from of byView.keys()) above.set(from, Math.min(above.get(from) ?? Infinity, v));
    }
    if (above.size >= this.cluster.f + 1) this.startViewChange(Math.min(...above.values()));
  }

  /** The new primary, with a quorum of view changes, proves and sends the new view. */
  private maybeNewView(): void {
    const { view, changing } = this.meta;
    const byView = this.vcs.get(view);
    if (!changing || !this.isPrimary() || byView === undefined || byView.size < this.cluster.quorum) return;
    const V = this.cluster.nodes.flatMap((id) => byView.get(id) ?? []).slice(0, this.cluster.quorum);
    const nv = sign<NewView>({ t: 'nv', from: this.id, v: view, V, O: newViewPrePrepares(V, view, this.id) });
    this.ctx.broadcast(nv);
    this.enterView(nv);
  }

  private onNewView(m: NewView): void {
    const { view, changing } = this.meta;
    if (m.v < view || (m.v === view && !changing) || m.from !== primaryOf(this.cluster, m.v)) return;
    if (!Array.isArray(m.V) || !Array.isArray(m.O)) return;
    const senders = new Set<NodeId>();
    for (const vc of m.V) {
      if (vc?.v !== m.v || !viewChangeValid(this.cluster, vc)) return;
      senders.add(vc.from);
    }
    if (senders.size < this.cluster.quorum) return;
    if (!samePrePrepares(m.O, newViewPrePrepares(m.V, m.v, m.from)) || !m.O.every((pp) => verify(pp) && pp.from === m.from)) return;
    this.enterView(m);
  }

  private enterView(nv: NewView): void {
    this.meta.view = nv.v;
    this.meta.changing = false;
    this.dirty = true;
    this.newView = nv;
    this.lastProgressMs = this.ctx.now();
    for (const v of [...this.vcs.keys()]) if (v <= nv.v) this.vcs.delete(v);
    const best = bestCheckpoint(nv.V);
    if (best.h > this.meta.h) this.stable(best.h, best.proof);
    this.assigned.clear();
    let top = this.meta.h;
    for (const pp of nv.O) {
      if (!this.inWindow(pp.n)) continue;
      top = Math.max(top, pp.n);
      if (pp.req !== undefined) this.assigned.add(pp.req.rid);
      this.acceptPrePrepare(pp);
    }
    this.meta.nextSeq = top;
    if (this.isPrimary()) this.proposePending();
  }

  // ---- retransmission and the disk -------------------------------------------------------------

  /** Lost messages come back: our votes on slots not yet executed, the primary's pre-prepares, checkpoints, view changes. */
  private retransmit(): void {
    const { view, changing, lastExec } = this.meta;
    if (changing) {
      const mine = this.vcs.get(view)?.get(this.id);
      if (mine !== undefined) this.ctx.broadcast(mine);
      return;
    }
    for (const s of this.log) {
      const pp = s?.pp;
      if (s === undefined || pp === undefined || pp.v !== view || pp.n <= lastExec) continue;
      if (pp.from === this.id) this.ctx.broadcast(pp);
      else if (s.prepares[this.id] !== undefined) this.ctx.broadcast(s.prepares[this.id]);
      if (s.commits[this.id] !== undefined && s.commits[this.id].v === view) this.ctx.broadcast(s.commits[this.id]);
    }
    const cp = this.lastCheckpoint;
    if (cp !== undefined && cp.n > this.meta.h) this.ctx.broadcast(cp);
    this.ctx.broadcast({ t: 'status', v: view, e: lastExec });
  }

  /**
   * A replica behind us (it missed messages we no longer retransmit, since we executed them): we
   * send it our pre-prepares and votes of the numbers it lacks, or, when it is behind our stable
   * checkpoint, the checkpoint's proof (it then fetches the state).
   */
  private onStatus(from: NodeId, v: number, e: number): void {
    const { view, changing, h, lastExec } = this.meta;
    if (!Number.isSafeInteger(e) || v !== view || changing || e >= lastExec || !this.ctx.nodes.includes(from)) return;
    if (e < h) {
      for (const cp of this.meta.proof) this.ctx.send(from, cp);
      return;
    }
    for (let n = e + 1; n <= lastExec; n++) {
      const s = this.log[n % WINDOW];
      if (s?.pp === undefined || s.pp.n !== n) continue;
      this.ctx.send(from, s.pp);
      if (s.prepares[this.id] !== undefined) this.ctx.send(from, s.prepares[this.id]);
      if (s.commits[this.id] !== undefined) this.ctx.send(from, s.commits[this.id]);
    }
  }

  /** Writes what changed and makes it durable before the handler's messages can matter. */
  private flush(): void {
    const disk = this.ctx.storage;
    for (const i of this.dirtySlots) {
      const s = this.log[i];
      if (s === undefined) disk.delete(`slot:${i}`);
      else disk.set(`slot:${i}`, s);
    }
    if (this.dirty) disk.set('meta', this.meta);
    if (this.stateDirty) {
      disk.set('state', this.state);
      disk.set('snapshots', this.snapshots);
    }
    if (this.dirtySlots.size > 0 || this.dirty || this.stateDirty) disk.sync();
    this.dirtySlots.clear();
    this.dirty = false;
    this.stateDirty = false;
  }
}
