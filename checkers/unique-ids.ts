/** Jepsen's unique-ids checker: no id handed out twice. */
import type { History } from '../src/history/types.ts';
import { showValue, valueKey } from '../models/value.ts';
import { pairOps } from './ops.ts';
import type { CheckerResult } from './result.ts';

/**
 * Every acknowledged `generate` op must return a distinct value.
 *
 * @example
 * checkUniqueIds(history).details; // { duplicated: [{ value: 7, count: 2 }], generated: 100 }
 */
export function checkUniqueIds(history: History): CheckerResult {
  const counts = new Map<string, { value: unknown; count: number }>();
  let generated = 0;
  for (const p of pairOps(history)) {
    if (p.outcome !== 'ok' || p.invoke.f !== 'generate') continue;
    generated++;
    const k = valueKey(p.completion!.value);
    const c = counts.get(k);
    if (c) c.count++;
    else counts.set(k, { value: p.completion!.value, count: 1 });
  }
  const duplicated = [...counts.values()].filter((c) => c.count > 1);
  if (duplicated.length)
    return { checker: 'unique-ids', verdict: 'illegal', summary: `${duplicated.length} id(s) handed out more than once (e.g. ${showValue(duplicated[0].value)} x${duplicated[0].count})`, details: { duplicated, generated } };
  return { checker: 'unique-ids', verdict: 'ok', summary: `${generated} ids, all distinct`, details: { duplicated, generated } };
}
