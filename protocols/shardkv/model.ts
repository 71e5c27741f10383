import { kvModel, type Model } from '../../models/index.ts';
import type { KvInput, KvState } from '../../models/kv.ts';

/** An operator's "move the shard of this key elsewhere": changes no key's value. */
export interface MoveInput {
  f: 'move';
  key: string;
}

/**
 * The key-value model, plus the admin op `move` (a reconfiguration request), which must leave
 * every value as it was: it steps to the same state, in the partition of the key it names, so a
 * move never hides or excuses a lost or stale value.
 *
 * @example
 * const m = shardKvModel();
 * m.step(m.init(), { f: 'move', key: 'a' }, undefined) === m.init(); // true
 */
export function shardKvModel(): Model<KvState, KvInput | MoveInput, unknown> {
  const kv = kvModel();
  return {
    ...kv,
    step: (s, input, output) => (input.f === 'move' ? s : kv.step(s, input, output)),
    fromOp(inv, done) {
      if (inv.f === 'move') return { input: { f: 'move', key: String(inv.key) }, output: undefined };
      return kv.fromOp(inv, done);
    },
    partition: (input) => input.key,
    readOnly: (input) => input.f === 'move' || kv.readOnly!(input),
    describeOp: (input, output) => (input.f === 'move' ? `move the shard of ${input.key}` : kv.describeOp(input, output)),
  };
}
