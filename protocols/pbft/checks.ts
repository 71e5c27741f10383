/** PBFT's invariant: honest replicas agree on what they executed at every sequence number. */
import { always } from '../../checkers/index.ts';
import type { CheckingObserver, WorldView } from '../../src/index.ts';
import type { PbftNode } from './node.ts';

/**
 * Over the whole run, every honest replica that executed sequence number n executed the same
 * request there (or the null request). Replicas a Byzantine fault named are left out: they may
 * hold anything. Each replica's executions are read once (a cursor per incarnation).
 */
export function agreementAmongHonest(): CheckingObserver {
  const at = new Map<number, { rid: number; by: string }>();
  const cursor = new WeakMap<PbftNode, number>();
  const check = always<WorldView>('honest-replicas-agree', (view) => {
    for (const node of view.nodes) {
      const s = node.state as PbftNode | undefined;
      if (s === undefined || view.byzantine.includes(node.id)) continue;
      for (let i = cursor.get(s) ?? 0; i < s.executed.length; i++) {
        const e = s.executed[i];
        const prev = at.get(e.n);
        if (prev === undefined) at.set(e.n, { rid: e.rid, by: node.id });
        else if (prev.rid !== e.rid) return `${prev.by} executed ${name(prev.rid)} at sequence number ${e.n}, ${node.id} executed ${name(e.rid)} there`;
      }
      cursor.set(s, s.executed.length);
    }
    return true;
  });
  return { observe: (v, a) => check.observe(v, a), result: () => check.result() };
}

function name(rid: number): string {
  return rid < 0 ? 'the null request' : `request #${rid}`;
}
