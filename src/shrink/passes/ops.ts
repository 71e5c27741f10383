/**
 * `ops`: removes client ops from the plan, in chunks down to single ones. An op's network
 * decisions go with it (the tape is keyed by op), and the next op of the same client keeps the
 * time it was invoked at, so the ops left keep their place relative to the faults, which are
 * fixed in time.
 */
import type { RunResult } from '../../run/run.ts';
import { withoutOps, type ExplicitInput } from '../input.ts';
import type { ShrinkPass } from '../pass.ts';
import { removeChunks } from '../search.ts';

export const removeOps: ShrinkPass = {
  name: 'ops',
  async run(ctx) {
    return removeChunks(ctx, {
      count: () => ctx.current().ops.length,
      without: (start, end) => keepingTimes(withoutOps(ctx.current(), start, end), ctx.current(), ctx.currentResult(), start, end),
      structural: true,
    });
  },
};

/** When each planned op was invoked and completed in a run (plan index -> virtual ms). */
interface OpTimes {
  invokeAt: Map<number, number>;
  completeAt: Map<number, number>;
}

/**
 * After removing planned ops [start, end) from `before`, stretches the think time of each client's
 * next remaining op so that it is still invoked when it was in `run`. A no-op where the history
 * lacks times.
 */
function keepingTimes(c: ExplicitInput, before: ExplicitInput, run: RunResult, start: number, end: number): ExplicitInput {
  const byClient = planIndicesByClient(before);
  const times = opTimes(run, byClient, before.options.clients);
  const removed = (i: number) => i >= start && i < end;
  const ops = c.ops.slice();
  for (const list of byClient.values()) {
    for (let j = 0; j < list.length; j++) {
      if (!removed(list[j])) continue;
      // The first op after this removed stretch of the client's ops, and the op before it.
      let next = j + 1;
      while (next < list.length && removed(list[next])) next++;
      if (next >= list.length) break;
      const prev = j - 1;
      const at = times.invokeAt.get(list[next]);
      const from = prev >= 0 ? times.completeAt.get(list[prev]) : 0;
      if (at !== undefined && from !== undefined && at >= from) {
        const k = list[next] >= end ? list[next] - (end - start) : list[next];
        ops[k] = { ...ops[k], thinkMs: at - from };
      }
      j = next - 1;
    }
  }
  return { ...c, ops };
}

/** Each client's planned ops, as indices into the plan, in the order the client runs them. */
function planIndicesByClient(input: ExplicitInput): Map<number, number[]> {
  const byClient = new Map<number, number[]>();
  input.ops.forEach((op, i) => {
    let list = byClient.get(op.client);
    if (list === undefined) byClient.set(op.client, (list = []));
    list.push(i);
  });
  return byClient;
}

/** Matches the history to the plan: a client's k-th invoke is its k-th planned op. */
function opTimes(run: RunResult, byClient: Map<number, number[]>, clients: number): OpTimes {
  const times: OpTimes = { invokeAt: new Map(), completeAt: new Map() };
  const seen = new Map<number, number>();
  const inFlight = new Map<number, number>();
  for (const h of run.sim.history) {
    const client = h.process % clients;
    if (h.type === 'invoke') {
      const k = seen.get(client) ?? 0;
      seen.set(client, k + 1);
      const planIndex = byClient.get(client)?.[k];
      if (planIndex === undefined) continue;
      times.invokeAt.set(planIndex, h.time);
      inFlight.set(client, planIndex);
    } else {
      const planIndex = inFlight.get(client);
      if (planIndex !== undefined) times.completeAt.set(planIndex, h.time);
    }
  }
  return times;
}
