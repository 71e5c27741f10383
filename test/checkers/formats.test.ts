import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectFormat, ednToPlain, Keyword, parseEdn, parseEdnForms, readHistory, toEdn, toJsonLines, writeEdn } from '../../checkers/formats/index.ts';
import { HistoryError } from '../../checkers/history-error.ts';
import { HB } from './helpers.ts';

describe('EDN reader', () => {
  it('reads the data types Jepsen histories use', () => {
    const v = parseEdn('{:type :invoke, :f :cas, :value [1 2], :s "a\\"b\\n", :n nil, :t true, :l (1 -2 3.5), :m {"k" #{:x}}, :big 123456789012345678901N, :r 1/2}');
    expect(ednToPlain(v)).toEqual({ type: 'invoke', f: 'cas', value: [1, 2], s: 'a"b\n', n: null, t: true, l: [1, -2, 3.5], m: { k: ['x'] }, big: '123456789012345678901', r: 0.5 });
    expect((v as Map<unknown, unknown>).get(Keyword.of('type'))).toBe(Keyword.of('invoke'));
  });

  it('skips comments, commas and #_ discards; keeps tagged literals as data; counts lines', () => {
    const forms = parseEdnForms('; header\n{:a 1}\n#_ {:b 2}\n\n#inst "2024-01-01" [\\a \\newline]');
    expect(forms.map((f) => f.line)).toEqual([2, 5, 5]);
    expect(ednToPlain(forms[1].value)).toBe('2024-01-01');
    expect(ednToPlain(forms[2].value)).toEqual(['a', '\n']);
  });

  it('never evaluates: code-looking input is just symbols and lists', () => {
    const v = ednToPlain(parseEdn('(require (quote [clojure.java.shell :as sh])) ')) as unknown[];
    expect(v).toEqual(['require', ['quote', ['clojure.java.shell', 'as', 'sh']]]);
    expect(ednToPlain(parseEdn('#=(eval 1)'))).toEqual(['eval', 1]); // a tag named "=" is still data
  });

  it('reports syntax errors with a line, and bounds nesting', () => {
    expect(() => parseEdn('{:a 1\n:b')).toThrow(/line 2/);
    expect(() => parseEdn('[1 2')).toThrow(/missing \]/);
    expect(() => parseEdn('"abc')).toThrow(/unterminated string/);
    expect(() => parseEdn('{:a}')).toThrow(/odd number/);
    expect(() => parseEdn('['.repeat(10_000) + ']'.repeat(10_000))).toThrow(/nesting deeper/);
  });

  it('writeEdn round-trips plain data', () => {
    const plain = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string(), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('v'), { maxKeys: 3 })),
    })).v;
    fc.assert(
      fc.property(plain, (v) => {
        expect(ednToPlain(parseEdn(writeEdn(v)))).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });
});

const sample = new HB().invoke(0, 'write', 1).ok(0).invoke(1, 'cas', [1, 'two']).info(1).invoke(2, 'get', null, 'k').ok(2, { a: [1, null] }).ops;
sample[4].node = 'n1';
sample[3].error = 'timeout';

describe('history readers and writers', () => {
  it('JSON Lines and EDN round-trip a history', () => {
    const j = readHistory(toJsonLines(sample));
    expect(j.format).toBe('jsonl');
    expect(j.history).toEqual(sample);
    const e = readHistory(toEdn(sample));
    expect(e.format).toBe('jepsen-edn');
    expect(e.history).toEqual(sample);
    expect(e.lines).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads a Knossos vector and skips nemesis ops', () => {
    const text = `[{:type :invoke, :f :read, :value nil, :process 0, :time 1, :index 0}
 {:type :info, :f :start, :value nil, :process :nemesis, :time 2, :index 1}
 {:type :ok, :f :read, :value 3, :process 0, :time 3, :index 2}]`;
    const r = readHistory(text);
    expect(r.format).toBe('jepsen-edn');
    expect(r.history.map((o) => [o.type, o.index, o.value])).toEqual([['invoke', 0, null], ['ok', 2, 3]]);
  });

  it('reads Porcupine etcd log lines, including info ops and other log lines', () => {
    const text = ['INFO  jepsen.core - starting', 'INFO  jepsen.util - 3\t:invoke\t:cas\t[1 2]', 'INFO  jepsen.util - 3\t:info\t:cas\t:timed-out', 'INFO  jepsen.util - 8\t:invoke\t:read\tnil', 'INFO  jepsen.util - 8\t:ok\t:read\tnil'].join('\n');
    expect(detectFormat(text)).toBe('porcupine-etcd');
    const r = readHistory(text);
    expect(r.history.map((o) => [o.type, o.process, o.f, o.value])).toEqual([['invoke', 3, 'cas', [1, 2]], ['info', 3, 'cas', null], ['invoke', 8, 'read', null], ['ok', 8, 'read', null]]);
    expect(r.history[1].error).toBe('timed-out');
    expect(r.lines).toEqual([2, 3, 4, 5]);
    expect(r.defaults).toEqual({ model: 'cas-register', initial: null });
  });

  it('reads etcd logs whose fields are separated by runs of spaces, mixed tabs, CRLF line ends', () => {
    const tabs = ['INFO  jepsen.util - 3\t:invoke\t:cas\t[1 2]', 'INFO  jepsen.util - 3\t:ok\t:cas\t[1 2]', 'INFO  jepsen.util - 8\t:invoke\t:read\tnil', 'INFO  jepsen.util - 8\t:ok\t:read\t2'];
    const want = readHistory(tabs.join('\n')).history;
    const variants = [
      tabs.map((l) => l.replace(/\t/g, '  ')).join('\n'),
      tabs.map((l) => l.replace(/\t/g, ' ')).join('\n'),
      tabs.map((l, i) => (i % 2 ? l.replace(/\t/g, ' \t ') : l.replace(/\t/g, '    '))).join('\r\n'),
      tabs.map((l) => `${l}   `).join('\r\n') + '\r\n',
    ];
    for (const v of variants) {
      expect(detectFormat(v)).toBe('porcupine-etcd');
      expect(readHistory(v).history).toEqual(want);
    }
  });

  it('reads CRLF JSON Lines and EDN, and tolerates a trailing partial line (with a warning)', () => {
    const jl = '{"type":"invoke","process":0,"f":"read","value":null}\r\n{"type":"ok","process":0,"f":"read","value":1}\r\n';
    expect(readHistory(jl).history.map((o) => o.value)).toEqual([null, 1]);
    const cut = `${jl}{"type":"invoke","proc`;
    const r = readHistory(cut);
    expect(r.history).toHaveLength(2);
    expect(r.warnings?.[0]).toMatch(/line 3: ignored a trailing partial line/);
    const edn = '{:type :invoke, :f :read, :value nil, :process 0}\r\n{:type :ok, :f :read, :value 1, :process 0}\r\n{:type :invoke, :f :wr';
    const e = readHistory(edn, 'jepsen-edn');
    expect(e.history.map((o) => o.value)).toEqual([null, 1]);
    expect(e.warnings).toHaveLength(1);
    // A complete but broken last line is still an error with its line number.
    expect(() => readHistory('{"type":"invoke","process":0,"f":"read"}\n{"type":"ok", oops}', 'jsonl')).toThrow(/line 2: not valid JSON/);
  });

  it('reads every anchor etcd log with its tabs turned into runs of spaces', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'anchors', 'porcupine', 'etcd');
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir).slice(0, 10)) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(readHistory(text.replace(/\t/g, '   ')).history).toEqual(readHistory(text).history);
    }
  });

  it('reads newer Jepsen histories whose ops are tagged records (#jepsen.history.Op{...})', () => {
    const text = '#jepsen.history.Op{:index 0, :time 1, :type :invoke, :process 0, :f :txn, :value [[:append 9 1] [:r 8 nil]]}\n#jepsen.history.Op{:index 1, :time 2, :type :ok, :process 0, :f :txn, :value [[:append 9 1] [:r 8 []]]}\n';
    expect(detectFormat(text)).toBe('jepsen-edn');
    const r = readHistory(text);
    expect(r.history.map((o) => [o.type, o.f, o.value])).toEqual([['invoke', 'txn', [['append', 9, 1], ['r', 8, null]]], ['ok', 'txn', [['append', 9, 1], ['r', 8, []]]]]);
  });

  it('detects Porcupine kv files and implies kv with missing keys reading ""', () => {
    const r = readHistory('{:process 0, :type :invoke, :f :get, :key "3", :value nil}\n{:process 0, :type :ok, :f :get, :key "3", :value ""}\n');
    expect(r.format).toBe('porcupine-kv');
    expect(r.history[1]).toMatchObject({ key: '3', value: '', f: 'get', type: 'ok' });
    expect(r.defaults).toEqual({ model: 'kv', initial: '' });
  });

  it('bad input is a HistoryError naming file and line', () => {
    const err = (text: string, format?: 'jsonl' | 'jepsen-edn') => {
      try {
        readHistory(text, format, 'h.txt');
      } catch (e) {
        expect(e).toBeInstanceOf(HistoryError);
        return (e as HistoryError).message;
      }
      throw new Error('expected a HistoryError');
    };
    expect(err('{"type":"invoke","process":0,"f":"read"}\n{"type":"ok", oops}', 'jsonl')).toMatch(/^h\.txt:line 2: not valid JSON/);
    expect(err('{"type":"begin","process":0,"f":"read"}', 'jsonl')).toMatch(/^h\.txt:line 1: unknown op type "begin"/);
    expect(err('{:type :invoke, :process 0, :f :read}\n{:type :ok :process "zero" :f :read}')).toMatch(/line 2: process must be an integer/);
    expect(err('{:type :invoke, :f :read\n')).toMatch(/EDN syntax error/);
    expect(err('hello world')).toMatch(/cannot tell the history format/);
  });
});
