import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { protocols } from '../../protocols/index.ts';
import { CorpusError, listEntries, parseEntry } from '../../src/corpus/corpus.ts';
import { corpusJsonSchemaText, entryProblem } from '../../src/corpus/schema.ts';
import { defaultScenario } from '../../src/run/scenario.ts';
import { ScenarioOptionsSchema } from '../../src/run/options-schema.ts';

const good = JSON.parse(readFileSync('corpus/abd/minority-quorum-0.json', 'utf8'));

/** A deep copy of the good entry with `edit` applied. */
function entry(edit: (e: any) => void): unknown {
  const e = JSON.parse(JSON.stringify(good));
  edit(e);
  return e;
}

/** Parses `raw` as a corpus entry and returns the one-line message it is rejected with. */
function rejection(raw: unknown): string {
  try {
    parseEntry('x.json', raw, protocols);
  } catch (e) {
    expect(e).toBeInstanceOf(CorpusError);
    const message = (e as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('the entry was accepted');
}

describe('corpus schema', () => {
  it('corpus/schema.json is the schema the loader applies (regenerate with npm run corpus:schema)', () => {
    expect(readFileSync('corpus/schema.json', 'utf8')).toBe(corpusJsonSchemaText());
  });

  it('every option of ScenarioOptions has a bounded field in the schema', () => {
    for (const k of Object.keys(defaultScenario)) expect(Object.keys(ScenarioOptionsSchema.properties)).toContain(k);
  });

  it('accepts every entry of the corpus', () => {
    const files = listEntries('corpus');
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(entryProblem(JSON.parse(readFileSync(f, 'utf8'))), f).toBeUndefined();
  });

  const deep = (n: number) => JSON.parse('['.repeat(n) + ']'.repeat(n));
  const cases: Array<[string, (e: any) => void, RegExp]> = [
    ['options.links naming an unknown node', (e) => (e.options.links = [{ from: 'n1', to: 'n9' }]), /options\.links\[0\] names node n9/],
    ['options.links with a rate above 1', (e) => (e.options.links = [{ from: 'n1', to: 'n2', dropRate: 7 }]), /options\.links\[0\]\.dropRate \(--drop\) must be a probability from 0 to 1, got 7/],
    ['options.links with an unknown field', (e) => (e.options.links = [{ from: 'n1', to: 'n2', evil: 1 }]), /options\.links\[0\] has an unknown field "evil"/],
    ['options.links not a list', (e) => (e.options.links = 'n1->n2'), /options\.links/],
    ['a negative rate', (e) => (e.options.dropRate = -0.5), /options\.dropRate \(--drop\) must be a probability from 0 to 1, got -0.5/],
    ['a rate of 1e300', (e) => (e.options.dupRate = 1e300), /options\.dupRate/],
    ['1e23 nodes', (e) => (e.options.nodes = 1e23), /options\.nodes \(--nodes\) must be a whole number from 1 to 100, got 1e\+23/],
    ['a million ops', (e) => (e.options.ops = 1_000_000), /options\.ops \(--ops\) must be a whole number from 0 to 200000/],
    ['a fractional client count', (e) => (e.options.clients = 2.5), /options\.clients/],
    ['a string where a number goes', (e) => (e.options.healAtMs = '1000'), /options\.healAtMs/],
    ['latency max below min', (e) => ((e.options.latencyMinMs = 10), (e.options.latencyMaxMs = 1)), /latency max \(1 ms\) must be >= latency min \(10 ms\)/],
    ['a plan of a million faults', (e) => ((e.options.healAtMs = 3_600_000), (e.options.faultIntervalMs = 1)), /plans 3600000 faults/],
    ['an unknown options field', (e) => (e.options.evil = true), /options has an unknown field "evil"/],
    ['an op value nested 10,000 deep', (e) => (e.ops[0].value = deep(10_000)), /ops\[0\]\.value.* nested deeper than 16/],
    ['an op value nested 17 deep', (e) => (e.ops[0].value = deep(17)), /nested deeper than 16/],
    ['an op value with an own __proto__ key', (e) => (e.ops[0].value = JSON.parse('{"a": {"__proto__": {"x": 1}}}')), /ops\[0\]\.value\.a has the key "__proto__"/],
    ['an op value with a constructor key', (e) => (e.ops[0].value = { constructor: 1 }), /has the key "constructor"/],
    ['an op with an own __proto__ key', (e) => (e.ops[0] = JSON.parse(`{"__proto__": null, ${JSON.stringify(e.ops[0]).slice(1)}`)), /ops\[0\] has an unknown field "__proto__"/],
    ['an op of a client past the count', (e) => (e.ops[0].client = e.options.clients), /ops\[0\]\.client \d+ is not one of the \d+ clients/],
    ['an op with a negative think time', (e) => (e.ops[0].thinkMs = -1), /ops\[0\]\.thinkMs must be >= 0/],
    ['a fault of an unknown kind', (e) => (e.faults = [{ kind: 'meteor', atMs: 0, durationMs: 1 }]), /faults\[0\]\.kind "meteor" is not a fault kind/],
    ['a fault kind "constructor"', (e) => (e.faults = [{ kind: 'constructor', atMs: 0, durationMs: 1 }]), /faults\[0\]\.kind "constructor" is not a fault kind/],
    ['a fault at an infinite time', (e) => (e.faults = [{ kind: 'crash', atMs: 1e309, durationMs: 1, node: 'n1' }]), /faults\[0\]\.atMs/],
    ['a fault on an unknown node', (e) => (e.faults = [{ kind: 'crash', atMs: 0, durationMs: 1, node: 'n99' }]), /faults\[0\] names node n99/],
    ['a clock fault of rate 0', (e) => (e.faults = [{ kind: 'clock', atMs: 0, durationMs: 1, node: 'n1', offsetMs: 0, rate: 0 }]), /faults\[0\]\.rate/],
    ['a partition cut of three nodes', (e) => (e.faults = [{ kind: 'partition', atMs: 0, durationMs: 1, label: 'x', cut: [['n1', 'n2', 'n3']] }]), /faults\[0\]\.cut\[0\]/],
    ['a tape token that does not parse', (e) => (e.tape = { length: 2, choices: 'l3 x9' }), /tape does not parse: bad tape token 'x9'/],
    ['a tape that claims a billion choices', (e) => (e.tape = { length: 1e9, choices: 'l*1000000000' }), /tape/],
    ['a tape run longer than its length', (e) => (e.tape = { length: 2, choices: 'l*10000000' }), /more than the 2 choices/],
    ['a tape cause past the ops', (e) => (e.tape = { length: 1, choices: 'l@999' }), /tape choice 0 belongs to op 999/],
    ['a fingerprint that is not hex', (e) => (e.fingerprint = 'zz'), /fingerprint must match/],
    ['expected.failing empty', (e) => (e.expected = { status: 'fail', failing: [] }), /expected\.failing/],
    ['expected.status unknown', (e) => (e.expected = { status: 'maybe' }), /expected\.status must be "fail" or "pass", got "maybe"/],
    ['variant "constructor"', (e) => ((e.variant = 'constructor'), (e.options.variant = 'constructor')), /unknown variant "constructor" of abd/],
    ['variant "__proto__"', (e) => ((e.variant = '__proto__'), (e.options.variant = '__proto__')), /unknown variant "__proto__" of abd/],
    ['variant "toString"', (e) => ((e.variant = 'toString'), (e.options.variant = 'toString')), /unknown variant "toString" of abd/],
    ['options disagreeing with the entry', (e) => (e.options.seed = 1), /disagree/],
    ['an unknown top-level field', (e) => (e.evil = 1), /has an unknown field "evil"/],
    ['a missing field', (e) => delete e.ops, /missing the field "ops"/],
  ];
  for (const [what, edit, message] of cases) {
    it(`rejects ${what} with one line`, () => {
      expect(rejection(entry(edit))).toMatch(message);
    });
  }

  it("accepts a user protocol's module field { path, export? } and rejects any other shape", () => {
    expect(entryProblem({ ...good, module: { path: './src/kv.ts' } })).toBeUndefined();
    expect(entryProblem({ ...good, module: { path: './src/kv.ts', export: 'kv' } })).toBeUndefined();
    expect(entryProblem({ ...good, module: './src/kv.ts' })).toMatch(/module/);
    expect(entryProblem({ ...good, module: { path: '' } })).toMatch(/module\.path/);
    expect(entryProblem({ ...good, module: { path: 'x', evil: 1 } })).toMatch(/module has an unknown field "evil"/);
  });

  it('rejects a non-object and an old version with the fix', () => {
    expect(rejection([1, 2])).toMatch(/expected a JSON object/);
    expect(rejection({ ...good, version: 1 })).toMatch(/unknown corpus version 1.*regenerate/);
  });
});
