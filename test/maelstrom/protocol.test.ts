import { describe, expect, it } from 'vitest';
import { toEsmFreeSource } from '../../src/maelstrom/esm.ts';
import { classifyError } from '../../src/maelstrom/errors.ts';
import { parseLine } from '../../src/maelstrom/protocol.ts';
import { Services } from '../../src/maelstrom/services.ts';
import { makeTopology } from '../../src/maelstrom/topology.ts';

describe('maelstrom protocol', () => {
  it('parses envelopes and names what is wrong with bad lines', () => {
    const ok = parseLine('{"src":"n0","dest":"c1","body":{"type":"echo_ok","in_reply_to":3}}');
    expect(ok.ok && ok.env.body.in_reply_to).toBe(3);
    const bad = (line: string) => {
      const r = parseLine(line);
      return r.ok ? 'parsed' : r.problem;
    };
    expect(bad('hello')).toMatch(/^not JSON/);
    expect(bad('[1]')).toMatch(/not a JSON object/);
    expect(bad('{"src":"n0","body":{"type":"x"}}')).toMatch(/"dest"/);
    expect(bad('{"src":"n0","dest":"n1"}')).toMatch(/"body"/);
    expect(bad('{"src":"n0","dest":"n1","body":{}}')).toMatch(/type/);
    expect(bad('{"src":"n0","dest":"n1","body":{"type":"x","msg_id":"7"}}')).toMatch(/msg_id must be an integer/);
  });

  it('classifies errors: definite -> fail, indefinite -> info, idempotent reads fail definitely', () => {
    expect(classifyError(20, false).type).toBe('fail');
    expect(classifyError(22, false, 'expected 1').error).toBe('precondition-failed: expected 1');
    expect(classifyError(0, false).type).toBe('info');
    expect(classifyError(13, false).type).toBe('info');
    expect(classifyError(0, true).type).toBe('fail');
    expect(classifyError(1001, false)).toEqual({ type: 'info', error: 'error 1001' });
  });

  it('builds Maelstrom topologies, symmetric, over n0..', () => {
    expect(makeTopology('line', 3)).toEqual({ n0: ['n1'], n1: ['n0', 'n2'], n2: ['n1'] });
    expect(makeTopology('tree2', 5)).toEqual({ n0: ['n1', 'n2'], n1: ['n0', 'n3', 'n4'], n2: ['n0'], n3: ['n1'], n4: ['n1'] });
    expect(makeTopology('total', 3).n1).toEqual(['n0', 'n2']);
    const grid = makeTopology('grid', 9);
    expect(grid.n4).toEqual(['n1', 'n3', 'n5', 'n7']);
    for (const [a, ns] of Object.entries(makeTopology('tree4', 20))) for (const b of ns) expect(makeTopology('tree4', 20)[b]).toContain(a);
    expect(() => makeTopology('star', 3)).toThrow(/choose from grid, line, tree2, tree3, tree4, total/);
  });

  it('services: lin-kv errors and cas, seq-kv reads never go back for a node, lin-tso counts up', () => {
    const s = new Services();
    const rnd = (() => {
      let x = 0.37;
      return () => (x = (x * 9301 + 0.49297) % 1);
    })();
    expect(s.handle('n0', 'lin-kv', { type: 'read', msg_id: 1, key: 'k' }, rnd)).toMatchObject({ type: 'error', code: 20 });
    expect(s.handle('n0', 'lin-kv', { type: 'cas', msg_id: 2, key: 'k', from: 0, to: 1 }, rnd)).toMatchObject({ type: 'error', code: 20 });
    expect(s.handle('n0', 'lin-kv', { type: 'cas', msg_id: 3, key: 'k', from: 0, to: 1, create_if_not_exists: true }, rnd)).toMatchObject({ type: 'cas_ok', in_reply_to: 3 });
    expect(s.handle('n1', 'lin-kv', { type: 'cas', msg_id: 4, key: 'k', from: 0, to: 2 }, rnd)).toMatchObject({ type: 'error', code: 22 });
    expect(s.handle('n1', 'lin-kv', { type: 'read', msg_id: 5, key: 'k' }, rnd)).toMatchObject({ type: 'read_ok', value: 1 });
    for (let v = 0; v < 20; v++) s.handle('n0', 'seq-kv', { type: 'write', msg_id: 6, key: 'x', value: v }, rnd);
    let last = -1;
    let stale = 0;
    for (let i = 0; i < 50; i++) {
      const r = s.handle('n1', 'seq-kv', { type: 'read', msg_id: 7, key: 'x' }, rnd) as { value: number };
      expect(r.value).toBeGreaterThanOrEqual(last);
      if (r.value < 19) stale++;
      last = r.value;
    }
    expect(stale).toBeGreaterThan(0);
    const a = s.handle('n0', 'lin-tso', { type: 'ts', msg_id: 8 }, rnd) as { ts: number };
    const b = s.handle('n2', 'lin-tso', { type: 'ts', msg_id: 9 }, rnd) as { ts: number };
    expect(b.ts).toBeGreaterThan(a.ts);
  });

  it('rewrites ES module syntax to CommonJS', () => {
    const out = toEsmFreeSource("import rl from 'node:readline';\nimport { a, b as c } from './x.js';\nimport * as ns from 'y';\nexport function f() {}\nconsole.log(import.meta.url);");
    expect(out).toContain("const rl = __default(require('node:readline'));");
    expect(out).toContain("const { a, b: c } = require('./x.js');");
    expect(out).toContain("const ns = require('y');");
    expect(out).toContain('module.exports["f"] = f;');
    expect(out).toContain('console.log(__importMetaUrl)');
  });
});
