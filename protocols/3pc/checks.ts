import { always, eventually } from '../../checkers/index.ts';
import type { CheckingObserver, NodeId, WorldView } from '../../src/index.ts';
import type { ThreePcJournal, ThreePcNode } from './node.ts';

/**
 * Reads every node's journal once, in event order, across restarts: the decisions and yes votes
 * seen so far. Shared by the observers below so each entry is read once per event.
 */
class JournalReader {
  readonly decided = new Map<number, { commit: boolean; node: NodeId }>();
  readonly yesVotes = new Map<number, Set<NodeId>>();
  private readonly cursors = new Map<NodeId, { journal: ThreePcJournal; votes: number; decisions: number }>();

  /** Decisions journaled since the last call: [node, txn, commit]. */
  read(view: WorldView): Array<[NodeId, number, boolean]> {
    const fresh: Array<[NodeId, number, boolean]> = [];
    const live: Array<[NodeId, { journal: ThreePcJournal; votes: number; decisions: number }]> = [];
    for (const nv of view.nodes) {
      const node = nv.state as ThreePcNode | undefined;
      if (node === undefined) continue;
      let c = this.cursors.get(nv.id);
      if (c === undefined || c.journal !== node.journal) this.cursors.set(nv.id, (c = { journal: node.journal, votes: 0, decisions: 0 }));
      live.push([nv.id, c]);
    }
    // Votes before decisions: a commit must find every yes vote cast so far.
    for (const [id, c] of live) {
      for (; c.votes < c.journal.votes.length; c.votes++) {
        const [txn, yes] = c.journal.votes[c.votes];
        if (!yes) continue;
        let s = this.yesVotes.get(txn);
        if (s === undefined) this.yesVotes.set(txn, (s = new Set()));
        s.add(id);
      }
    }
    for (const [id, c] of live) {
      for (; c.decisions < c.journal.decisions.length; c.decisions++) {
        const [txn, commit] = c.journal.decisions[c.decisions];
        fresh.push([id, txn, commit]);
      }
    }
    return fresh;
  }
}

/**
 * The 3PC checks, all judged on node states after every event: atomicity (no two nodes decide a
 * txn differently, restarts included), no commit without every participant's yes vote, and, after
 * the final heal, every txn some node was in doubt about at the heal settles there in time.
 *
 * @example
 * observers: (_variant, scenario) => threePcObservers(['n1', 'n2', 'n3'], scenario.quietMs - 1000),
 */
export function threePcObservers(nodeIds: readonly NodeId[], settleWithinMs: number): CheckingObserver[] {
  const participants = nodeIds.slice(1);
  const reader = new JournalReader();
  // The decisions new at the current event, read once per event by the first observer.
  let current: Array<[NodeId, number, boolean]> = [];

  const atomicity = always<WorldView>('3pc-atomicity', () => {
    for (const [node, txn, commit] of current) {
      const prev = reader.decided.get(txn);
      if (prev === undefined) reader.decided.set(txn, { commit, node });
      else if (prev.commit !== commit) return `txn ${txn}: ${prev.node} decided ${prev.commit ? 'commit' : 'abort'}, ${node} decided ${commit ? 'commit' : 'abort'}`;
    }
    return true;
  });
  const commitNeedsYes = always<WorldView>('3pc-commit-needs-all-yes', () => {
    for (const [node, txn, commit] of current) {
      if (!commit) continue;
      const yes = reader.yesVotes.get(txn) ?? new Set<NodeId>();
      const missing = participants.filter((p) => !yes.has(p));
      if (missing.length > 0) return `txn ${txn} committed by ${node} without a yes vote from ${missing.join(', ')}`;
    }
    return true;
  });
  // Snapshot at the first event after the heal of who was in doubt; each must settle in time.
  let healedAtMs: number | undefined;
  let waiting: Array<[NodeId, number]> | undefined;
  const settled = eventually<WorldView>(
    '3pc-in-doubt-settle',
    (view) => {
      if (waiting === undefined) {
        waiting = [];
        for (const nv of view.nodes) {
          const doubt = nv.state === undefined ? (nv.storage.get<number[]>('doubt') ?? []) : (nv.state as ThreePcNode).inDoubt();
          for (const txn of doubt) waiting.push([nv.id, txn]);
        }
      }
      for (const nv of view.nodes) if (!nv.up || nv.state === undefined) return `${nv.id} is down`;
      const byId = new Map(view.nodes.map((nv) => [nv.id, nv.state as ThreePcNode]));
      waiting = waiting.filter(([id, txn]) => byId.get(id)!.inDoubt().includes(txn));
      if (waiting.length === 0) return true;
      return `still in doubt since the heal at ${healedAtMs}ms: ${waiting.slice(0, 4).map(([id, txn]) => `${id} about txn ${txn}`).join(', ')}${waiting.length > 4 ? ', ...' : ''}`;
    },
    { withinMs: settleWithinMs },
  );
  return [
    {
      observe: (v, at) => {
        current = reader.read(v);
        atomicity.observe(v, at);
        commitNeedsYes.observe(v, at);
      },
      result: () => atomicity.result(),
    },
    { observe: () => undefined, result: () => commitNeedsYes.result() },
    {
      observe: (v, at) => settled.observe(v, at),
      markHealed: (t) => {
        healedAtMs = t;
        settled.markHealed(t);
      },
      result: () => settled.result(),
    },
  ];
}
