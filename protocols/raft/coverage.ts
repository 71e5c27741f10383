import type { WorldView } from '../../src/index.ts';
import type { RaftNode } from './raft.ts';

/**
 * Raft's abstract state for `--strategy coverage`: per node its role (or down), how its last log
 * term ranks among the nodes', whether it holds entries past its commit index, and whether a
 * leader's log lacks an entry of its own term (the situation Figure 8 of the Raft paper turns
 * on); then how many terms the live nodes are in and whether two logs end at the same index with
 * different terms. Bounded: ranks and flags, never raw terms or indexes.
 *
 * @example
 * raftCoverageKey(view); // 'F0 Lu0o Fx1 | terms 2 | conflict'
 */
export function raftCoverageKey(view: WorldView): string {
  const live = view.nodes.map((n) => (n.up ? (n.state as RaftNode | undefined) : undefined));
  const lastTerms = [...new Set(live.flatMap((s) => (s ? [s.lastTerm] : [])))].sort((a, b) => b - a);
  const nodes = live
    .map((s) => {
      if (s === undefined) return 'D';
      const uncommitted = s.lastIndex > s.commitIndex ? 'u' : '';
      const stale = s.role === 'leader' && s.lastTerm < s.currentTerm ? 'o' : '';
      return `${s.role[0].toUpperCase()}${lastTerms.indexOf(s.lastTerm)}${uncommitted}${stale}`;
    })
    .sort();
  const terms = new Set(live.flatMap((s) => (s ? [s.currentTerm] : []))).size;
  const ends = new Map<number, number>();
  let conflict = false;
  for (const s of live) {
    if (s === undefined || s.lastIndex === 0) continue;
    const t = ends.get(s.lastIndex);
    if (t !== undefined && t !== s.lastTerm) conflict = true;
    ends.set(s.lastIndex, s.lastTerm);
  }
  return `${nodes.join(' ')} | terms ${terms}${conflict ? ' | conflict' : ''}`;
}

