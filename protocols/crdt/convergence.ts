import type { CheckerResult } from '../../checkers/index.ts';
import type { CheckingObserver, History, WorldView } from '../../src/index.ts';

/** What the convergence check needs to know of one CRDT. */
export interface ConvergenceSpec<S> {
  name: string;
  /** A node's replica state (undefined while the node is down). */
  stateOf(handlers: unknown): S | undefined;
  /** The value a read of this state returns (compared across replicas). */
  valueOf(state: S): unknown;
  /** Does this converged value agree with the acknowledged ops of the history? A string says why not. */
  agrees(value: unknown, history: History): true | string;
  /** How long after the last client update (or the heal) every replica must agree. */
  withinMs: number;
}

/**
 * Convergence after the heal, as a bounded-liveness property checked at every quiet moment:
 * whenever the cluster is healed, every node is up, no client update is in flight and none has
 * happened for `withinMs`, every replica must read the same value, and that value must agree with
 * the acknowledged ops of the history so far. Counts the moments it checked (a run whose clients
 * kept updating to the very end has none, and says so).
 *
 * @example
 * observers: () => [quietConvergence({ name: 'counter-converges', stateOf, valueOf, agrees, withinMs: 500 })]
 */
export function quietConvergence<S>(spec: ConvergenceSpec<S>): CheckingObserver {
  let healedAt: number | undefined;
  let checked = 0;
  let violation: { eventIndex: number; timeMs: number; message: string } | undefined;
  const pending = new Set<number>();
  let cursor = 0;
  let lastUpdateMs = -Infinity;
  let lastJudged = '';
  const checker = `converges(${spec.name})`;
  return {
    markHealed(timeMs) {
      healedAt = timeMs;
    },
    observe(view: WorldView, at) {
      for (; cursor < view.history.length; cursor++) {
        const r = view.history[cursor];
        if (r.f === 'read') continue;
        lastUpdateMs = Math.max(lastUpdateMs, r.time);
        if (r.type === 'invoke') pending.add(r.process);
        else pending.delete(r.process);
      }
      if (violation || healedAt === undefined || pending.size > 0) return;
      if (at.timeMs < Math.max(healedAt, lastUpdateMs) + spec.withinMs) return;
      if (view.nodes.some((n) => !n.up || n.paused)) return;
      checked++;
      const values = view.nodes.map((n) => spec.valueOf(spec.stateOf(n.state) as S));
      const first = JSON.stringify(values[0]);
      // Gossip keeps delivering after convergence: judge again only when something changed.
      const key = `${view.history.length}:${values.map((v) => JSON.stringify(v)).join('|')}`;
      if (key === lastJudged) return;
      lastJudged = key;
      const odd = values.findIndex((v) => JSON.stringify(v) !== first);
      let message: string | undefined;
      if (odd >= 0) message = `${view.nodes[0].id} reads ${first} but ${view.nodes[odd].id} reads ${JSON.stringify(values[odd])}, ${spec.withinMs}ms after the last update`;
      else {
        const ok = spec.agrees(values[0], view.history as History);
        if (ok !== true) message = `every replica reads ${first}, but ${ok}`;
      }
      if (message !== undefined) violation = { ...at, message };
    },
    result(): CheckerResult {
      if (violation) return { checker, verdict: 'illegal', summary: `event #${violation.eventIndex} at ${violation.timeMs}ms: ${violation.message}`, details: violation };
      if (checked === 0) return { checker, verdict: 'ok', summary: 'not exercised: clients kept updating until the run ended, so no quiet moment came', details: { checked } };
      return { checker, verdict: 'ok', summary: `every replica agreed, with the acknowledged ops, at all ${checked} quiet moments after the heal`, details: { checked } };
    },
  };
}
