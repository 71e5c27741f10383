import { counterBounds, pairOps, type CheckerResult } from '../../checkers/index.ts';
import { defineProtocol, type ClientOp, type ClientResult, type History, type NodeCtx, type NodeId, type Workload } from '../../src/index.ts';
import { quietConvergence } from './convergence.ts';
import { CrdtReplica, type CrdtType } from './replica.ts';

/**
 * Gossip-replicated counters. A G-counter holds one grow-only entry per node (a node raises only
 * its own); merge takes the max of each entry, so repeated or duplicated gossip changes nothing.
 * A PN-counter is two G-counters, P for increments and N for decrements; its value is P - N.
 * Clients `add` a signed delta and `read` the value at the node they address.
 */

/** One grow-only entry per node. */
export type GCounter = Record<NodeId, number>;

export interface PnCounter {
  p: GCounter;
  n: GCounter;
}

export type CounterVariant = 'correct' | 'one-g-counter' | 'sum-merge';

function gValue(g: GCounter): number {
  let sum = 0;
  for (const v of Object.values(g)) sum += v;
  return sum;
}

/** The G-counter join: the max of each entry (idempotent, so duplicates are harmless). */
function gMerge(a: GCounter, b: GCounter): GCounter {
  const out: GCounter = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/** The bug: entries added up, as if each gossip message carried only news. */
function gSum(a: GCounter, b: GCounter): GCounter {
  const out: GCounter = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** The counter CRDT of a variant. */
export function counterType(variant: CounterVariant): CrdtType<PnCounter> {
  return {
    init: () => ({ p: {}, n: {} }),
    update(s, op: ClientOp, self): { state: PnCounter; result: ClientResult } {
      if (op.f === 'read') return { state: s, result: { type: 'ok', value: counterValue(s) } };
      if (op.f !== 'add' || typeof op.value !== 'number') return { state: s, result: { type: 'fail', error: `unknown op ${op.f}` } };
      const d = op.value;
      // The bug: one G-counter for both signs. A decrement lowers this node's own entry, and the
      // max-merge then restores the higher value any peer already saw: the decrement is lost.
      if (variant === 'one-g-counter' || d >= 0) return { state: { ...s, p: { ...s.p, [self]: (s.p[self] ?? 0) + d } }, result: { type: 'ok' } };
      return { state: { ...s, n: { ...s.n, [self]: (s.n[self] ?? 0) - d } }, result: { type: 'ok' } };
    },
    merge(a, b) {
      const m = variant === 'sum-merge' ? gSum : gMerge;
      return { p: m(a.p, b.p), n: m(a.n, b.n) };
    },
  };
}

export function counterValue(s: PnCounter): number {
  return gValue(s.p) - gValue(s.n);
}

/** 40% reads; adds of -2, -1, +1, +2 or +3. */
export const counterWorkload: Workload = (rng) => {
  if (rng() < 0.4) return { f: 'read', value: null };
  return { f: 'add', value: [-2, -1, 1, 2, 3][Math.floor(rng() * 5)] };
};

/** A converged value must be reachable: every acknowledged delta plus some of the uncertain ones. */
function agreesWithBounds(value: unknown, history: History): true | string {
  const { lower, upper } = counterBounds(history);
  if (typeof value === 'number' && value >= lower && value <= upper) return true;
  return `the acknowledged adds allow only ${lower === upper ? lower : `${lower}..${upper}`}`;
}

/**
 * On the history alone: every read returns a value some subset of the adds invoked before it
 * returned could sum to (no double counting, no invented adds). A read may be stale (gossip has
 * not arrived yet), so exact agreement with the acknowledged adds is judged by the convergence
 * observer instead, at quiet moments after the heal, when every replica must have caught up.
 */
function checkCounterReads(history: History): CheckerResult {
  const checker = 'counter-reads';
  let lowest = 0;
  let highest = 0;
  const pairs = pairOps(history);
  // Sweep in history order: an add counts toward a read's range once it was invoked before the read returned.
  const adds = pairs.filter((p) => p.invoke.f === 'add' && p.outcome !== 'fail').sort((a, b) => a.callPos - b.callPos);
  const reads = pairs.filter((p) => p.invoke.f === 'read' && p.outcome === 'ok').sort((a, b) => a.returnPos - b.returnPos);
  let i = 0;
  for (const r of reads) {
    for (; i < adds.length && adds[i].callPos < r.returnPos; i++) {
      const d = adds[i].invoke.value as number;
      if (d < 0) lowest += d;
      else highest += d;
    }
    const v = r.completion!.value;
    if (typeof v !== 'number' || v < lowest || v > highest) {
      return { checker, verdict: 'illegal', summary: `read #${r.completion!.index} on ${r.invoke.node} returned ${JSON.stringify(v)}; the adds invoked before it allow only ${lowest}..${highest}` };
    }
  }
  return { checker, verdict: 'ok', summary: `all ${reads.length} reads are sums some of the adds before them could make` };
}

export const crdtCounter = defineProtocol({
  name: 'crdt-counter',
  description: 'gossip-replicated PN-counter (two G-counters, max-merge); every node answers locally, anti-entropy every 100ms',
  variants: {
    correct: { kind: 'correct', description: 'PN-counter from two G-counters; merge takes the max of each entry' },
    'one-g-counter': { kind: 'bug', description: 'a PN-counter built from one G-counter: decrements lower an entry that max-merge restores (decrements lost)' },
    'sum-merge': { kind: 'bug', description: 'merge adds the entries instead of taking the max (every repeated or duplicated gossip counts again)' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new CrdtReplica(ctx as NodeCtx<never>, counterType(variant)),
  workload: counterWorkload,
  checkers: () => [{ kind: 'custom', name: 'counter-reads', check: checkCounterReads }],
  observers: () => [
    quietConvergence<PnCounter>({
      name: 'crdt-counter',
      stateOf: (h) => (h as CrdtReplica<PnCounter> | undefined)?.state,
      valueOf: counterValue,
      agrees: agreesWithBounds,
      withinMs: 500,
    }),
  ],
  // Every node answers from its own replica, so once healed every op is answered at once.
  liveness: { opsCompleteWithinMs: 500 },
  defaults: { quietMs: 1500 },
  minNodes: 1,
});
