/**
 * Why a run failed, in words: each failing check, and for a linearizability violation the longest
 * order the ops can be explained in and the op that cannot be placed after it.
 */
import type { LinearizabilityResult, OpRef } from '../../checkers/linearizability.ts';
import type { CheckerResult } from '../../checkers/result.ts';

/** Orders longer than this are shown by their first and last ops. */
const MAX_ORDER_SHOWN = 12;

/**
 * The explanation lines of a run's checks; `lineOfOp` maps a history index to its story line.
 *
 * @example
 * explain(r.checks).join('\n'); // 'VIOLATION linearizable(register) (illegal): ...'
 */
export function explain(checks: readonly CheckerResult[], lineOfOp: ReadonlyMap<number, number> = new Map()): string[] {
  const failing = checks.filter((c) => c.verdict !== 'ok');
  if (failing.length === 0) return ['Every check held.'];
  const ref = (op: OpRef) => `op #${op.index} (${op.description}, process ${op.process}${lineOfOp.has(op.index) ? `, step ${lineOfOp.get(op.index)}` : ''})`;
  const out: string[] = [];
  for (const c of failing) {
    out.push(`VIOLATION ${c.checker} (${c.verdict}): ${c.summary}`);
    const ce = linearizabilityOf(c)?.counterexamples?.[0];
    if (!ce) continue;
    const p = ce.prefixes[0];
    if (p) {
      const order = p.ops.map((x) => `#${x.index} ${x.description}`);
      const shown = order.length > MAX_ORDER_SHOWN ? [...order.slice(0, 4), '...', ...order.slice(-7)] : order;
      out.push(`  The longest order the ops can be explained in${ce.partition !== null ? ` (key ${ce.partition})` : ''}: ${shown.join(', ') || '(none)'}`);
      out.push(`  reaches state ${p.state}.`);
    }
    if (ce.op) out.push(`  From there ${ref(ce.op)} cannot be placed: no order of the ops agrees with what the clients saw.`);
  }
  return out;
}

/** The linearizability details of a check result, when it has a counterexample. */
export function linearizabilityOf(c: CheckerResult): Partial<LinearizabilityResult> | undefined {
  const d = c.details as Partial<LinearizabilityResult> | undefined;
  return d !== null && typeof d === 'object' && Array.isArray(d.counterexamples) ? d : undefined;
}
