/**
 * The Maelstrom wire protocol: one JSON envelope per line, `{src, dest, body}`; bodies carry a
 * `type`, an optional `msg_id` and, for replies, `in_reply_to`. Node ids are `n0..n{N-1}`, clients
 * `c1, c2, ...` (Faultline uses `c0` for its own setup messages: `init`, `topology`).
 * Written from the protocol's documented semantics; parsing never throws, it names what is wrong.
 */

/** A message body: at least a `type`. */
export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

/** One line of the protocol. */
export interface Envelope {
  src: string;
  dest: string;
  body: Body;
}

/** Either a parsed envelope, or what is wrong with the line. */
export type ParseResult = { ok: true; env: Envelope } | { ok: false; problem: string };

/** Longest line we accept from a node; longer is reported, not parsed (a runaway print). */
export const MAX_LINE_CHARS = 1_000_000;

/**
 * Parses one line of a node's stdout into an envelope, or says what is wrong with it.
 *
 * @example
 * parseLine('{"src":"n0","dest":"c1","body":{"type":"echo_ok","in_reply_to":1}}'); // { ok: true, env }
 * parseLine('hello'); // { ok: false, problem: 'not JSON: ...' }
 */
export function parseLine(line: string): ParseResult {
  if (line.length > MAX_LINE_CHARS) return { ok: false, problem: `line of ${line.length} chars exceeds ${MAX_LINE_CHARS}` };
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return { ok: false, problem: `not JSON: ${(e as Error).message}` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, problem: 'not a JSON object {src, dest, body}' };
  const o = v as Record<string, unknown>;
  if (typeof o.src !== 'string') return { ok: false, problem: 'missing string field "src"' };
  if (typeof o.dest !== 'string') return { ok: false, problem: 'missing string field "dest"' };
  const body = o.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, problem: 'missing object field "body"' };
  const b = body as Record<string, unknown>;
  if (typeof b.type !== 'string') return { ok: false, problem: 'body has no string "type"' };
  for (const f of ['msg_id', 'in_reply_to'] as const) {
    if (b[f] !== undefined && !Number.isInteger(b[f])) return { ok: false, problem: `body.${f} must be an integer, got ${JSON.stringify(b[f])}` };
  }
  return { ok: true, env: { src: o.src, dest: o.dest, body: b as Body } };
}

/**
 * The client id Faultline uses for a history process: process 0 is `c1`.
 *
 * @example
 * clientIdOf(0); // 'c1'
 */
export function clientIdOf(process: number): string {
  return `c${process + 1}`;
}

/**
 * Whether `id` names a client (`c` followed by digits).
 *
 * @example
 * isClientId('c12'); // true
 */
export function isClientId(id: string): boolean {
  return /^c\d+$/.test(id);
}

/**
 * Whether `id` names a node (`n` followed by digits).
 *
 * @example
 * isNodeId('n3'); // true
 */
export function isNodeId(id: string): boolean {
  return /^n\d+$/.test(id);
}
