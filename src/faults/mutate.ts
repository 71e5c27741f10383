/**
 * The generic message mutator of the `corrupt` fault: one deterministic change to a plain JSON
 * value, drawn from the fault's stream. It knows nothing of the protocol, so it makes the changes
 * a confused or malicious sender makes to any message: a number off by a little or a lot, a
 * flipped flag, a string swapped, a list element dropped or repeated, a field removed.
 */
import { clonePlain } from '../kernel/clone.ts';
import { intBelow, type Rng } from '../kernel/rng.ts';
import type { NodeId } from '../node/api.ts';

/** What a mutator knows about the message it changes. */
export interface MutationInfo {
  from: NodeId;
  to: NodeId;
}

/**
 * Changes one outgoing message of a corrupt node; returns the message to send instead (plain data).
 * Draw every choice from `rng`, never from anywhere else, so a replay corrupts the same way.
 */
export type Mutator = (msg: unknown, rng: Rng, info: MutationInfo) => unknown;

/** How many values of a message the mutator looks at, at most (a bound on its walk). */
const MAX_VISITED = 1000;

interface Slot {
  /** The container holding the value, and its key; the root has none. */
  parent?: Record<string, unknown> | unknown[];
  key?: string | number;
  value: unknown;
}

/**
 * Mutates one value somewhere in `msg` (a copy: `msg` itself is not changed).
 *
 * @example
 * mutateJson({ type: 'vote', term: 3, granted: true }, stream(1, 'x')); // e.g. { type: 'vote', term: 4, granted: true }
 */
export function mutateJson(msg: unknown, rng: Rng): unknown {
  const root: { value: unknown } = { value: clonePlain(msg) };
  const slots = collect(root.value);
  const slot = slots[intBelow(rng, slots.length)];
  const changed = change(slot.value, rng);
  if (slot.parent === undefined) return changed === REMOVE ? null : changed;
  if (Array.isArray(slot.parent)) {
    const i = slot.key as number;
    if (changed === REMOVE) slot.parent.splice(i, 1);
    else slot.parent[i] = changed;
  } else if (changed === REMOVE) {
    delete slot.parent[slot.key as string];
  } else {
    slot.parent[slot.key as string] = changed;
  }
  return root.value;
}

const REMOVE = Symbol('remove');

/** Every value of the message, the root first, breadth first, at most MAX_VISITED. */
function collect(root: unknown): Slot[] {
  const out: Slot[] = [{ value: root }];
  for (let i = 0; i < out.length && out.length < MAX_VISITED; i++) {
    const v = out[i].value;
    if (Array.isArray(v)) v.forEach((x, k) => out.push({ parent: v, key: k, value: x }));
    else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) out.push({ parent: v as Record<string, unknown>, key: k, value: (v as Record<string, unknown>)[k] });
    }
  }
  return out.slice(0, MAX_VISITED);
}

function change(v: unknown, rng: Rng): unknown {
  if (typeof v === 'number') {
    const pick = intBelow(rng, 4);
    if (pick === 0) return v + 1;
    if (pick === 1) return v - 1;
    if (pick === 2) return v + 1 + intBelow(rng, 100);
    return 0;
  }
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'string') return intBelow(rng, 2) === 0 ? `${v}'` : '';
  if (v === null) return 0;
  if (Array.isArray(v)) {
    if (v.length === 0) return [0];
    const i = intBelow(rng, v.length);
    return intBelow(rng, 2) === 0 ? [...v.slice(0, i), ...v.slice(i + 1)] : [...v.slice(0, i + 1), v[i], ...v.slice(i + 1)];
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v as object);
    if (keys.length === 0) return null;
    const k = keys[intBelow(rng, keys.length)];
    const { [k]: _dropped, ...rest } = v as Record<string, unknown>;
    return rest;
  }
  return REMOVE;
}
