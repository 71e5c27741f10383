import { always, pairOps, type CheckerResult } from '../../checkers/index.ts';
import { defineProtocol, type CheckingObserver, type History, type NodeCtx, type Workload, type WorldView } from '../../src/index.ts';
import { deliveredEverywhere } from './delivered-everywhere.ts';
import { CausalNode } from './node.ts';

/** 60% broadcasts of a small value, 40% reads of the delivered sequence. */
export const causalWorkload: Workload = (rng) => (rng() < 0.6 ? { f: 'bcast', value: Math.floor(rng() * 100) } : { f: 'read', value: null });

function liveNodes(view: WorldView): Array<{ id: string; s: CausalNode }> {
  const out: Array<{ id: string; s: CausalNode }> = [];
  for (const n of view.nodes) if (n.up && n.state !== undefined) out.push({ id: n.id, s: n.state as CausalNode });
  return out;
}

/**
 * Causal delivery, judged from what happened rather than from the protocol's clocks: a message's
 * causal past is what its origin had delivered when it sent it (the prefix before it in the
 * origin's own delivery order). Every node must deliver that whole past before the message.
 */
function causalOrder(): CheckingObserver {
  const past = new Map<string, Set<string>>();
  const cursor = new WeakMap<CausalNode, number>();
  const check = always<WorldView>('causal-delivery', (view) => {
    const nodes = liveNodes(view);
    // Origins first: a message is in its origin's log from the event that sent it.
    for (const { id, s } of nodes) {
      for (let i = 0; i < s.delivered.length; i++) {
        const m = s.delivered[i];
        if (m.origin === id && !past.has(m.id)) past.set(m.id, new Set(s.delivered.slice(0, i).map((x) => x.id)));
      }
    }
    for (const { id, s } of nodes) {
      const from = cursor.get(s) ?? 0;
      if (from === s.delivered.length) continue;
      const before = new Set(s.delivered.slice(0, from).map((x) => x.id));
      for (let i = from; i < s.delivered.length; i++) {
        const m = s.delivered[i];
        const deps = past.get(m.id);
        if (deps !== undefined) {
          for (const d of deps) if (!before.has(d)) return `${id} delivered ${m.id} before ${d}, which ${m.origin} had delivered before sending it`;
        }
        before.add(m.id);
      }
      cursor.set(s, s.delivered.length);
    }
    return true;
  });
  return { observe: (v, at) => check.observe(v, at), result: () => check.result() };
}


/**
 * On the history: every read shows each origin's messages once each and in the order sent
 * (FIFO per origin, the part of causal order a read alone can show).
 */
function checkReadsFifo(history: History): CheckerResult {
  const checker = 'reads-fifo';
  let reads = 0;
  for (const p of pairOps(history)) {
    if (p.invoke.f !== 'read' || p.outcome !== 'ok') continue;
    reads++;
    const last = new Map<string, number>();
    for (const id of p.completion!.value as string[]) {
      const [origin, seqText] = id.split(':');
      const seq = Number(seqText);
      const prev = last.get(origin);
      if (!(seq > (prev ?? 0))) {
        const why = prev === undefined ? `${origin} numbers its sends from 1` : `after ${origin}:${prev}`;
        return { checker, verdict: 'illegal', summary: `read #${p.completion!.index} on ${p.invoke.node} shows ${id} ${prev === undefined ? `(${why})` : why}` };
      }
      last.set(origin, seq);
    }
  }
  return { checker, verdict: 'ok', summary: `all ${reads} reads show each origin's messages once, in order` };
}

export const causal = defineProtocol({
  name: 'causal',
  description: 'causal broadcast with vector clocks and a hold-back queue; anti-entropy every 100ms resends what a peer lacks',
  variants: {
    correct: { kind: 'correct', description: 'a message waits in the hold-back queue until it is the next from its origin and its causal past is delivered' },
    'no-hold-back': { kind: 'bug', description: "messages are delivered on arrival, the clock taking the max, without waiting for their causal predecessors" },
    'clock-on-receive': { kind: 'bug', description: 'a node ticks its own clock entry when it receives instead of when it sends (messages stamped with counts that name no message of theirs)' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new CausalNode(ctx as NodeCtx<never>, variant),
  workload: causalWorkload,
  checkers: () => [{ kind: 'custom', name: 'reads-fifo', check: checkReadsFifo }],
  observers: () => [causalOrder(), deliveredEverywhere(1000, (s) => (s instanceof CausalNode ? s.delivered : undefined))],
  liveness: { opsCompleteWithinMs: 500 },
  defaults: { quietMs: 1500 },
  minNodes: 1,
});
