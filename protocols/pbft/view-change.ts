/**
 * The view change's pure parts: validating certificates and proofs that travel inside view-change
 * messages, and computing the pre-prepares a new view must carry (every request prepared in an
 * earlier view keeps its sequence number; gaps are filled with null requests).
 */
import type { NodeId } from '../../src/index.ts';
import { digestOf, NULL_DIGEST, sign, verify, type Checkpoint, type PrePrepare, type PreparedCert, type ViewChange } from './messages.ts';

/** Sequence numbers a replica holds at once above its last stable checkpoint (the log window). */
export const WINDOW = 20;
/** A replica checkpoints every CHECKPOINT_EVERY executed sequence numbers. */
export const CHECKPOINT_EVERY = 5;

/** Cluster arithmetic: n = 3f + 1 replicas, quorums of 2f + 1. */
export interface Cluster {
  nodes: readonly NodeId[];
  f: number;
  /** Matching votes (the pre-prepare counting as the primary's) that make a request prepared. */
  prepareQuorum: number;
  /** Matching commits that make it committed; also view-change and checkpoint quorums. */
  quorum: number;
}

export function primaryOf(c: Cluster, view: number): NodeId {
  return c.nodes[view % c.nodes.length];
}

/** A prepared certificate: a signed pre-prepare of the view's primary and matching signed prepares of distinct backups. */
export function certValid(c: Cluster, cert: PreparedCert | undefined): boolean {
  if (cert === null || typeof cert !== 'object' || !Array.isArray(cert.prepares)) return false;
  const pp = cert.pp;
  if (!verify(pp) || pp.t !== 'pp' || pp.from !== primaryOf(c, pp.v) || pp.d !== digestOf(pp.req)) return false;
  const backups = new Set<NodeId>();
  for (const p of cert.prepares) {
    if (!verify(p) || p.t !== 'p' || p.v !== pp.v || p.n !== pp.n || p.d !== pp.d || p.from === pp.from || !c.nodes.includes(p.from)) return false;
    backups.add(p.from);
  }
  return backups.size + 1 >= c.prepareQuorum;
}

/** A stable-checkpoint proof: 2f + 1 signed checkpoints of distinct replicas for (h, one digest); h = 0 needs none. */
export function proofValid(c: Cluster, h: number, proof: Checkpoint[]): boolean {
  if (h === 0) return true;
  if (!Array.isArray(proof) || proof.length === 0) return false;
  const from = new Set<NodeId>();
  for (const cp of proof) {
    if (!verify(cp) || cp.t !== 'cp' || cp.n !== h || cp.sd !== proof[0].sd || !c.nodes.includes(cp.from)) return false;
    from.add(cp.from);
  }
  return from.size >= c.quorum;
}

/**
 * A view change is valid when signed, its checkpoint proof holds, and every prepared certificate
 * in it holds, lies above its checkpoint (within the window) and below the view it asks for.
 */
export function viewChangeValid(c: Cluster, vc: ViewChange): boolean {
  if (!verify(vc) || vc.t !== 'vc' || !Number.isInteger(vc.v) || !Number.isInteger(vc.h) || !Array.isArray(vc.P)) return false;
  if (!proofValid(c, vc.h, vc.proof)) return false;
  return vc.P.every((cert) => certValid(c, cert) && cert.pp.n > vc.h && cert.pp.n <= vc.h + WINDOW && cert.pp.v < vc.v);
}

/** The highest stable checkpoint among the view changes, with its proof. */
export function bestCheckpoint(V: readonly ViewChange[]): { h: number; proof: Checkpoint[] } {
  let best = { h: 0, proof: [] as Checkpoint[] };
  for (const vc of V) if (vc.h > best.h) best = { h: vc.h, proof: vc.proof };
  return best;
}

/**
 * The pre-prepares of new view `v`, signed by its primary `from`: for each sequence number above
 * the highest stable checkpoint up to the highest prepared one, the request of the certificate of
 * the highest view (the first such in V), or the null request. Bounded by the window.
 */
export function newViewPrePrepares(V: readonly ViewChange[], v: number, from: NodeId): PrePrepare[] {
  const { h } = bestCheckpoint(V);
  const best = new Map<number, PreparedCert>();
  for (const vc of V) {
    for (const cert of vc.P) {
      const n = cert.pp.n;
      if (n <= h || n > h + WINDOW) continue;
      const had = best.get(n);
      if (had === undefined || cert.pp.v > had.pp.v) best.set(n, cert);
    }
  }
  const top = Math.max(h, ...best.keys());
  const O: PrePrepare[] = [];
  for (let n = h + 1; n <= top; n++) {
    const cert = best.get(n);
    const pp: Omit<PrePrepare, 'sig'> = { t: 'pp', from, v, n, d: cert === undefined ? NULL_DIGEST : cert.pp.d };
    if (cert?.pp.req !== undefined) pp.req = cert.pp.req;
    O.push(sign<PrePrepare>(pp));
  }
  return O;
}

/** Whether two lists of pre-prepares propose the same (n, d) in the same order. */
export function samePrePrepares(a: readonly PrePrepare[], b: readonly PrePrepare[]): boolean {
  return a.length === b.length && a.every((x, i) => x.n === b[i].n && x.d === b[i].d && x.v === b[i].v);
}
