import { always, type EventAt } from '../../checkers/invariant.ts';
import { eventually } from '../../checkers/liveness.ts';
import type { CheckingObserver } from '../../src/run/protocol.ts';
import type { NodeView, WorldView } from '../../src/sim/simulator.ts';
import type { Entry, RaftNode } from './raft.ts';

/**
 * Raft's safety properties (paper, figure 3), checked after every event by observers that keep
 * run-wide memory, because a violation is often never visible in a single snapshot (two leaders of
 * one term need not be alive at the same time). The checks are incremental: each node marks the
 * lowest log index it changed (`dirtyFrom`), and the tracker only looks at what changed.
 *
 * - election safety: at most one leader per term, over the whole run (map term -> leader).
 * - log matching: an (index, term) pair names one entry for the whole run, with one command and
 *   one predecessor term. By induction on the index this is exactly "two logs with an entry of
 *   the same index and term are identical up to it".
 * - leader completeness: an entry observed committed at a node whose term was U is in the log
 *   of every leader of a term > U (the entry was committed in a term <= U).
 * - state machine safety: no two nodes apply different commands at one index (map index -> command).
 */

/** Identity of an entry's payload: the no-op, or the client op id (unique per run). */
function commandKey(e: Entry): string {
  return e.c === null ? 'noop' : `op${e.c.id}`;
}

/** Key of an (index, term) pair; terms and indices stay far below 2^20 in any run. */
function pairKey(index: number, term: number): number {
  return index * 1_048_576 + term;
}

interface Committed {
  term: number;
  cmd: string;
  /** The observing node's term when first seen committed: the commit happened in a term <= this. */
  upper: number;
  node: string;
}

/** Run-wide memory behind the four invariants; updated once per event, shared by the observers. */
class RaftTracker {
  private lastEvent = -1;
  private readonly leaders = new Map<number, string>();
  private readonly entries = new Map<number, { cmd: string; prevTerm: number; node: string }>();
  private readonly applied = new Map<number, { cmd: string; node: string }>();
  private readonly committed = new Map<number, Committed>();
  /** Per node slot: the incarnation (handler object) last seen, and how far it was checked. */
  private readonly seen: Array<{ state: RaftNode | undefined; applied: number; commit: number; leaderTerm: number }> = [];
  electionViolation: string | undefined;
  matchingViolation: string | undefined;
  completenessViolation: string | undefined;
  machineViolation: string | undefined;

  update(view: WorldView, at: EventAt): void {
    if (at.eventIndex === this.lastEvent) return;
    this.lastEvent = at.eventIndex;
    const nodes = view.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const s = nodes[i].state as RaftNode | undefined;
      if (s === undefined) continue;
      let seen = this.seen[i];
      if (seen === undefined || seen.state !== s) {
        // A fresh incarnation rebuilds its state machine from index 1.
        seen = this.seen[i] = { state: s, applied: 0, commit: 0, leaderTerm: -1 };
      }
      this.checkElection(s, seen);
      this.checkLog(s);
      this.checkCommitted(s, seen, nodes);
      this.checkApplied(s, seen);
    }
  }

  private checkElection(s: RaftNode, seen: { leaderTerm: number }): void {
    if (s.role !== 'leader' || seen.leaderTerm === s.currentTerm) return;
    seen.leaderTerm = s.currentTerm;
    const other = this.leaders.get(s.currentTerm);
    if (other === undefined) this.leaders.set(s.currentTerm, s.ctxId);
    else if (other !== s.ctxId) this.electionViolation ??= `two leaders in term ${s.currentTerm}: ${other} and ${s.ctxId}`;
    // A new leadership must hold every entry committed in an earlier term.
    for (const [index, c] of this.committed) this.checkLeaderHas(s, index, c);
  }

  private checkLeaderHas(leader: RaftNode, index: number, c: Committed): void {
    if (this.completenessViolation !== undefined || leader.currentTerm <= c.upper) return;
    const e = leader.log[index];
    if (e === undefined || e.term !== c.term || commandKey(e) !== c.cmd) {
      this.completenessViolation = `leader ${leader.ctxId} of term ${leader.currentTerm} lacks entry ${index} (term ${c.term}, ${c.cmd}) committed at ${c.node} by term ${c.upper}; it has ${e === undefined ? 'nothing' : `term ${e.term}, ${commandKey(e)}`}`;
    }
  }

  private checkLog(s: RaftNode): void {
    const from = s.dirtyFrom;
    if (from === Infinity) return;
    s.dirtyFrom = Infinity;
    const log = s.log;
    for (let i = Math.max(1, from); i < log.length; i++) {
      const e = log[i];
      const cmd = commandKey(e);
      const prevTerm = log[i - 1].term;
      const key = pairKey(i, e.term);
      const known = this.entries.get(key);
      if (known === undefined) this.entries.set(key, { cmd, prevTerm, node: s.ctxId });
      else if (this.matchingViolation === undefined && (known.cmd !== cmd || known.prevTerm !== prevTerm)) {
        this.matchingViolation = `entry ${i} of term ${e.term} is ${cmd} after a term-${prevTerm} entry at ${s.ctxId}, but was ${known.cmd} after a term-${known.prevTerm} entry when ${known.node} first held it`;
      }
    }
  }

  private checkCommitted(s: RaftNode, seen: { commit: number }, nodes: readonly NodeView[]): void {
    const upTo = Math.min(s.commitIndex, s.log.length - 1);
    for (let i = seen.commit + 1; i <= upTo; i++) {
      const e = s.log[i];
      const known = this.committed.get(i);
      if (known !== undefined) {
        if (this.completenessViolation === undefined && (known.term !== e.term || known.cmd !== commandKey(e))) {
          this.completenessViolation = `index ${i} committed twice: ${known.node} has term ${known.term} ${known.cmd}, ${s.ctxId} has term ${e.term} ${commandKey(e)}`;
        }
        continue;
      }
      const c: Committed = { term: e.term, cmd: commandKey(e), upper: s.currentTerm, node: s.ctxId };
      this.committed.set(i, c);
      for (const v of nodes) {
        const l = v.state as RaftNode | undefined;
        if (l !== undefined && l.role === 'leader') this.checkLeaderHas(l, i, c);
      }
    }
    if (upTo > seen.commit) seen.commit = upTo;
  }

  private checkApplied(s: RaftNode, seen: { applied: number }): void {
    for (let i = seen.applied + 1; i <= s.lastApplied; i++) {
      const cmd = commandKey(s.log[i]);
      const known = this.applied.get(i);
      if (known === undefined) this.applied.set(i, { cmd, node: s.ctxId });
      else if (this.machineViolation === undefined && known.cmd !== cmd) {
        this.machineViolation = `index ${i} applied as ${known.cmd} at ${known.node} but as ${cmd} at ${s.ctxId}`;
      }
    }
    if (s.lastApplied > seen.applied) seen.applied = s.lastApplied;
  }
}

/** A leader everyone follows: up, unpaused, and a majority (itself included) in its term naming it. */
export function stableLeader(view: WorldView): true | string {
  const nodes = view.nodes;
  const majority = Math.floor(nodes.length / 2) + 1;
  for (const v of nodes) {
    const s = v.state as RaftNode | undefined;
    if (s === undefined || v.paused || s.role !== 'leader') continue;
    let followers = 0;
    for (const w of nodes) {
      const t = w.state as RaftNode | undefined;
      if (t !== undefined && !w.paused && t.currentTerm === s.currentTerm && t.leaderId === s.ctxId) followers++;
    }
    if (followers >= majority) return true;
  }
  return 'no leader followed by a majority';
}

/**
 * The observers of a Raft run: the four safety invariants (after every event) and, after the
 * final heal, that a leader followed by a majority emerges within `leaderWithinMs`.
 */
export function raftObservers(leaderWithinMs: number): CheckingObserver[] {
  const tracker = new RaftTracker();
  const invariant = (name: string, read: () => string | undefined): CheckingObserver => {
    const check = always<WorldView>(name, () => read() ?? true);
    return {
      observe(view, at) {
        tracker.update(view, at);
        check.observe(view, at);
      },
      result: () => check.result(),
    };
  };
  const leader = eventually<WorldView>('leader-after-heal', stableLeader, { withinMs: leaderWithinMs });
  return [
    invariant('election-safety', () => tracker.electionViolation),
    invariant('log-matching', () => tracker.matchingViolation),
    invariant('leader-completeness', () => tracker.completenessViolation),
    invariant('state-machine-safety', () => tracker.machineViolation),
    { observe: (view, at) => leader.observe(view, at), markHealed: (t) => leader.markHealed(t), result: () => leader.result() },
  ];
}
