import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abd } from '../protocols/abd/abd.ts';
import { protocols } from '../protocols/index.ts';
import { ChoiceKind } from '../src/kernel/choices.ts';
import { loadEntry, makeEntry, saveEntry, encodeTape, decodeTape, CorpusError } from '../src/corpus/corpus.ts';
import { runScenario, type RunResult } from '../src/run/run.ts';
import { resolveOptions } from '../src/run/scenario.ts';
import { failsSameWay, shrink, withoutOps, type ExplicitInput, type ShrinkResult } from '../src/shrink/shrink.ts';
import { tellStory } from '../src/report/story.ts';
import { ShrinkBudget } from '../src/shrink/budget.ts';
import { inputKey } from '../src/shrink/key.ts';
import { hitCheckSafetyNet } from '../src/shrink/session.ts';
import { badInputProblem, runCli } from './badinput/helpers.ts';
import { shrinkAndSave } from '../src/shrink/counterexample.ts';
import { asLosses } from '../src/shrink/passes/cuts-to-losses.ts';
import { existsSync } from 'node:fs';

/** Every single removal / zeroing of the shrunk input: none may fail the same way. */
async function assertOneMinimal(s: ShrinkResult): Promise<number> {
  const base = s.input;
  const variants: ExplicitInput[] = [];
  base.ops.forEach((_, i) => variants.push({ ...base, ops: base.ops.filter((_, j) => j !== i) }));
  base.faults.forEach((_, i) => variants.push({ ...base, faults: base.faults.filter((_, j) => j !== i) }));
  base.tape.values.forEach((v, i) => {
    if (v !== 0 && base.tape.kinds[i] !== ChoiceKind.latency) {
      const values = base.tape.values.slice();
      values[i] = 0;
      variants.push({ ...base, tape: { values, kinds: base.tape.kinds } });
    }
  });
  for (const v of variants) {
    const r = await runScenario(abd, v);
    expect(failsSameWay(s.target!, r), `removing one element still fails: ${JSON.stringify({ ops: v.ops.length, faults: v.faults.length })}`).toBe(false);
  }
  return variants.length;
}

describe('shrink', () => {
  it('shrinks abd/minority-quorum seed 0 to a 1-minimal run that still fails the same way', async () => {
    const s = await shrink(abd, { options: resolveOptions(abd, { variant: 'minority-quorum', seed: 0 }) }, { maxRuns: 20_000 });
    expect(s.reproduced).toBe(true);
    expect(s.exhausted).toBe(false);
    expect(s.target).toEqual({ outcome: 'completed', checker: 'linearizable(register)' });
    expect(s.shrunk.ops).toBeLessThan(s.original.ops);
    expect(s.shrunk.ops).toBeLessThanOrEqual(5);
    // The shrunk input replays to the same run.
    const again = await runScenario(abd, s.input);
    expect(again.sim.fingerprint).toBe(s.result.sim.fingerprint);
    expect(failsSameWay(s.target!, again)).toBe(true);
    await assertOneMinimal(s);
  });

  it('shrinks abd/no-write-back seed 7 to a 1-minimal run (ops, faults, drops/dups/reorders)', async () => {
    const s = await shrink(abd, { options: resolveOptions(abd, { variant: 'no-write-back', seed: 7 }) }, { maxRuns: 20_000 });
    expect(s.reproduced).toBe(true);
    expect(s.exhausted).toBe(false);
    expect(s.shrunk.ops).toBeLessThan(s.original.ops / 2);
    expect(s.shrunk.faults).toBeLessThan(s.original.faults);
    const checked = await assertOneMinimal(s);
    expect(checked).toBeGreaterThan(s.shrunk.ops);
  });

  it('is deterministic: the same input shrinks to the same output', async () => {
    const input = { options: resolveOptions(abd, { variant: 'minority-quorum', seed: 3 }) };
    const a = await shrink(abd, input, { maxRuns: 3000 });
    const b = await shrink(abd, input, { maxRuns: 3000 });
    expect(a.reproduced).toBe(true);
    expect(JSON.stringify(b.input)).toBe(JSON.stringify(a.input));
    expect(b.result.sim.fingerprint).toBe(a.result.sim.fingerprint);
    expect(b.runs).toBe(a.runs);
  });

  it('reports an input that does not fail, and changes nothing', async () => {
    const s = await shrink(abd, { options: resolveOptions(abd, { variant: 'correct', seed: 1, ops: 20 }) }, { maxRuns: 100 });
    expect(s.reproduced).toBe(false);
    expect(s.runs).toBe(1);
  });

  it('stops at its budget and says so', async () => {
    const s = await shrink(abd, { options: resolveOptions(abd, { variant: 'no-write-back', seed: 7 }) }, { maxRuns: 30 });
    expect(s.exhausted).toBe(true);
    expect(s.runs).toBeLessThanOrEqual(30);
    expect(failsSameWay(s.target!, await runScenario(abd, s.input))).toBe(true);
  });

  it('tells a short story that ends with the op that cannot be placed', async () => {
    const s = await shrink(abd, { options: resolveOptions(abd, { variant: 'minority-quorum', seed: 0 }) });
    const story = tellStory(await runScenario(abd, s.input, { recordTrace: true }));
    expect(story.steps).toBeGreaterThan(2);
    expect(story.steps).toBeLessThanOrEqual(30);
    expect(story.text).toMatch(/client invokes write/);
    expect(story.text).toMatch(/VIOLATION linearizable\(register\)/);
    expect(story.text).toMatch(/cannot be placed/);
  });
});

describe('shrink budget (deterministic units)', () => {
  const input = () => ({ options: resolveOptions(abd, { variant: 'no-write-back', seed: 7 }) });

  it('a run budget stops at the same input every time, and says it was the run budget', async () => {
    const a = await shrink(abd, input(), { maxRuns: 40 });
    const b = await shrink(abd, input(), { maxRuns: 40 });
    expect(a.stoppedBy).toBe('runs');
    expect(a.exhausted).toBe(true);
    expect(a.runs).toBe(40);
    expect(inputKey(b.input)).toBe(inputKey(a.input));
    expect(b.result.sim.fingerprint).toBe(a.result.sim.fingerprint);
  });

  it('an event budget counts simulated events over every run', async () => {
    const s = await shrink(abd, input(), { maxEvents: 50_000 });
    expect(s.stoppedBy).toBe('events');
    expect(s.events).toBeGreaterThanOrEqual(50_000);
    const again = await shrink(abd, input(), { maxEvents: 50_000 });
    expect(again.runs).toBe(s.runs);
    expect(inputKey(again.input)).toBe(inputKey(s.input));
  });

  it('the wall-clock limit is only a safety net, and a result it cut short says wall-time', async () => {
    let fakeMs = 0;
    const s = await shrink(abd, input(), { wallLimitMs: 10_000, wallClock: () => (fakeMs += 1000) });
    expect(s.stoppedBy).toBe('wall-time');
    expect(s.exhausted).toBe(true);
    expect(failsSameWay(s.target!, await runScenario(abd, s.input))).toBe(true);
  });

  it('a starved history check gives the same shrink or one that says a safety net stopped it', async () => {
    const given = { options: resolveOptions(abd, { variant: 'minority-quorum', seed: 0 }) };
    const calm = await shrink(abd, given);
    // A 1 ms wall net per check: on a fast machine nothing changes, on a busy one a check gives up.
    const starved = await shrink(abd, given, { check: { checkTimeoutMs: 1 } });
    expect(calm.stoppedBy).toBe('fixpoint');
    if (!starved.reproduced) expect(starved.result.status).toBe('unknown');
    else if (starved.stoppedBy === 'fixpoint') expect(inputKey(starved.input)).toBe(inputKey(calm.input));
    else expect(starved.stoppedBy).toBe('check-safety-net');
  });

  it('knows a safety-net unknown from a search-budget unknown', () => {
    const run = (budget: string) => ({ checks: [{ checker: 'linearizable(x)', verdict: 'unknown', summary: '', details: { budget } }] }) as unknown as RunResult;
    expect(hitCheckSafetyNet(run('wall-time'))).toBe(true);
    expect(hitCheckSafetyNet(run('memory'))).toBe(true);
    expect(hitCheckSafetyNet(run('states'))).toBe(false);
  });

  it('rejects a budget out of bounds', () => {
    expect(() => new ShrinkBudget({ maxRuns: 0 })).toThrow(/maxRuns/);
    expect(() => new ShrinkBudget({ maxEvents: Number.NaN })).toThrow(/maxEvents/);
  });

  it('the cache key is a short stable hash of the canonical input', async () => {
    const r = await runScenario(abd, input());
    const c: ExplicitInput = { options: input().options, ops: r.ops, faults: r.faults, tape: r.sim.tape };
    const key = inputKey(c);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(c).length).toBeGreaterThan(10_000);
    // The same data with its fields in another order: the same key.
    const reordered = Object.fromEntries(Object.entries(c.options).reverse()) as typeof c.options;
    expect(inputKey({ ...c, options: reordered })).toBe(key);
    // One tape value changed: another key.
    const values = c.tape.values.slice();
    values[values.length - 1] += 1;
    expect(inputKey({ ...c, tape: { ...c.tape, values } })).not.toBe(key);
    expect(inputKey({ ...c, ops: c.ops.slice(1) })).not.toBe(key);
  });
});

describe('shrinkAndSave: shrink, save, replay, tell, written once', () => {
  it('has the failure on disk before shrinking starts, and the shrunk one when it returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-cx-'));
    const path = join(dir, 'abd', 'minority-quorum-0.json');
    const onDiskAtRun: boolean[] = [];
    const cx = await shrinkAndSave(abd, { options: resolveOptions(abd, { variant: 'minority-quorum', seed: 0 }) }, {
      corpusDir: dir,
      createdBy: 'test',
      onProgress: () => onDiskAtRun.push(existsSync(path)),
    });
    expect(onDiskAtRun.length).toBeGreaterThan(10);
    expect(onDiskAtRun.every((x) => x)).toBe(true);
    expect(cx.saved).toBe(path);
    expect(cx.replay).toBe(`faultline replay ${path}`);
    const loaded = loadEntry(path, protocols);
    expect(loaded.input.ops.length).toBe(cx.shrunk.shrunk.ops);
    expect(loaded.entry.fingerprint).toBe(cx.shrunk.result.sim.fingerprint);
    expect(cx.story.text).toMatch(/VIOLATION linearizable\(register\)/);
  });

  it('writes nothing with corpusDir false, and nothing for a run that does not fail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-cx-'));
    const pass = await shrinkAndSave(abd, { options: resolveOptions(abd, { variant: 'correct', seed: 1, ops: 20 }) }, { corpusDir: dir, createdBy: 'test' });
    expect(pass.shrunk.reproduced).toBe(false);
    expect(pass.saved).toBeUndefined();
    expect(existsSync(join(dir, 'abd'))).toBe(false);
    const off = await shrinkAndSave(abd, { options: resolveOptions(abd, { variant: 'minority-quorum', seed: 0 }) }, { corpusDir: false, createdBy: 'test', maxRuns: 20 });
    expect(off.saved).toBeUndefined();
  });

  it('faultline shrink takes --shrink-runs and says when the run budget stopped it', async () => {
    const r = await runCli(['shrink', 'abd', '--variant', 'no-write-back', '--seed', '7', '--shrink-runs', '25']);
    expect(r.code, r.errLines.join('\n')).toBe(0);
    expect(r.out).toMatch(/in 25 runs, .* - the run budget ran out: the best so far, not necessarily minimal/);
    for (const bad of ['0', '99999999999']) {
      const b = await runCli(['shrink', 'abd', '--variant', 'no-write-back', '--seed', '7', `--shrink-runs=${bad}`]);
      expect(badInputProblem(b), bad).toBeUndefined();
      expect(b.errLines[0]).toMatch(/^faultline: --shrink-runs takes a whole number from 1 to 10,?000,?000, got/);
    }
  });
});

describe('corpus', () => {
  it('encodes and decodes tapes exactly', () => {
    const tape = { values: [0, 0, 3, 1, 0, 0, 0, 1], kinds: [2, 2, 2, 0, 1, 2, 3, 3] as ChoiceKind[], causes: [-1, -1, 0, 0, 0, 7, 7, 7] };
    expect(decodeTape(encodeTape(tape))).toEqual(tape);
    expect(encodeTape(tape)).toBe('l*2 l3@0 d1@0 u@0 l@7 r@7 r1@7');
  });

  it('a saved entry replays to the identical fingerprint in a fresh process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-corpus-'));
    const s = await shrink(abd, { options: resolveOptions(abd, { variant: 'minority-quorum', seed: 0 }) });
    const path = saveEntry(dir, makeEntry(s.input, s.result, 'test'));
    expect(loadEntry(path, protocols).input.tape).toEqual(s.input.tape);
    const out = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'replay', path], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(1);
    expect(out.stdout).toContain(`fingerprint ${s.result.sim.fingerprint} matches the recorded one`);
  });

  it('bad corpus files give one clear line and exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-bad-'));
    const good = JSON.parse(readFileSync('corpus/abd/minority-quorum-0.json', 'utf8'));
    const cases: Array<[string, string, RegExp]> = [
      ['garbage.json', '{ not json', /not valid JSON/],
      ['version.json', JSON.stringify({ ...good, version: 9 }), /unknown corpus version 9.*\(upgrade faultline\)/],
      ['protocol.json', JSON.stringify({ ...good, protocol: 'nope' }), /unknown protocol 'nope'/],
      ['variant.json', JSON.stringify({ ...good, variant: 'nope' }), /unknown variant "nope"/],
      ['truncated.json', JSON.stringify({ ...good, tape: { ...good.tape, length: good.tape.length + 5 } }), /tape is truncated/],
      ['badtape.json', JSON.stringify({ ...good, tape: { ...good.tape, choices: 'l3 x9' } }), /tape does not parse/],
      ['ops.json', JSON.stringify({ ...good, ops: [{ client: 0, node: 'n9', thinkMs: 0, f: 'read', value: null }] }), /ops\[0\]\.node/],
    ];
    for (const [name, text, re] of cases) {
      const file = join(dir, name);
      writeFileSync(file, text);
      expect(() => loadEntry(file, protocols)).toThrow(CorpusError);
      // In process (a tsx spawn per case costs seconds); the bin's own path is tested end to end elsewhere.
      const out = await runCli(['replay', file]);
      expect(out.code, name).toBe(2);
      const lines = out.errLines.filter((l) => l.startsWith('faultline:'));
      expect(out.errLines, name).toEqual(lines);
      expect(lines.length, name).toBe(1);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(re);
      expect(lines[0]).toMatch(/\(.+\)$/);
    }
  });
});

describe('cause-keyed tapes', () => {
  it('removing planned ops keeps every other op on exactly the schedule it had', async () => {
    // With no faults, removing the last op of the plan changes nothing before it: the remaining
    // ops keep their network decisions although the run draws fewer of them.
    const options = resolveOptions(abd, { variant: 'correct', seed: 3, ops: 30, nemesis: [], dropRate: 0.2, dupRate: 0.2, reorderRate: 0.2 });
    const full = await runScenario(abd, { options });
    const input = { options, ops: full.ops, faults: full.faults, tape: full.sim.tape };
    const last = full.ops.length - 1;
    const fewer = await runScenario(abd, withoutOps(input, last, last + 1));
    // The plan's last op is its client's last op: the last invoke of that client.
    const client = full.ops[last].client;
    const lastInvoke = full.sim.history.findLastIndex((h) => h.type === 'invoke' && h.process % options.clients === client);
    expect(lastInvoke).toBeGreaterThan(20);
    // Every record before the removed op's invoke is the same in both runs.
    expect(fewer.sim.history.slice(0, lastInvoke)).toEqual(full.sim.history.slice(0, lastInvoke));
  });
});

describe('cuts-to-losses', () => {
  // A fixture, not the corpus entry (which is re-saved as the shrinker improves): the saga
  // counterexample as it was saved before this pass existed, with three partitions.
  const file = 'test/fixtures/shrink/saga-three-partitions.json';

  it('a partition told as the losses it caused is the same run: the same history, the same messages lost', async () => {
    const { protocol, input } = loadEntry(file, protocols);
    const traced = await runScenario(protocol, input, { recordTrace: true });
    const i = input.faults.findIndex((f) => f.kind === 'partition');
    expect(i).toBeGreaterThanOrEqual(0);
    const cutBefore = traced.sim.trace.filter((e) => e.kind === 'drop' && e.detail === 'cut').length;
    expect(cutBefore).toBeGreaterThan(0);
    let c: ExplicitInput = { options: input.options, ops: input.ops, faults: input.faults, tape: input.tape };
    let r = traced;
    // Every partition, one after another, each from a trace of the run before.
    while (c.faults.some((f) => f.kind === 'partition')) {
      const next = asLosses(c, r, c.faults.findIndex((f) => f.kind === 'partition'));
      expect(next).not.toBeNull();
      c = next!;
      r = await runScenario(protocol, c, { recordTrace: true });
    }
    expect(JSON.stringify(r.sim.history)).toBe(JSON.stringify(traced.sim.history));
    expect(r.failing).toEqual(traced.failing);
    expect(r.sim.stats.dropped).toBe(traced.sim.stats.dropped);
    expect(r.sim.trace.filter((e) => e.kind === 'drop' && e.detail === 'cut')).toHaveLength(0);
    expect(r.sim.trace.filter((e) => e.kind === 'deliver').length).toBe(traced.sim.trace.filter((e) => e.kind === 'deliver').length);
  });

  it('shrinks a failure that needed three partitions to one that needs none, deterministically', async () => {
    const { protocol, input } = loadEntry(file, protocols);
    const a = await shrink(protocol, input);
    const b = await shrink(protocol, input);
    expect(a.stoppedBy).toBe('fixpoint');
    expect(a.original.faults).toBe(3);
    expect(a.shrunk.faults).toBe(0);
    expect(a.result.failing).toContain(a.target!.checker);
    expect(b.result.sim.fingerprint).toBe(a.result.sim.fingerprint);
    expect(b.runs).toBe(a.runs);
  });
});
