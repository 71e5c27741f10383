/**
 * What the Byzantine fault kinds (`equivocate`, `corrupt`, `replay`, `silent`) share: the choice of
 * the at most `f` nodes that misbehave in a run, the check that a plan keeps to them, and the seed
 * field each kind draws its own misbehaviour from (so removing another fault while shrinking does
 * not change what this one does).
 *
 * @example
 * byzantineNodes(faults); // ['n3']: every node a Byzantine fault of the plan names
 */
import { intBelow, type Rng } from '../kernel/rng.ts';
import type { NodeId } from '../node/api.ts';

/** Largest seed a Byzantine fault carries (an unsigned 32-bit integer). */
export const MAX_FAULT_SEED = 0xffff_ffff;

/** The kinds that make a node Byzantine; the fault table marks them with `byzantine: true`. */
export const byzantineKindNames = ['equivocate', 'corrupt', 'replay', 'silent'] as const;
export type ByzantineKindName = (typeof byzantineKindNames)[number];

/** Whether `kind` names a Byzantine fault kind. */
export function isByzantineKind(kind: string): kind is ByzantineKindName {
  return (byzantineKindNames as readonly string[]).includes(kind);
}

/**
 * The default most-Byzantine-nodes of a cluster of `nodes`: the largest f with nodes >= 3f + 1.
 *
 * @example
 * defaultByzantineF(4); // 1
 * defaultByzantineF(7); // 2
 */
export function defaultByzantineF(nodes: number): number {
  return Math.max(0, Math.floor((nodes - 1) / 3));
}

/** Draws the (at most `f`) Byzantine nodes of a run, in cluster order. */
export function chooseByzantine(rng: Rng, nodes: readonly NodeId[], f: number): NodeId[] {
  const pool = nodes.slice();
  const chosen = new Set<NodeId>();
  for (let i = 0; i < Math.min(f, pool.length); i++) {
    const j = i + intBelow(rng, pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
    chosen.add(pool[i]);
  }
  return nodes.filter((n) => chosen.has(n));
}

/**
 * Every node a Byzantine fault of the plan names, in id order: the nodes whose state and replies
 * checks must not trust for the whole run (a node that misbehaved once may hold anything after).
 */
export function byzantineNodes(faults: ReadonlyArray<{ kind: string; node?: NodeId }>): NodeId[] {
  const out = new Set<NodeId>();
  for (const f of faults) if (isByzantineKind(f.kind) && typeof f.node === 'string') out.add(f.node);
  return [...out].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The problem with a plan's Byzantine faults as one line, or undefined: a protocol that did not
 * opt in (`byzantine` on defineProtocol) gets none, one that did gets at most `f` distinct nodes.
 *
 * @example
 * byzantinePlanProblem([{ kind: 'silent', node: 'n1' }, { kind: 'silent', node: 'n2' }], 1); // 'Byzantine faults name 2 nodes (n1, n2), more than f = 1'
 */
export function byzantinePlanProblem(faults: ReadonlyArray<{ kind: string; node?: NodeId }>, f: number | undefined): string | undefined {
  const nodes = byzantineNodes(faults);
  if (nodes.length === 0) return undefined;
  if (f === undefined) return `Byzantine faults (${[...new Set(faults.filter((x) => isByzantineKind(x.kind)).map((x) => x.kind))].join(', ')}) need a protocol that opts in with 'byzantine' on defineProtocol`;
  if (nodes.length > f) return `Byzantine faults name ${nodes.length} nodes (${nodes.join(', ')}), more than f = ${f}`;
  return undefined;
}

/** Draws a fault's own seed. */
export function drawSeed(rng: Rng): number {
  return Math.floor(rng() * (MAX_FAULT_SEED + 1));
}

export function seedProblem(x: Record<string, unknown>): string | undefined {
  const v = x.seed;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_FAULT_SEED ? undefined : `seed must be a whole number from 0 to ${MAX_FAULT_SEED}`;
}

/** The Byzantine node a fault of this kind starts on: one of the run's chosen ones. */
export function pickByzantine(rng: Rng, byzantine: readonly NodeId[]): NodeId {
  if (byzantine.length === 0) throw new Error('assertion failed: a Byzantine fault generated without Byzantine nodes');
  return byzantine[intBelow(rng, byzantine.length)];
}
