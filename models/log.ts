import { ModelInputError, optionalResult, type Model } from './model.ts';
import { equalValue, hashValue, mix, showValue } from './value.ts';

export type LogInput = { f: 'append'; value: unknown } | { f: 'read' };
export interface LogState {
  readonly entries: readonly unknown[];
  /** Rolling hash of the entries, extended on append. */
  readonly h: number;
}

/**
 * An append-only log. `append v` may return the offset it was written at (a number different
 * from `v`, or `{offset: n}`: a reply that echoes `v`, as a plain `reply({type: 'ok'})` records,
 * carries no offset); `read` returns the whole log.
 *
 * @example
 * const m = logModel();
 * const s = m.step(m.init(), { f: 'append', value: 'a' }, 0)!;
 * m.step(s, { f: 'read' }, ['a']) !== undefined; // true
 */
export function logModel(): Model<LogState, LogInput, unknown> {
  return {
    name: 'log',
    init: () => ({ entries: [], h: 0 }),
    step(s, input, output) {
      if (input.f === 'append') {
        if (typeof output === 'number' && output !== s.entries.length) return undefined;
        return { entries: [...s.entries, input.value], h: (mix(s.h ^ hashValue(input.value)) + 0x9e3779b9) | 0 };
      }
      return output === undefined || equalValue(s.entries, output) ? s : undefined;
    },
    equal: (a, b) => a === b || (a.h === b.h && equalValue(a.entries, b.entries)),
    hash: (s) => s.h,
    fromOp(inv, done) {
      if (inv.f === 'append') {
        // The offset is what the append returned; an echo of the appended value is no offset.
        const off = optionalResult(inv, done);
        if (off !== undefined && typeof off !== 'number' && !isOffsetObject(off))
          throw new ModelInputError(`log append returns its offset (a number or {offset: n}) or nothing, got ${showValue(off)}`);
        const offset = typeof off === 'number' ? off : isOffsetObject(off) ? off.offset : undefined;
        return { input: { f: 'append', value: inv.value }, output: done ? (offset ?? true) : undefined };
      }
      if (inv.f === 'read') {
        if (!done) return { input: { f: 'read' }, output: undefined };
        if (!Array.isArray(done.value)) throw new ModelInputError(`log read returns the log as an array, got ${showValue(done.value)}`);
        return { input: { f: 'read' }, output: done.value };
      }
      throw new ModelInputError(`unknown op f=${JSON.stringify(inv.f)} for log (expected append, read)`);
    },
    readOnly: (input) => input.f === 'read',
    describeOp: (input, output) => (input.f === 'append' ? `append ${showValue(input.value)}${typeof output === 'number' ? ` @${output}` : ''}` : `read -> ${showValue(output)}`),
    describeState: (s) => showValue(s.entries),
  };
}

function isOffsetObject(v: unknown): v is { offset: number } {
  return typeof v === 'object' && v !== null && typeof (v as { offset?: unknown }).offset === 'number';
}
