/**
 * History readers and writers: Jepsen/Knossos EDN, Porcupine's etcd logs and kv files, and
 * Faultline's JSON Lines. Every reader returns the source line of each record so errors can
 * point at it; nothing read is ever evaluated.
 */
import type { History, HistoryOp, OpType } from '../../src/history/types.ts';
import { HistoryError } from '../history-error.ts';
import { EdnSyntaxError, Keyword, Tagged, ednToPlain, parseEdn, parseEdnForms, writeEdn, type EdnValue } from './edn.ts';

export { parseEdn, parseEdnForms, ednToPlain, writeEdn, Keyword, EdnSyntaxError } from './edn.ts';

export type HistoryFormat = 'jepsen-edn' | 'porcupine-etcd' | 'porcupine-kv' | 'jsonl';
export const historyFormats: HistoryFormat[] = ['jepsen-edn', 'porcupine-etcd', 'porcupine-kv', 'jsonl'];

export interface ReadResult {
  history: History;
  format: HistoryFormat;
  /** 1-based source line of each record (parallel to `history`). */
  lines: number[];
  /** What the format implies when the user does not say: model name and initial value. */
  defaults: { model?: string; initial?: unknown };
  /** What was tolerated, e.g. a trailing partial line left by a writer that was killed. */
  warnings?: string[];
}

/**
 * Splits text into lines, accepting LF and CRLF ends. A last line with no newline after it that
 * cannot be a whole record (it does not end with `}` or `]`) is a partial write: it is dropped
 * and named in `warnings`, so a history cut mid-record still reads.
 */
function splitLines(text: string, warnings: string[]): string[] {
  const lines = text.split(/\r?\n/);
  const last = lines[lines.length - 1];
  const t = last.trim();
  if (!text.endsWith('\n') && t !== '' && lines.length > 1 && !/[}\]]$/.test(t) && !ETCD_LINE.test(last)) {
    warnings.push(`line ${lines.length}: ignored a trailing partial line (${t.length > 40 ? `${t.slice(0, 37)}...` : t})`);
    lines[lines.length - 1] = '';
  }
  return lines;
}

// Jepsen's logger separated the fields by tabs in some logs and by runs of spaces in others.
const ETCD_LINE = /jepsen\.util\s+-\s+(\d+)\s+(:[\w-]+)\s+(:[\w-]+)\s+(.*?)\s*$/;

/**
 * Guesses the format from the text's first records; `undefined` if it matches none.
 *
 * @example
 * detectFormat('{"index":0,"time":0,"type":"invoke","process":0,"f":"read","value":null}'); // 'jsonl'
 */
export function detectFormat(text: string): HistoryFormat | undefined {
  const lines = text.split(/\r?\n/, 200);
  if (lines.some((l) => ETCD_LINE.test(l))) return 'porcupine-etcd';
  const first = lines.map((l) => l.trim()).find((l) => l !== '' && !l.startsWith(';'));
  if (first === undefined) return undefined;
  if (/^\{\s*"/.test(first)) return 'jsonl';
  // Newer Jepsen writes each op as a tagged record: #jepsen.history.Op{:index 0, ...}.
  if (/^#[A-Za-z][\w.-]*\{/.test(first)) return 'jepsen-edn';
  if (/^[[({]/.test(first)) {
    // Porcupine's kv files are EDN maps with a :key and no :time/:index.
    if (/^\{.*:key\s/.test(first) && !/:time\s|:index\s/.test(first)) return 'porcupine-kv';
    return 'jepsen-edn';
  }
  return undefined;
}

/**
 * Reads a history in the given format (detected when omitted). Throws HistoryError naming the
 * file and line for anything unreadable.
 *
 * @example
 * const { history, format, defaults } = readHistory(fs.readFileSync(f, 'utf8'), undefined, f);
 */
export function readHistory(text: string, format?: HistoryFormat, fileName?: string): ReadResult {
  const fmt = format ?? detectFormat(text);
  if (!fmt) throw new HistoryError(`cannot tell the history format (use --format ${historyFormats.join('|')})`, { file: fileName, line: 1 });
  switch (fmt) {
    case 'jsonl':
      return readJsonLines(text, fileName);
    case 'porcupine-etcd':
      return readEtcdLog(text, fileName);
    case 'jepsen-edn':
    case 'porcupine-kv':
      return readEdnHistory(text, fmt, fileName);
    default:
      throw new HistoryError(`unknown format ${JSON.stringify(fmt)} (valid: ${historyFormats.join(', ')})`, { file: fileName });
  }
}

/** JSON values nested deeper than this are bad input, as in EDN: checkers walk values recursively. */
const MAX_JSON_DEPTH = 500;

/** Whether a parsed JSON value nests deeper than `max`; iterative, so any depth costs no stack. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (x !== null && typeof x === 'object') stack.push([x, depth + 1]);
  }
  return false;
}

function readJsonLines(text: string, file?: string): ReadResult {
  const history: History = [];
  const lines: number[] = [];
  const warnings: string[] = [];
  const src = splitLines(text, warnings);
  for (let i = 0; i < src.length; i++) {
    const t = src[i].trim();
    if (t === '') continue;
    let rec: unknown;
    try {
      rec = JSON.parse(t);
    } catch (e) {
      throw new HistoryError(`not valid JSON: ${(e as Error).message}`, { file, line: i + 1, record: t });
    }
    if (nestedDeeperThan(rec, MAX_JSON_DEPTH)) {
      throw new HistoryError(`a value nested deeper than ${MAX_JSON_DEPTH} levels (a history record holds plain op values)`, { file, line: i + 1, record: t });
    }
    history.push(checkRecord(rec, history.length, { file, line: i + 1 }));
    lines.push(i + 1);
  }
  return { history, format: 'jsonl', lines, defaults: {}, ...(warnings.length ? { warnings } : {}) };
}

/** Validates the fields a HistoryOp must have; fills `index`/`time` with the position when absent. */
function checkRecord(rec: unknown, pos: number, at: { file?: string; line: number }): HistoryOp {
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) throw new HistoryError('a history record must be an object', { ...at, record: rec });
  const r = rec as Record<string, unknown>;
  if (r.type !== 'invoke' && r.type !== 'ok' && r.type !== 'fail' && r.type !== 'info')
    throw new HistoryError(`unknown op type ${JSON.stringify(r.type)} (expected invoke, ok, fail or info)`, { ...at, record: rec });
  if (typeof r.process !== 'number' || !Number.isInteger(r.process)) throw new HistoryError(`process must be an integer, got ${JSON.stringify(r.process)}`, { ...at, record: rec });
  if (typeof r.f !== 'string') throw new HistoryError(`f must be a string, got ${JSON.stringify(r.f)}`, { ...at, record: rec });
  const op: HistoryOp = {
    index: typeof r.index === 'number' ? r.index : pos,
    time: typeof r.time === 'number' ? r.time : pos,
    type: r.type,
    process: r.process,
    f: r.f,
    value: r.value === undefined ? null : r.value,
  };
  if (typeof r.node === 'string') op.node = r.node;
  if (r.key !== undefined && r.key !== null) op.key = typeof r.key === 'string' ? r.key : JSON.stringify(r.key);
  if (typeof r.error === 'string') op.error = r.error;
  return op;
}

function readEtcdLog(text: string, file?: string): ReadResult {
  const history: History = [];
  const lines: number[] = [];
  const src = text.split(/\r?\n/);
  for (let i = 0; i < src.length; i++) {
    const m = ETCD_LINE.exec(src[i]);
    if (!m) continue; // other log lines are not operations
    let value: EdnValue;
    try {
      value = parseEdn(m[4]);
    } catch (e) {
      throw new HistoryError(`unreadable value ${JSON.stringify(m[4])}: ${(e as Error).message}`, { file, line: i + 1, record: src[i] });
    }
    const type = m[2].slice(1);
    if (type !== 'invoke' && type !== 'ok' && type !== 'fail' && type !== 'info')
      throw new HistoryError(`unknown op type ${m[2]} (expected :invoke, :ok, :fail or :info)`, { file, line: i + 1, record: src[i] });
    const op: HistoryOp = { index: history.length, time: history.length, type, process: Number(m[1]), f: m[3].slice(1), value: ednToPlain(value) };
    if (type === 'info' && value instanceof Keyword) {
      op.error = value.name;
      op.value = null;
    }
    history.push(op);
    lines.push(i + 1);
  }
  return { history, format: 'porcupine-etcd', lines, defaults: { model: 'cas-register', initial: null } };
}

function readEdnHistory(text: string, format: 'jepsen-edn' | 'porcupine-kv', file?: string): ReadResult {
  let forms: { value: EdnValue; line: number }[];
  const warnings: string[] = [];
  try {
    forms = parseEdnForms(splitLines(text, warnings).join('\n'));
  } catch (e) {
    if (e instanceof EdnSyntaxError) throw new HistoryError(`EDN syntax error: ${e.message}`, { file, line: e.line });
    throw e;
  }
  // Knossos files are one vector of maps; Jepsen's history.edn is one map per line.
  if (forms.length === 1 && Array.isArray(forms[0].value)) {
    const line = forms[0].line;
    forms = forms[0].value.map((value) => ({ value, line }));
  }
  const history: History = [];
  const lines: number[] = [];
  for (const form of forms) {
    const line = form.line;
    // A tagged record (#jepsen.history.Op{...}) is read as the map it wraps.
    const value = form.value instanceof Tagged && form.value.value instanceof Map ? form.value.value : form.value;
    if (!(value instanceof Map)) throw new HistoryError('expected an op map like {:type :invoke, :f :read, ...}', { file, line, record: writeEdn(ednToPlain(value)) });
    const rec = ednToPlain(value) as Record<string, unknown>;
    const proc = value.get(Keyword.of('process'));
    // Jepsen's nemesis and other non-client processes are not client operations.
    if (proc instanceof Keyword) continue;
    history.push(checkRecord(rec, history.length, { file, line }));
    lines.push(line);
  }
  const defaults = format === 'porcupine-kv' ? { model: 'kv', initial: '' } : {};
  return { history, format, lines, defaults, ...(warnings.length ? { warnings } : {}) };
}

/**
 * One JSON object per line, in history order.
 *
 * @example
 * toJsonLines([{ index: 0, time: 0, type: 'invoke', process: 0, f: 'read', value: null }]);
 * // '{"index":0,"time":0,"type":"invoke","process":0,"f":"read","value":null}\n'
 */
export function toJsonLines(history: History): string {
  return history.map((op) => JSON.stringify(op)).join('\n') + (history.length ? '\n' : '');
}

/**
 * Jepsen-style EDN, one map per line (`type` and `f` as keywords), readable by `readHistory`.
 *
 * @example
 * toEdn(history); // '{:index 0, :time 0, :type :invoke, :process 0, :f :read, :value nil}\n...'
 */
export function toEdn(history: History): string {
  const out: string[] = [];
  for (const op of history) {
    const parts = [`:index ${writeEdn(op.index)}`, `:time ${writeEdn(op.time)}`, `:type :${op.type}`, `:process ${writeEdn(op.process)}`];
    parts.push(`:f ${/^[a-zA-Z*+!_?<>=][\w*+!_?<>=.-]*$/.test(op.f) ? `:${op.f}` : writeEdn(op.f)}`);
    parts.push(`:value ${writeEdn(op.value)}`);
    if (op.key !== undefined) parts.push(`:key ${writeEdn(op.key)}`);
    if (op.node !== undefined) parts.push(`:node ${writeEdn(op.node)}`);
    if (op.error !== undefined) parts.push(`:error ${writeEdn(op.error)}`);
    out.push(`{${parts.join(', ')}}`);
  }
  return out.join('\n') + (out.length ? '\n' : '');
}
