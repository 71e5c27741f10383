/**
 * Maelstrom's error codes. A *definite* error means the operation certainly did not take effect,
 * so the client records `fail`; an *indefinite* one (timeout, crash, or a code we do not know)
 * means it may have, so the client records `info`. A read that changes nothing fails definitely
 * whatever the code, since a read that did not happen and one that happened unseen are the same.
 */

export interface ErrorCodeInfo {
  code: number;
  name: string;
  definite: boolean;
}

/** The documented codes. Codes of 1000 and above are for users' own errors (indefinite here). */
export const errorCodes: readonly ErrorCodeInfo[] = [
  { code: 0, name: 'timeout', definite: false },
  { code: 1, name: 'node-not-found', definite: true },
  { code: 10, name: 'not-supported', definite: true },
  { code: 11, name: 'temporarily-unavailable', definite: true },
  { code: 12, name: 'malformed-request', definite: true },
  { code: 13, name: 'crash', definite: false },
  { code: 14, name: 'abort', definite: true },
  { code: 20, name: 'key-does-not-exist', definite: true },
  { code: 21, name: 'key-already-exists', definite: true },
  { code: 22, name: 'precondition-failed', definite: true },
  { code: 30, name: 'txn-conflict', definite: true },
];

const byCode = new Map(errorCodes.map((e) => [e.code, e]));

/** Named codes, for building error bodies. */
export const ErrorCode = {
  timeout: 0,
  nodeNotFound: 1,
  notSupported: 10,
  temporarilyUnavailable: 11,
  malformedRequest: 12,
  crash: 13,
  abort: 14,
  keyDoesNotExist: 20,
  keyAlreadyExists: 21,
  preconditionFailed: 22,
  txnConflict: 30,
} as const;

/**
 * How a client records an `error` reply: `fail` (definitely did not happen) or `info` (unknown).
 *
 * @example
 * classifyError(20, false); // { type: 'fail', error: 'key-does-not-exist' }
 * classifyError(0, false);  // { type: 'info', error: 'timeout' }
 * classifyError(0, true);   // { type: 'fail', error: 'timeout' } (an idempotent read)
 */
export function classifyError(code: unknown, idempotent: boolean, text?: unknown): { type: 'fail' | 'info'; error: string } {
  const known = typeof code === 'number' ? byCode.get(code) : undefined;
  const name = known ? known.name : `error ${JSON.stringify(code)}`;
  const error = typeof text === 'string' && text.length > 0 ? `${name}: ${text.slice(0, 200)}` : name;
  return { type: known?.definite || idempotent ? 'fail' : 'info', error };
}

/**
 * An error body, as a node or a service sends it.
 *
 * @example
 * errorBody(4, ErrorCode.keyDoesNotExist, 'no such key'); // { type: 'error', in_reply_to: 4, code: 20, text: 'no such key' }
 */
export function errorBody(inReplyTo: number | undefined, code: number, text: string): Record<string, unknown> {
  return { type: 'error', in_reply_to: inReplyTo, code, text };
}
