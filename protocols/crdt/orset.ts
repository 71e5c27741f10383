import { pairOps, type CheckerResult } from '../../checkers/index.ts';
import { defineProtocol, type ClientOp, type ClientResult, type History, type NodeCtx, type Workload } from '../../src/index.ts';
import { quietConvergence } from './convergence.ts';
import { CrdtReplica, type CrdtType } from './replica.ts';

/**
 * A gossip-replicated add-wins observed-remove set (OR-set). Each add gives its element a fresh,
 * unique tag; a remove tombstones exactly the tags of that element its replica has observed, and
 * reports them to the client. An element is in the set while one of its tags is not tombstoned,
 * so an add concurrent with a remove (a tag the remover never saw) wins. Merge is the union of
 * tags and the union of tombstones.
 */
export interface OrSet {
  /** [element, tag] pairs, sorted by tag. */
  tags: Array<[number, string]>;
  /** Tombstoned tags, sorted. */
  removed: string[];
}

export type OrSetVariant = 'correct' | 'remove-drops-unobserved';

/** The elements present: those with a live tag, ascending. */
export function orSetElements(s: OrSet): number[] {
  const dead = new Set(s.removed);
  return [...new Set(s.tags.filter(([, t]) => !dead.has(t)).map(([e]) => e))].sort((a, b) => a - b);
}

/** Sorted union by key; returns `a` itself when `b` brings nothing new (the common case in gossip). */
function union<T>(a: T[], b: T[], key: (x: T) => string): T[] {
  const known = new Set(a.map(key));
  if (b.every((x) => known.has(key(x)))) return a;
  const m = new Map<string, T>();
  for (const x of a) m.set(key(x), x);
  for (const x of b) m.set(key(x), x);
  return [...m.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, v]) => v);
}

export function orSetType(variant: OrSetVariant): CrdtType<OrSet> {
  return {
    init: () => ({ tags: [], removed: [] }),
    update(s, op: ClientOp, self): { state: OrSet; result: ClientResult } {
      if (op.f === 'read') return { state: s, result: { type: 'ok', value: orSetElements(s) } };
      const e = op.value as number;
      if (op.f === 'add') {
        // Unique in the run: the node's name and the client op's id.
        const tag = `${self}.${op.id}`;
        return { state: { ...s, tags: union(s.tags, [[e, tag]], ([, t]) => t) }, result: { type: 'ok', value: tag } };
      }
      if (op.f === 'remove') {
        const dead = new Set(s.removed);
        const observed = s.tags.filter(([x, t]) => x === e && !dead.has(t)).map(([, t]) => t);
        return { state: { ...s, removed: union(s.removed, observed, (t) => t) }, result: { type: 'ok', value: observed } };
      }
      return { state: s, result: { type: 'fail', error: `unknown op ${op.f}` } };
    },
    merge(a, b) {
      const tags = union(a.tags, b.tags, ([, t]) => t);
      let removed = union(a.removed, b.removed, (t) => t);
      if (variant === 'remove-drops-unobserved') {
        // The bug: a remove that arrives by gossip is taken as "the element is gone", so every
        // tag of it this replica holds dies too, including adds the remover never observed.
        const known = new Set(a.removed);
        const elemOf = new Map(tags.map(([e, t]) => [t, e]));
        const hit = new Set(b.removed.filter((t) => !known.has(t) && elemOf.has(t)).map((t) => elemOf.get(t)!));
        removed = union(removed, a.tags.filter(([e]) => hit.has(e)).map(([, t]) => t), (t) => t);
      }
      return { tags, removed };
    },
  };
}

/** 30% reads, 40% adds, 30% removes, over four elements (so adds and removes of one element meet). */
export const orSetWorkload: Workload = (rng) => {
  const r = rng();
  const e = Math.floor(rng() * 4);
  if (r < 0.3) return { f: 'read', value: null };
  return r < 0.7 ? { f: 'add', value: e } : { f: 'remove', value: e };
};

/**
 * What the add-wins semantics allows for each element, from the history alone: an element must be
 * present if an acknowledged add's tag was tombstoned by no acknowledged remove (and no remove of
 * it has an unknown outcome); it may be present if only adds with unknown outcome (or removes
 * with unknown outcome) leave it open; otherwise it must be absent.
 */
export function allowedElements(history: History): { must: Set<number>; may: Set<number> } {
  const killed = new Set<string>();
  const unsureRemove = new Set<number>();
  const okTags: Array<[number, string]> = [];
  const unsureAdd = new Set<number>();
  for (const p of pairOps(history)) {
    const e = p.invoke.value as number;
    if (p.invoke.f === 'remove') {
      if (p.outcome === 'ok') for (const t of p.completion!.value as string[]) killed.add(t);
      else if (p.outcome === 'info') unsureRemove.add(e);
    } else if (p.invoke.f === 'add') {
      if (p.outcome === 'ok') okTags.push([e, p.completion!.value as string]);
      else if (p.outcome === 'info') unsureAdd.add(e);
    }
  }
  const must = new Set<number>();
  const may = new Set<number>(unsureAdd);
  for (const [e, t] of okTags) if (!killed.has(t)) (unsureRemove.has(e) ? may : must).add(e);
  return { must, may };
}

function agreesWithOps(value: unknown, history: History): true | string {
  const { must, may } = allowedElements(history);
  const got = new Set(value as number[]);
  const missing = [...must].filter((e) => !got.has(e));
  if (missing.length > 0) return `acknowledged adds of ${missing.join(', ')} were never observed by any acknowledged remove, so the set must hold them`;
  const extra = [...got].filter((e) => !must.has(e) && !may.has(e));
  if (extra.length > 0) return `${extra.join(', ')}: every acknowledged add of it was removed and no add of it is uncertain`;
  return true;
}

/**
 * On the history: no read shows an element no add invoked before it added. (Reads may be stale,
 * so agreement with the acknowledged ops is judged by the convergence observer at quiet moments.)
 */
function checkSetReads(history: History): CheckerResult {
  const checker = 'orset-reads';
  const addedBefore = new Set<number>();
  const pairs = pairOps(history);
  const adds = pairs.filter((p) => p.invoke.f === 'add' && p.outcome !== 'fail').sort((a, b) => a.callPos - b.callPos);
  const reads = pairs.filter((p) => p.invoke.f === 'read' && p.outcome === 'ok').sort((a, b) => a.returnPos - b.returnPos);
  let i = 0;
  for (const r of reads) {
    for (; i < adds.length && adds[i].callPos < r.returnPos; i++) addedBefore.add(adds[i].invoke.value as number);
    const phantom = (r.completion!.value as number[]).find((e) => !addedBefore.has(e));
    if (phantom !== undefined) return { checker, verdict: 'illegal', summary: `read #${r.completion!.index} on ${r.invoke.node} shows ${phantom}, which no add invoked before it added` };
  }
  return { checker, verdict: 'ok', summary: `all ${reads.length} reads show only added elements` };
}

export const crdtOrSet = defineProtocol({
  name: 'crdt-orset',
  description: 'gossip-replicated add-wins OR-set (unique tags, tombstones); every node answers locally, anti-entropy every 100ms',
  variants: {
    correct: { kind: 'correct', description: 'remove tombstones exactly the tags its replica observed; merge is the union of tags and tombstones' },
    'remove-drops-unobserved': { kind: 'bug', description: 'a gossiped remove kills every tag of the element at the receiver, including concurrent adds the remover never observed' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new CrdtReplica(ctx as NodeCtx<never>, orSetType(variant)),
  workload: orSetWorkload,
  checkers: () => [{ kind: 'custom', name: 'orset-reads', check: checkSetReads }],
  observers: () => [
    quietConvergence<OrSet>({
      name: 'crdt-orset',
      stateOf: (h) => (h as CrdtReplica<OrSet> | undefined)?.state,
      valueOf: orSetElements,
      agrees: agreesWithOps,
      withinMs: 500,
    }),
  ],
  liveness: { opsCompleteWithinMs: 500 },
  defaults: { quietMs: 1500 },
  minNodes: 1,
});
