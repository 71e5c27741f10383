import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toJsonLines } from '../../checkers/formats/index.ts';
import { checkCommand } from '../../src/cli/check.ts';
import { HB } from './helpers.ts';

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(join(tmpdir(), 'faultline-check-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const good = file('good.jsonl', toJsonLines(new HB().invoke(0, 'write', 1).ok(0).invoke(1, 'read').ok(1, 1).ops));
const bad = file('bad.jsonl', toJsonLines(new HB().invoke(0, 'write', 1).ok(0).invoke(1, 'read').ok(1, 2).ops));
const etcd = file('etcd.log', 'INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\tnil\n');
const orphan = file('orphan.jsonl', '{"type":"invoke","process":0,"f":"read","value":null}\n{"type":"ok","process":3,"f":"read","value":1}\n');

describe('faultline check', () => {
  it('prints one line per file and exits 0 when all are ok', async () => {
    expect(await checkCommand([good, etcd, '--model', 'cas-register'])).toBe(0);
    expect(out[0]).toMatch(new RegExp(`^${good}\\tok\\t\\d+\\.\\d$`));
    expect(out[1]).toMatch(/etcd\.log\tok\t/);
  });

  it('exits 1 and prints the counterexample when a file is illegal', async () => {
    expect(await checkCommand([good, bad, '--model', 'register'])).toBe(1);
    expect(out[1]).toMatch(/bad\.jsonl\tillegal\t/);
    const text = out.join('\n');
    expect(text).toMatch(/op #2 read -> 2 by process 1 cannot be linearized/);
    expect(text).toMatch(/longest linearizable prefix 1: 1 ops, reaching state 1/);
  });

  it('--json prints one document', async () => {
    expect(await checkCommand([bad, '--model', 'register', '--json'])).toBe(1);
    const doc = JSON.parse(out.join('\n'));
    expect(doc.exitCode).toBe(1);
    expect(doc.files[0]).toMatchObject({ verdict: 'illegal', model: 'register', format: 'jsonl' });
    expect(doc.files[0].counterexamples[0].op.index).toBe(2);
  });

  it('the model may come from the format; --initial overrides the initial value', async () => {
    expect(await checkCommand([etcd])).toBe(0);
    expect(await checkCommand([etcd, '--initial', '0'])).toBe(1);
  });

  it('bad usage: one line naming what is wrong and how to fix it, exit 2', async () => {
    expect(await checkCommand([])).toBe(2);
    expect(await checkCommand([good, '--model', 'nope'])).toBe(2);
    expect(await checkCommand([good, '--frob'])).toBe(2);
    expect(await checkCommand([good, '--model', 'register', '--timeout', 'soon'])).toBe(2);
    expect(await checkCommand([good, '--model', 'register', '--format', 'xml'])).toBe(2);
    expect(await checkCommand([good])).toBe(2); // jsonl implies no model
    expect(err).toHaveLength(6);
    for (const e of err) expect(e).toMatch(/^faultline check: .+ \(.+\)$/);
    expect(err[1]).toMatch(/--model takes one of register, cas-register, kv.*got 'nope'/);
  });

  it('bad input names the file and line, exit 2 even if other files are illegal', async () => {
    expect(await checkCommand([bad, orphan, join(dir, 'missing.edn'), '--model', 'register'])).toBe(2);
    expect(err[0]).toMatch(/orphan\.jsonl:line 2: ok completion for process 3 has no matching invoke/);
    expect(err[1]).toMatch(/cannot read .*missing\.edn: ENOENT/);
  });

  it('exits 3 when the wall-clock safety net runs out', async () => {
    const b = new HB();
    for (let p = 0; p < 18; p++) b.invoke(p, 'write', p);
    for (let p = 0; p < 18; p++) b.ok(p);
    const slow = file('slow.jsonl', toJsonLines(b.invoke(0, 'read').ok(0, 99).ops));
    expect(await checkCommand([good, slow, '--model', 'register', '--timeout', '0.001'])).toBe(3);
    expect(out[1]).toMatch(/slow\.jsonl\tunknown\t/);
    expect(out.join('\n')).toMatch(/wall-time safety net \(1 ms\) ran out/);
  });

  it('--help exits 0; --no-partition and --timeout are accepted', async () => {
    expect(await checkCommand(['--help'])).toBe(0);
    expect(out.join('\n')).toMatch(/usage: faultline check/);
    expect(await checkCommand([good, '--model', 'register', '--no-partition', '--timeout', '5'])).toBe(0);
  });
});

describe('faultline check --txn', () => {
  const skew = file(
    'skew.edn',
    [
      '{:type :invoke, :f :txn, :value [[:r :x nil] [:append :y 1]], :process 0, :time 1, :index 0}',
      '{:type :invoke, :f :txn, :value [[:r :y nil] [:append :x 1]], :process 1, :time 2, :index 1}',
      '{:type :ok, :f :txn, :value [[:r :x []] [:append :y 1]], :process 0, :time 3, :index 2}',
      '{:type :ok, :f :txn, :value [[:r :y []] [:append :x 1]], :process 1, :time 4, :index 3}',
    ].join('\n'),
  );
  it('judges a txn history against a consistency model and explains each edge', async () => {
    expect(await checkCommand([skew, '--txn', 'list-append', '--consistency', 'serializable'])).toBe(1);
    const text = out.join('\n');
    expect(out[0]).toMatch(/skew\.edn\tillegal\t/);
    expect(text).toMatch(/not serializable: G2-item/);
    expect(text).toMatch(/T0 -rw-> T1: T0 \(process 0, op #0\) read x = \[\] without 1, which T1 \(process 1, op #1\) appended/);
    expect(text).toMatch(/cannot infer \(list-append\)/);
    out.length = 0;
    expect(await checkCommand([skew, '--model', 'list-append', '--consistency', 'snapshot-isolation'])).toBe(0);
    expect(out.join('\n')).toMatch(/found G2-item, which snapshot-isolation allows/);
  });

  it('a txn history checked without --txn says to use it', async () => {
    expect(await checkCommand([skew])).toBe(2);
    expect(err[0]).toMatch(/skew\.edn: no --model given .* \(it holds txns: use --txn list-append\|rw-register\)/);
  });

  it('bad txn input is one line and exit 2', async () => {
    expect(await checkCommand([skew, '--txn', 'list-append', '--consistency', 'bogus'])).toBe(2);
    expect(err[0]).toMatch(/^faultline check: --consistency takes one of read-uncommitted, .*got 'bogus'/);
    expect(await checkCommand([skew, '--txn', 'bank'])).toBe(2);
    expect(err[1]).toMatch(/--txn takes one of list-append, rw-register, got 'bank'/);
    const weird = file('weird.edn', '{:type :invoke, :f :txn, :value [[:incr :x 1]], :process 0}\n{:type :ok, :f :txn, :value [[:incr :x 1]], :process 0}\n');
    expect(await checkCommand([weird, '--txn', 'list-append'])).toBe(2);
    expect(err[2]).toMatch(/weird\.edn:line 2: micro-op 1 of the txn: unknown micro-op "incr" for list-append/);
    const notList = file('notlist.edn', '{:type :invoke, :f :txn, :value [[:r :x nil]], :process 0}\n{:type :ok, :f :txn, :value [[:r :x 3]], :process 0}\n');
    expect(await checkCommand([notList, '--txn', 'list-append'])).toBe(2);
    expect(err[3]).toMatch(/notlist\.edn:line 2: .*a list-append read returns a list \(or nil\), got 3/);
    expect(err.every((l) => !/\n/.test(l))).toBe(true);
  });
});
