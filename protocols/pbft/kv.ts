/** The replicated state machine: a string key-value store, and the request ids it has executed. */
import type { KvOp, StateSnapshot } from './messages.ts';

/** What one op returns to the client: a value, or a failed cas. */
export type KvResult = { ok: true; value?: string } | { ok: false };

/**
 * Applies `op` to `kv` (in place) and returns its result.
 *
 * @example
 * const kv = {}; applyOp(kv, { f: 'append', key: 'a', value: '1' }); applyOp(kv, { f: 'get', key: 'a', value: null }); // { ok: true, value: '1' }
 */
export function applyOp(kv: Record<string, string>, op: KvOp): KvResult {
  const now = kv[op.key] ?? '';
  switch (op.f) {
    case 'get':
      return { ok: true, value: now };
    case 'put':
      kv[op.key] = String(op.value);
      return { ok: true };
    case 'append':
      kv[op.key] = now + String(op.value);
      return { ok: true };
    case 'cas': {
      const [from, to] = op.value as [unknown, unknown];
      if (now !== String(from)) return { ok: false };
      kv[op.key] = String(to);
      return { ok: true };
    }
  }
}

export function emptyState(): StateSnapshot {
  return { kv: {}, done: {} };
}
