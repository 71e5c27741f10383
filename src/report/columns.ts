/** Column layouts and codes of the rows a report embeds (shared by the builder and the viewer). */

/** Message row columns. */
export const M = { send: 0, from: 1, to: 2, end: 3, fate: 4, body: 5, id: 6, call: 7, flags: 8 } as const;
/** Message fates: what became of one copy. */
export const FATES = ['delivered', 'duplicate delivered', 'lost in the network', 'dropped: link cut', 'dropped: receiver down', 'in flight when the run ended'] as const;
/** Row flags. */
export const FLAG = { held: 1, past: 2, chain: 4, target: 8 } as const;
/** Point kinds (`points` rows: [timeMs, lane, kind, text, flags]). */
export const POINT_KINDS = ['log', 'timer', 'crash', 'restart', 'pause', 'resume'] as const;
/** Bar kinds (`bars` rows: [lane, startMs, endMs, kind, text]). */
export const BAR_KINDS = ['down', 'paused', 'clock', 'byzantine'] as const;
/** Band kinds (`bands` rows: [startMs, endMs, kind, text]). */
export const BAND_KINDS = ['partition', 'loss', 'dup', 'clog'] as const;
/** Op row columns; type codes index `OP_TYPES`. */
export const O = { index: 0, process: 1, lane: 2, node: 3, invoke: 4, end: 5, type: 6, f: 7, key: 8, value: 9, result: 10, error: 11, flags: 12, arrive: 13, reply: 14 } as const;
export const OP_TYPES = ['ok', 'fail', 'info', 'pending'] as const;

/** Most message rows a report embeds; longer runs show a window around the failure. */
export const MAX_MSG_ROWS = 30_000;
/** Most node events (logs, timers, ...) a report embeds. */
export const MAX_POINT_ROWS = 20_000;
/** A message body longer than this is cut (the report says so). */
export const MAX_BODY_CHARS = 2_000;
