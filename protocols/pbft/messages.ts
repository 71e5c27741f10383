/**
 * PBFT's messages and the model of its cryptography. The network names the true sender of every
 * message (a Byzantine node cannot pose as another), and messages that travel inside others (the
 * pre-prepare and prepares of a prepared certificate, the checkpoints of a stable-checkpoint
 * proof, the view changes of a new view) carry a signature: a keyed hash of the signer and the
 * content. Honest code signs only as itself; the adversary (the `corrupt` fault's mutator) can
 * change content but not recompute a signature, so a changed message fails verification, as a
 * forged signature would.
 */
import { hashString } from '../../models/index.ts';
import type { NodeId } from '../../src/index.ts';

/** A key-value op, as the client asked it. */
export interface KvOp {
  f: 'get' | 'put' | 'append' | 'cas';
  key: string;
  value: unknown;
}

/** A client request: `rid` is the op id (unique per run); `proxy` is the node the client asked. */
export interface Request {
  rid: number;
  op: KvOp;
  proxy: NodeId;
  /** The client's signature over (rid, op, proxy). */
  csig: number;
}

/** The null request a new view fills a sequence gap with: executes as nothing. */
export const NULL_DIGEST = 0;

export interface Signed {
  from: NodeId;
  sig: number;
}
export interface PrePrepare extends Signed {
  t: 'pp';
  v: number;
  n: number;
  d: number;
  /** Absent for a null request. */
  req?: Request;
}
export interface Prepare extends Signed {
  t: 'p';
  v: number;
  n: number;
  d: number;
}
export interface Commit extends Signed {
  t: 'c';
  v: number;
  n: number;
  d: number;
}
export interface Checkpoint extends Signed {
  t: 'cp';
  n: number;
  /** Digest of the state after executing n. */
  sd: number;
}
/** A prepared certificate: a pre-prepare and 2f matching prepares from other replicas. */
export interface PreparedCert {
  pp: PrePrepare;
  prepares: Prepare[];
}
export interface ViewChange extends Signed {
  t: 'vc';
  /** The view asked for. */
  v: number;
  /** Last stable checkpoint and its proof (2f+1 checkpoints; empty for 0). */
  h: number;
  proof: Checkpoint[];
  /** Prepared certificates above h. */
  P: PreparedCert[];
}
export interface NewView extends Signed {
  t: 'nv';
  v: number;
  V: ViewChange[];
  O: PrePrepare[];
}
export interface Reply {
  t: 'reply';
  rid: number;
  result: unknown;
}
/** A replica's progress, sent every tick: a replica ahead answers with what the sender lacks. */
export interface Status {
  t: 'status';
  v: number;
  /** Last executed sequence number. */
  e: number;
}
export interface StateRequest {
  t: 'state?';
  n: number;
}
export interface StateSnapshot {
  kv: Record<string, string>;
  /** Last result per request id executed (the reply cache). */
  done: Record<string, unknown>;
}
export interface StateReply {
  t: 'state';
  n: number;
  state: StateSnapshot;
}
export type Msg =
  | { t: 'req'; req: Request }
  | PrePrepare
  | Prepare
  | Commit
  | Checkpoint
  | ViewChange
  | NewView
  | Reply
  | Status
  | StateRequest
  | StateReply;

/** The secret every key derives from (a model: honest code only ever signs as itself). */
const KEY = 'pbft-key/';

function h(parts: readonly unknown[]): number {
  return hashString(JSON.stringify(parts));
}

/** Digest of a request (or of nothing: the null request). */
export function digestOf(req: Request | undefined): number {
  return req === undefined ? NULL_DIGEST : h(['req', req.rid, req.op.f, req.op.key, req.op.value, req.proxy, req.csig]) || 1;
}

/** The client's signature of its request. */
export function clientSig(rid: number, op: KvOp, proxy: NodeId): number {
  return h([KEY, 'client', rid, op.f, op.key, op.value, proxy]);
}

export function clientSigOk(req: Request | undefined): boolean {
  return req !== undefined && typeof req === 'object' && req.op !== null && typeof req.op === 'object' && clientSig(req.rid, req.op, req.proxy) === req.csig;
}

/** What a signature covers, per message type. */
function content(m: Omit<Signed, 'sig'> & { t: string }): unknown[] {
  const x = m as unknown as Record<string, unknown>;
  switch (m.t) {
    case 'pp':
    case 'p':
    case 'c':
      return [m.t, m.from, x.v, x.n, x.d];
    case 'cp':
      return [m.t, m.from, x.n, x.sd];
    case 'vc':
      return [m.t, m.from, x.v, x.h, x.proof, x.P];
    case 'nv':
      return [m.t, m.from, x.v, x.V, x.O];
    default:
      return [m.t, m.from];
  }
}

/** Signs `m` as `m.from` (honest code signs only as its own id). */
export function sign<M extends Signed & { t: string }>(m: Omit<M, 'sig'>): M {
  return { ...m, sig: h([KEY, m.from, ...content(m)]) } as M;
}

/** Whether `m` carries a valid signature of `m.from` (and looks like a signed message at all). */
export function verify(m: unknown): m is Signed & { t: string } {
  if (m === null || typeof m !== 'object') return false;
  const s = m as Signed & { t: string };
  if (typeof s.from !== 'string' || typeof s.t !== 'string' || typeof s.sig !== 'number') return false;
  try {
    return h([KEY, s.from, ...content(s)]) === s.sig;
  } catch {
    return false;
  }
}

/** Digest of a replica's state at a checkpoint. */
export function stateDigest(s: StateSnapshot): number {
  const kv = Object.keys(s.kv).sort().map((k) => [k, s.kv[k]]);
  const done = Object.keys(s.done).sort((a, b) => Number(a) - Number(b)).map((k) => [k, s.done[k]]);
  return h(['state', kv, done]);
}
