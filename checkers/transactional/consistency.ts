/**
 * Consistency models and the anomalies each one forbids (after Adya, and Elle's naming). A model
 * is ruled out by any anomaly it forbids; stronger models forbid everything weaker ones do.
 */
import type { AnomalyType } from './anomaly.ts';

/** Read anomalies no model allows: the store returned something no execution could produce. */
const ALWAYS: AnomalyType[] = ['internal', 'duplicate-elements', 'incompatible-order', 'garbage-read'];
const RC: AnomalyType[] = [...ALWAYS, 'G0', 'G1a', 'G1b', 'G1c'];
const SI: AnomalyType[] = [...RC, 'lost-update', 'G-single'];
const SER: AnomalyType[] = [...SI, 'G2-item'];
const session = (base: AnomalyType[]) => [...base, ...cyclesOf(base).map((c) => `${c}-process` as AnomalyType)];
const strong = (base: AnomalyType[]) => [...session(base), ...cyclesOf(base).map((c) => `${c}-realtime` as AnomalyType)];

function cyclesOf(base: AnomalyType[]): ('G0' | 'G1c' | 'G-single' | 'G2-item')[] {
  return (['G0', 'G1c', 'G-single', 'G2-item'] as const).filter((c) => base.includes(c));
}

/** Every model the checker can judge, weakest first, with the anomalies it forbids. */
export const CONSISTENCY_MODELS: Record<string, AnomalyType[]> = {
  'read-uncommitted': [...ALWAYS, 'G0'],
  'read-committed': RC,
  'cursor-stability': [...RC, 'lost-update'],
  'repeatable-read': [...RC, 'lost-update', 'G-single', 'G2-item'],
  'snapshot-isolation': SI,
  serializable: SER,
  'strong-session-snapshot-isolation': session(SI),
  'strong-snapshot-isolation': strong(SI),
  'strong-session-serializable': session(SER),
  'strict-serializable': strong(SER),
};

export type ConsistencyModel = keyof typeof CONSISTENCY_MODELS;
export const consistencyModels: string[] = Object.keys(CONSISTENCY_MODELS);

/** The edge kinds beyond ww/wr/rw that judging `model` needs. */
export function extraEdgesFor(model: string): { process: boolean; realtime: boolean } {
  const forbids = CONSISTENCY_MODELS[model] ?? [];
  return { process: forbids.some((a) => a.endsWith('-process')), realtime: forbids.some((a) => a.endsWith('-realtime')) };
}
