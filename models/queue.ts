import { ModelInputError, type Model } from './model.ts';
import { equalValue, hashValue, mix, showValue } from './value.ts';

export type QueueInput = { f: 'enqueue'; value: unknown } | { f: 'dequeue' };

/**
 * A FIFO queue. `enqueue v`; `dequeue` returns the head, or `null` when the queue is empty.
 *
 * @example
 * const m = queueModel();
 * const s = m.step(m.init(), { f: 'enqueue', value: 1 }, true)!;
 * m.step(s, { f: 'dequeue' }, 1); // []
 */
export function queueModel(): Model<readonly unknown[], QueueInput, unknown> {
  return {
    name: 'queue',
    init: () => [],
    step(s, input, output) {
      if (input.f === 'enqueue') return [...s, input.value];
      if (s.length === 0) return output === undefined || output === null ? s : undefined;
      return output === undefined || equalValue(s[0], output) ? s.slice(1) : undefined;
    },
    equal: equalValue,
    hash(s) {
      let h = s.length;
      for (const x of s) h = mix(h ^ hashValue(x)) + 0x9e3779b9;
      return h | 0;
    },
    fromOp(inv, done) {
      if (inv.f === 'enqueue') return { input: { f: 'enqueue', value: inv.value === undefined ? null : inv.value }, output: done ? true : undefined };
      if (inv.f === 'dequeue') return { input: { f: 'dequeue' }, output: done ? (done.value === undefined ? null : done.value) : undefined };
      throw new ModelInputError(`unknown op f=${JSON.stringify(inv.f)} for queue (expected enqueue, dequeue)`);
    },
    describeOp: (input, output) => (input.f === 'enqueue' ? `enqueue ${showValue(input.value)}` : `dequeue -> ${showValue(output)}`),
    describeState: (s) => showValue(s),
  };
}
