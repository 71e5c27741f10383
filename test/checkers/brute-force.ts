import type { History } from '../../src/history/types.ts';
import type { Model } from '../../models/model.ts';
import { pairOps } from '../../checkers/ops.ts';

/**
 * The reference checker: tries every order of the ops that respects real-time order (an op
 * may go next only once every op that returned before its invoke is placed); ops that never
 * returned may also be left out. Exponential; for tiny histories only. No partitioning, no cache.
 */
export function bruteForceLinearizable(history: History, model: Model): boolean {
  const ops = pairOps(history)
    .filter((p) => p.outcome !== 'fail')
    .map((p) => {
      const info = p.outcome === 'info';
      const { input, output } = model.fromOp(p.invoke, info ? undefined : p.completion);
      return { input, output, info, call: p.callPos, ret: p.returnPos };
    });
  const n = ops.length;
  const placed = new Array<boolean>(n).fill(false);
  const go = (state: unknown, done: number): boolean => {
    if (ops.every((o, i) => placed[i] || o.info)) return true;
    for (let i = 0; i < n; i++) {
      if (placed[i]) continue;
      // Every unplaced op j that returned before i was invoked must come first.
      if (ops.some((o, j) => !placed[j] && j !== i && o.ret < ops[i].call)) continue;
      const next = model.step(state, ops[i].input, ops[i].output);
      if (next === undefined) continue;
      placed[i] = true;
      if (go(next, done + 1)) return true;
      placed[i] = false;
    }
    return false;
  };
  return go(model.init(), 0);
}
