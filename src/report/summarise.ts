/**
 * One-line renderings of message bodies and client values for the story. The envelope (recorded
 * by the simulator) says whether a message is a call or its answer; the body's shape is never
 * consulted for that, so a user message that happens to have `callId` and `body` fields is shown
 * as the plain message it is.
 */
import type { Envelope } from '../sim/trace.ts';

/** Longest rendering of one body, in characters. */
export const MAX_BODY_CHARS = 72;

/**
 * A compact one-line rendering of a value: keys unquoted, capped at `max` characters.
 *
 * @example
 * summarise({ type: 'get', key: 'a' }); // '{type:get,key:a}'
 */
export function summarise(value: unknown, max = MAX_BODY_CHARS): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  text = text.replace(/"([A-Za-z_$][\w$]*)":/g, '$1:').replace(/"([\w.\-]*)"/g, '$1');
  return text.length > max ? text.slice(0, max - 3) + '...' : text;
}

/**
 * A message as the story shows it: `call#3 {...}` for a `ctx.call` request, `reply#3 ...` for its
 * answer, the bare body for a plain message.
 *
 * @example
 * describeMessage({ msgId: 1, from: 'n1', to: 'n2', type: 'call', callId: 3 }, { type: 'get' }); // 'call#3 {type:get}'
 */
export function describeMessage(envelope: Envelope | undefined, body: unknown): string {
  const text = summarise(body);
  if (envelope?.type === 'call') return `call#${envelope.callId} ${text}`;
  if (envelope?.type === 'reply') return `reply#${envelope.callId} ${text}`;
  return text;
}
