/**
 * A small, safe EDN reader and writer: data only. Tagged literals are kept as data, never
 * resolved to code; nesting depth is bounded so hostile input cannot overflow the stack.
 */

/** An EDN keyword such as `:ok`; interned, so equal keywords are the same object. */
export class Keyword {
  private static table = new Map<string, Keyword>();
  private constructor(readonly name: string) {}
  /** @example Keyword.of('ok') === Keyword.of('ok') // true */
  static of(name: string): Keyword {
    let k = Keyword.table.get(name);
    if (!k) Keyword.table.set(name, (k = new Keyword(name)));
    return k;
  }
  toString(): string {
    return `:${this.name}`;
  }
}

/** An EDN symbol other than nil/true/false. */
export class Symbol_ {
  constructor(readonly name: string) {}
}

/** A tagged literal, e.g. `#inst "2020-01-01"`, kept as data. */
export class Tagged {
  constructor(
    readonly tag: string,
    readonly value: EdnValue,
  ) {}
}

/** An EDN set `#{...}`, elements in source order. */
export class EdnSet {
  constructor(readonly items: EdnValue[]) {}
}

export type EdnValue = null | boolean | number | bigint | string | Keyword | Symbol_ | Tagged | EdnSet | EdnValue[] | Map<EdnValue, EdnValue>;

/** A syntax error with its 1-based line. */
export class EdnSyntaxError extends Error {
  override name = 'EdnSyntaxError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`${message} at line ${line}`);
  }
}

const MAX_DEPTH = 500;
const DELIMS = new Set([...'()[]{}"; \t\r\n,']);
const CHAR_NAMES: Record<string, string> = { newline: '\n', space: ' ', tab: '\t', return: '\r', backspace: '\b', formfeed: '\f' };

/**
 * Parses every top-level form of `text`, each with the line it starts on.
 *
 * @example
 * parseEdnForms('{:type :invoke, :value nil}\n[1 2]');
 * // [{ value: Map {Keyword(type) => Keyword(invoke), ...}, line: 1 }, { value: [1, 2], line: 2 }]
 */
export function parseEdnForms(text: string): { value: EdnValue; line: number }[] {
  const p = new Parser(text);
  const out: { value: EdnValue; line: number }[] = [];
  for (;;) {
    p.skip();
    if (p.i >= text.length) return out;
    const line = p.line;
    const v = p.form(0);
    if (v !== DISCARDED) out.push({ value: v, line });
  }
}

/**
 * Parses exactly one EDN value.
 *
 * @example
 * parseEdn('[3 4]'); // [3, 4]
 */
export function parseEdn(text: string): EdnValue {
  const forms = parseEdnForms(text);
  if (forms.length !== 1) throw new EdnSyntaxError(`expected one EDN value, found ${forms.length}`, forms[1]?.line ?? 1);
  return forms[0].value;
}

const DISCARDED = Symbol('discarded');

class Parser {
  i = 0;
  line = 1;
  constructor(private readonly s: string) {}

  fail(msg: string): never {
    throw new EdnSyntaxError(msg, this.line);
  }

  /** Skips whitespace, commas and comments, counting lines. */
  skip(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '\n') this.line++;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ',') this.i++;
      else if (c === ';') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
      } else break;
    }
  }

  form(depth: number): EdnValue | typeof DISCARDED {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.skip();
    const s = this.s;
    if (this.i >= s.length) this.fail('unexpected end of input');
    const c = s[this.i];
    switch (c) {
      case '[':
        this.i++;
        return this.seq(']', depth);
      case '(':
        this.i++;
        return this.seq(')', depth);
      case '{': {
        this.i++;
        const items = this.seq('}', depth);
        if (items.length % 2 !== 0) this.fail('map literal has an odd number of forms');
        const m = new Map<EdnValue, EdnValue>();
        for (let k = 0; k < items.length; k += 2) m.set(items[k], items[k + 1]);
        return m;
      }
      case ']':
      case ')':
      case '}':
        this.fail(`unmatched ${c}`);
      case '"':
        return this.string();
      case ':': {
        this.i++;
        const tok = this.token();
        if (tok === '') this.fail('empty keyword');
        return Keyword.of(tok);
      }
      case '\\': {
        this.i++;
        const tok = this.token() || s[this.i++] || this.fail('empty character literal');
        if (tok.length === 1) return tok;
        if (CHAR_NAMES[tok] !== undefined) return CHAR_NAMES[tok];
        if (/^u[0-9a-fA-F]{4}$/.test(tok)) return String.fromCharCode(parseInt(tok.slice(1), 16));
        return this.fail(`unknown character literal \\${tok}`);
      }
      case '#': {
        const d = s[this.i + 1];
        if (d === '{') {
          this.i += 2;
          return new EdnSet(this.seq('}', depth));
        }
        if (d === '_') {
          this.i += 2;
          this.form(depth + 1);
          return DISCARDED;
        }
        if (d === '#') {
          this.i += 2;
          const tok = this.token();
          if (tok === 'Inf') return Infinity;
          if (tok === '-Inf') return -Infinity;
          if (tok === 'NaN') return NaN;
          return this.fail(`unknown symbolic value ##${tok}`);
        }
        this.i++;
        const tag = this.token();
        if (!tag) this.fail('bad dispatch character after #');
        const v = this.form(depth + 1);
        if (v === DISCARDED) this.fail(`tag #${tag} has no value`);
        return new Tagged(tag, v);
      }
      default:
        return this.atom(this.token());
    }
  }

  seq(close: string, depth: number): EdnValue[] {
    const items: EdnValue[] = [];
    for (;;) {
      this.skip();
      if (this.i >= this.s.length) this.fail(`missing ${close}`);
      if (this.s[this.i] === close) {
        this.i++;
        return items;
      }
      const v = this.form(depth + 1);
      if (v !== DISCARDED) items.push(v);
    }
  }

  token(): string {
    const start = this.i;
    while (this.i < this.s.length && !DELIMS.has(this.s[this.i])) this.i++;
    return this.s.slice(start, this.i);
  }

  string(): string {
    const s = this.s;
    this.i++;
    let out = '';
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated string');
      const c = s[this.i++];
      if (c === '"') return out;
      if (c === '\n') this.line++;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = s[this.i++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case 'u': {
          const hex = s.slice(this.i, this.i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape in string');
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 4;
          break;
        }
        default:
          this.fail(`unknown string escape \\${e ?? ''}`);
      }
    }
  }

  atom(tok: string): EdnValue {
    if (tok === '') this.fail(`unexpected character ${JSON.stringify(this.s[this.i])}`);
    if (tok === 'nil') return null;
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    const c = tok[0];
    if ((c >= '0' && c <= '9') || ((c === '-' || c === '+') && tok.length > 1 && tok[1] >= '0' && tok[1] <= '9')) return this.number(tok);
    return new Symbol_(tok);
  }

  number(tok: string): number | bigint {
    let m = /^([-+]?)(\d+)N?$/.exec(tok);
    if (m) {
      const n = Number(tok.replace(/N$/, ''));
      return Number.isSafeInteger(n) ? n : BigInt(tok.replace(/N$/, '').replace(/^\+/, ''));
    }
    if (/^[-+]?\d+(\.\d*)?([eE][-+]?\d+)?M?$/.test(tok)) return Number(tok.replace(/M$/, ''));
    m = /^([-+]?\d+)\/(\d+)$/.exec(tok);
    if (m && Number(m[2]) !== 0) return Number(m[1]) / Number(m[2]);
    return this.fail(`bad number ${tok}`);
  }
}

/**
 * EDN data as plain JSON-like data: keywords and symbols become their names, maps become objects
 * (keys rendered as strings), vectors/lists/sets become arrays, tags keep just their value.
 *
 * @example
 * ednToPlain(parseEdn('{:f :cas, :value [1 2]}')); // { f: 'cas', value: [1, 2] }
 */
export function ednToPlain(v: EdnValue): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v;
  if (v instanceof Keyword || v instanceof Symbol_) return v.name;
  if (Array.isArray(v)) return v.map(ednToPlain);
  if (v instanceof EdnSet) return v.items.map(ednToPlain);
  if (v instanceof Tagged) return ednToPlain(v.value);
  const o: Record<string, unknown> = {};
  // defineProperty: a key named __proto__ must stay data, not replace the object's prototype.
  for (const [k, x] of v) Object.defineProperty(o, keyName(k), { value: ednToPlain(x), enumerable: true, writable: true, configurable: true });
  return o;
}

function keyName(k: EdnValue): string {
  if (k instanceof Keyword || k instanceof Symbol_) return k.name;
  if (typeof k === 'string') return k;
  return writeEdn(ednToPlain(k));
}

const KEYWORD_NAME = /^[a-zA-Z*+!_?<>=][\w*+!_?<>=.\-/]*$/;

/**
 * Writes plain data as EDN: `null` is `nil`, arrays are vectors, objects are maps with keyword
 * keys where the key is a valid keyword name (string keys otherwise).
 *
 * @example
 * writeEdn({ f: 'cas', value: [1, 2] }); // '{:f "cas", :value [1 2]}'
 */
export function writeEdn(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (v instanceof Keyword) return `:${v.name}`;
  switch (typeof v) {
    case 'boolean':
      return String(v);
    case 'number':
      return Number.isNaN(v) ? '##NaN' : v === Infinity ? '##Inf' : v === -Infinity ? '##-Inf' : String(v);
    case 'bigint':
      return `${v}N`;
    case 'string':
      return JSON.stringify(v); // JSON's string escapes are all valid EDN
    case 'object': {
      if (Array.isArray(v)) return `[${v.map(writeEdn).join(' ')}]`;
      const parts = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => `${KEYWORD_NAME.test(k) ? `:${k}` : JSON.stringify(k)} ${writeEdn(x)}`);
      return `{${parts.join(', ')}}`;
    }
    default:
      return 'nil';
  }
}
