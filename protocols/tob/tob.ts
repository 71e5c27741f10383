import { always, pairOps, type CheckerResult } from '../../checkers/index.ts';
import { defineProtocol, type CheckingObserver, type History, type NodeCtx, type Workload, type WorldView } from '../../src/index.ts';
import { deliveredEverywhere } from '../causal/delivered-everywhere.ts';
import { TobNode } from './node.ts';

/** 60% broadcasts of a small value, 40% reads of the delivered sequence. */
export const tobWorkload: Workload = (rng) => (rng() < 0.6 ? { f: 'bcast', value: Math.floor(rng() * 100) } : { f: 'read', value: null });

function liveNodes(view: WorldView): Array<{ id: string; s: TobNode }> {
  const out: Array<{ id: string; s: TobNode }> = [];
  for (const n of view.nodes) if (n.up && n.state !== undefined) out.push({ id: n.id, s: n.state as TobNode });
  return out;
}

/**
 * One total order: the k-th message any node ever delivers is the k-th message every node
 * delivers, over the whole run (a node that lost its unsynced deliveries in a crash and delivers
 * them again must deliver them in the same places), and no node delivers a message twice.
 */
function totalOrder(): CheckingObserver {
  const order: Array<{ id: string; by: string }> = [];
  const cursor = new WeakMap<TobNode, number>();
  const check = always<WorldView>('total-order', (view) => {
    for (const { id, s } of liveNodes(view)) {
      const from = cursor.get(s) ?? 0;
      if (from === s.delivered.length) continue;
      for (let i = from; i < s.delivered.length; i++) {
        const m = s.delivered[i].id;
        if (i === order.length) order.push({ id: m, by: id });
        else if (order[i].id !== m) return `${id} delivered ${m} as message #${i + 1}, where ${order[i].by} delivered ${order[i].id}`;
      }
      cursor.set(s, s.delivered.length);
      if (new Set(s.delivered.map((m) => m.id)).size !== s.delivered.length) return `${id} delivered a message twice`;
    }
    return true;
  });
  return { observe: (v, at) => check.observe(v, at), result: () => check.result() };
}


/** On the history: every two reads, wherever they ran, show one sequence (the shorter a prefix of the longer). */
function checkReadsAgree(history: History): CheckerResult {
  const checker = 'reads-agree';
  const reads = pairOps(history).filter((p) => p.invoke.f === 'read' && p.outcome === 'ok');
  let longest: { seq: string[]; index: number } | undefined;
  for (const r of reads) {
    const seq = r.completion!.value as string[];
    if (longest === undefined || seq.length > longest.seq.length) longest = { seq, index: r.completion!.index };
  }
  for (const r of reads) {
    const seq = r.completion!.value as string[];
    const at = seq.findIndex((id, i) => id !== longest!.seq[i]);
    if (at >= 0) {
      return { checker, verdict: 'illegal', summary: `read #${r.completion!.index} on ${r.invoke.node} shows ${seq[at]} as message #${at + 1}, read #${longest!.index} shows ${longest!.seq[at]} there` };
    }
  }
  return { checker, verdict: 'ok', summary: `all ${reads.length} reads show prefixes of one sequence` };
}

export const tob = defineProtocol({
  name: 'tob',
  description: 'total-order broadcast with Lamport clocks: delivery in (timestamp, origin) order once every node has announced a later clock; anti-entropy every 50ms',
  variants: {
    correct: { kind: 'correct', description: 'ties between equal timestamps are broken by origin id, the same way on every node' },
    'arrival-tiebreak': { kind: 'bug', description: 'messages are ordered by Lamport timestamp alone; equal timestamps stay in arrival order, which differs from node to node' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new TobNode(ctx as NodeCtx<never>, variant),
  workload: tobWorkload,
  checkers: () => [{ kind: 'custom', name: 'reads-agree', check: checkReadsAgree }],
  observers: () => [totalOrder(), deliveredEverywhere(1500, (s) => (s instanceof TobNode ? s.delivered : undefined))],
  liveness: { opsCompleteWithinMs: 500 },
  defaults: { quietMs: 2000 },
  minNodes: 1,
});
