import type { CheckerResult } from '../../checkers/index.ts';
import type { CheckingObserver, EventAt, WorldView } from '../../src/index.ts';

/**
 * Liveness of a broadcast, with a deadline per message: every message (acknowledged to a client,
 * or delivered by any node) must be delivered by every node within `withinMs` of the later of the
 * final heal and the moment it was first seen. A deadline per message, rather than one instant
 * where every node has delivered everything, stays honest while the workload goes on after the
 * heal: on a slow network some message is always in flight.
 *
 * `deliveredOf` reads a node's delivered messages (each with its id) from its state (undefined: not a node of ours).
 *
 * @example
 * observers: () => [deliveredEverywhere(1000, (s) => (s instanceof MyNode ? s.delivered : undefined))]
 */
export function deliveredEverywhere(withinMs: number, deliveredOf: (state: unknown) => readonly { id: string }[] | undefined): CheckingObserver {
  const name = 'eventually(delivered-everywhere)';
  const seenAt = new Map<string, number>();
  /** Per node: when each message was (last) delivered there. */
  const deliveredAt = new Map<string, Map<string, number>>();
  const cursor = new WeakMap<object, number>();
  let historyCursor = 0;
  let healedAt: number | undefined;
  let resetDone = false;
  let lastMs = -Infinity;

  function observeNode(id: string, state: object, ms: readonly { id: string }[], at: EventAt): void {
    let mine = deliveredAt.get(id);
    if (mine === undefined) deliveredAt.set(id, (mine = new Map()));
    for (let i = cursor.get(state) ?? 0; i < ms.length; i++) {
      mine.set(ms[i].id, at.timeMs);
      if (!seenAt.has(ms[i].id)) seenAt.set(ms[i].id, at.timeMs);
    }
    cursor.set(state, ms.length);
  }

  /** At the heal, a node's record becomes exactly what it holds then (a crash may have taken some away). */
  function resetAtHeal(view: WorldView, at: EventAt): void {
    for (const n of view.nodes) {
      const ids = n.up && n.state !== undefined ? deliveredOf(n.state) : undefined;
      deliveredAt.set(n.id, new Map((ids ?? []).map((x) => [x.id, at.timeMs])));
    }
    resetDone = true;
  }

  return {
    markHealed(timeMs) {
      healedAt = timeMs;
    },
    observe(view, at) {
      lastMs = Math.max(lastMs, at.timeMs);
      for (; historyCursor < view.history.length; historyCursor++) {
        const h = view.history[historyCursor];
        if (h.type === 'ok' && h.f === 'bcast' && typeof h.value === 'string' && !seenAt.has(h.value)) seenAt.set(h.value, h.time);
      }
      if (healedAt !== undefined && !resetDone && at.timeMs >= healedAt) resetAtHeal(view, at);
      for (const n of view.nodes) {
        const ids = n.up && n.state !== undefined ? deliveredOf(n.state) : undefined;
        if (ids !== undefined) observeNode(n.id, n.state as object, ids, at);
      }
    },
    result(): CheckerResult {
      if (healedAt === undefined) return { checker: name, verdict: 'unknown', summary: 'the run never healed, so liveness was not exercised' };
      let checked = 0;
      for (const [msg, seen] of seenAt) {
        const deadline = Math.max(seen, healedAt) + withinMs;
        if (deadline > lastMs) continue;
        checked++;
        for (const [node, mine] of deliveredAt) {
          const t = mine.get(msg);
          if (t === undefined || t > deadline) {
            return { checker: name, verdict: 'illegal', summary: `${node} had not delivered ${msg} by ${deadline}ms (${withinMs}ms after ${seen > healedAt ? `it was first seen at ${seen}ms` : `the heal at ${healedAt}ms`})` };
          }
        }
      }
      return { checker: name, verdict: 'ok', summary: `each of ${checked} messages reached every node within ${withinMs}ms of the heal or of its broadcast` };
    },
  };
}
