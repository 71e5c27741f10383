import { always, eventually, pairOps, type CheckerResult } from '../../checkers/index.ts';
import { defineProtocol, type CheckingObserver, type History, type NodeCtx, type Workload, type WorldView } from '../../src/index.ts';
import { ElectionNode } from './node.ts';

/** 70% appends of a small value to the leader's log, 30% reads of the whole log. */
export const appendWorkload: Workload = (rng) => (rng() < 0.3 ? { f: 'read', value: null } : { f: 'append', value: Math.floor(rng() * 100) });

function nodesOf(view: WorldView): Array<{ id: string; s: ElectionNode }> {
  const out: Array<{ id: string; s: ElectionNode }> = [];
  for (const n of view.nodes) if (n.up && n.state !== undefined) out.push({ id: n.id, s: n.state as ElectionNode });
  return out;
}

/** Over the whole run, at most one node ever acts as leader of a given epoch. */
function oneLeaderPerEpoch(): CheckingObserver {
  const owner = new Map<number, string>();
  const check = always<WorldView>('one-leader-per-epoch', (view) => {
    for (const { id, s } of nodesOf(view)) {
      if (!s.isLeader()) continue;
      const prev = owner.get(s.epoch);
      if (prev === undefined) owner.set(s.epoch, id);
      else if (prev !== id) return `${prev} and ${id} both lead epoch ${s.epoch}`;
    }
    return true;
  });
  return { observe: (v, at) => check.observe(v, at), result: () => check.result() };
}

/**
 * The log never forks: every entry a leader acknowledged stays at its index in the log of every
 * leader of the same or a later epoch (so no two acknowledged entries ever share an index).
 */
function logNeverForks(): CheckingObserver {
  const acked = new Map<number, { op: number; epoch: number; by: string }>();
  const cursor = new WeakMap<ElectionNode, number>();
  const check = always<WorldView>('log-never-forks', (view) => {
    const nodes = nodesOf(view);
    for (const { id, s } of nodes) {
      for (let i = cursor.get(s) ?? 0; i < s.acked.length; i++) {
        const a = s.acked[i];
        const prev = acked.get(a.index);
        if (prev !== undefined && prev.op !== a.op) return `index ${a.index} acknowledged twice: op ${prev.op} by ${prev.by} (epoch ${prev.epoch}) and op ${a.op} by ${id} (epoch ${a.epoch})`;
        acked.set(a.index, { ...a, by: id });
      }
      cursor.set(s, s.acked.length);
    }
    for (const { id, s } of nodes) {
      if (!s.isLeader()) continue;
      for (const [index, a] of acked) {
        if (a.epoch > s.epoch) continue;
        const e = s.log[index];
        if (e === undefined || e.op !== a.op) return `${id}, leader of epoch ${s.epoch}, has ${e === undefined ? 'no entry' : `op ${e.op}`} at index ${index}, where ${a.by} acknowledged op ${a.op} in epoch ${a.epoch}`;
      }
    }
    return true;
  });
  return { observe: (v, at) => check.observe(v, at), result: () => check.result() };
}

/** After the heal: exactly one leader, and every other node has promised its epoch (nobody challenges it). */
function oneLeaderAfterHeal(withinMs: number): CheckingObserver {
  const check = eventually<WorldView>(
    'one-leader-after-heal',
    (view) => {
      const nodes = nodesOf(view);
      if (nodes.length < view.nodes.length) return 'a node is down';
      const leaders = nodes.filter(({ s }) => s.isLeader());
      if (leaders.length !== 1) return `${leaders.length} leaders (${leaders.map((l) => l.id).join(', ')})`;
      const e = leaders[0].s.epoch;
      const odd = nodes.find(({ s }) => s.promised !== e);
      return odd === undefined || `${odd.id} promised epoch ${odd.s.promised}, the leader ${leaders[0].id} leads ${e}`;
    },
    { withinMs },
  );
  return { observe: (v, at) => check.observe(v, at), markHealed: (t) => check.markHealed(t), result: () => check.result() };
}

/** On the history: no two acknowledged appends got the same log index. */
function checkAppendIndexes(history: History): CheckerResult {
  const checker = 'appends-distinct-indexes';
  const seen = new Map<number, number>();
  let ok = 0;
  for (const p of pairOps(history)) {
    if (p.invoke.f !== 'append' || p.outcome !== 'ok') continue;
    ok++;
    const index = p.completion!.value as number;
    const prev = seen.get(index);
    if (prev !== undefined) return { checker, verdict: 'illegal', summary: `appends #${prev} and #${p.completion!.index} were both acknowledged at log index ${index} (the log forked)` };
    seen.set(index, p.completion!.index);
  }
  return { checker, verdict: 'ok', summary: `${ok} acknowledged appends, each at its own index` };
}

/**
 * On the history: a read shows every append acknowledged before it was invoked, at the index the
 * append was acknowledged with (a read served by a deposed leader misses newer entries).
 */
function checkReadsSeeAppends(history: History): CheckerResult {
  const checker = 'reads-see-acknowledged-appends';
  const acked: Array<{ at: number; index: number; value: unknown; record: number }> = [];
  const pairs = pairOps(history);
  for (const p of pairs) if (p.invoke.f === 'append' && p.outcome === 'ok') acked.push({ at: p.returnPos, index: p.completion!.value as number, value: p.invoke.value, record: p.completion!.index });
  let reads = 0;
  for (const r of pairs) {
    if (r.invoke.f !== 'read' || r.outcome !== 'ok') continue;
    reads++;
    const log = r.completion!.value as unknown[];
    const missed = acked.find((a) => a.at < r.callPos && log[a.index] !== a.value);
    if (missed) return { checker, verdict: 'illegal', summary: `read #${r.completion!.index} on ${r.invoke.node} returned a log of ${log.length} entries with ${JSON.stringify(log[missed.index] ?? null)} at index ${missed.index}, but append #${missed.record} of ${JSON.stringify(missed.value)} was acknowledged there before the read began` };
  }
  return { checker, verdict: 'ok', summary: `all ${reads} reads show the ${acked.length} acknowledged appends before them` };
}

export const election = defineProtocol({
  name: 'election',
  description: 'bully leader election with a heartbeat failure detector, epochs and majority votes; the leader alone appends to a majority-replicated log and reads on a lease',
  variants: {
    correct: {
      kind: 'correct',
      description:
        'a suspecting node runs for the next epoch and leads only with a majority of votes, from their most recent log; the leader reads alone on a short lease that followers honour by voting for nobody for a while after each heartbeat, timed by timers',
    },
    'no-quorum': { kind: 'bug', description: 'a node declares itself leader on a heartbeat timeout, without a majority (split brain under partition or a paused node)' },
    'lease-reads': { kind: 'bug', description: "the leader answers reads alone while a lease on its own clock lasts, but followers promise nothing: one that stops hearing it wins votes at once from nodes that still ack the old leader (stale reads)" },
    'fd-local-clock': {
      kind: 'bug',
      description:
        "every timeout of the failure detector is judged on the local clock (ctx.now() differences and deadlines), not on timers: the leader's lease deadline, a follower's promise not to vote and its suspicion. A clock set back (an NTP step, the end of a fast-running spell) leaves the leader a lease deadline far ahead; cut off meanwhile, it answers reads alone after a newer leader was elected (stale reads). It takes a clock fault on the leader and a partition together: the default exploration does not find it in seeds 0..999; 3 nodes under clock bumps and isolation do (seed 29)",
    },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new ElectionNode(ctx as NodeCtx<never>, variant),
  workload: appendWorkload,
  checkers: () => [
    { kind: 'custom', name: 'appends-distinct-indexes', check: checkAppendIndexes },
    { kind: 'custom', name: 'reads-see-acknowledged-appends', check: checkReadsSeeAppends },
  ],
  observers: () => [oneLeaderPerEpoch(), logNeverForks(), oneLeaderAfterHeal(1500)],
  liveness: { opsCompleteWithinMs: 1500 },
  defaults: { quietMs: 2000 },
  minNodes: 1,
});
