import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandHelp, commands, parseFlags, type CommandName } from '../../src/cli/flags.ts';
import { badInputProblem, runCli } from './helpers.ts';

/**
 * Every class of bad input found by fuzzing the CLI (issue 14): each must be exit 2 and exactly
 * one line on stderr, never a stack trace, an internal error (70), a hang or silent acceptance.
 */
const dir = mkdtempSync(join(tmpdir(), 'faultline-badinput-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const aFile = file('a-file.txt', 'not a directory\n');
const good = JSON.parse(readFileSync('corpus/abd/minority-quorum-0.json', 'utf8'));
const entry = (name: string, edit: (e: any) => void) => {
  const e = JSON.parse(JSON.stringify(good));
  edit(e);
  return file(name, JSON.stringify(e));
};
const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);

type Case = [what: string, argv: string[], message: RegExp];

const cases: Case[] = [
  // Corpus options.links and rates were not validated.
  ['a corpus link to an unknown node', ['replay', entry('links-node.json', (e) => (e.options.links = [{ from: 'n1', to: 'n42' }]))], /options\.links\[0\] names node n42/],
  ['a corpus link rate of 5', ['replay', entry('links-rate.json', (e) => (e.options.links = [{ from: 'n1', to: 'n2', dupRate: 5 }]))], /options\.links\[0\]\.dupRate/],
  ['a corpus link of the wrong shape', ['replay', entry('links-shape.json', (e) => (e.options.links = [[1, 2]]))], /options\.links\[0\]/],
  ['a corpus drop rate of -1', ['replay', entry('rate.json', (e) => (e.options.dropRate = -1))], /options\.dropRate \(--drop\) must be a probability/],
  ['a corpus with 1e23 nodes', ['replay', entry('nodes.json', (e) => (e.options.nodes = 1e23))], /options\.nodes/],
  ['a corpus with a fault on an unknown node', ['shrink', entry('fault.json', (e) => (e.faults = [{ kind: 'pause', atMs: 1, durationMs: 1, node: 'n77' }]))], /faults\[0\] names node n77/],
  // Op values nested deeper than the copier allows, or with an own __proto__ key.
  ['a corpus op value nested 100 deep', ['replay', entry('deep-op.json', (e) => (e.ops[0].value = JSON.parse(nest(100))))], /ops\[0\]\.value.*nested deeper than 16/],
  ['a corpus op value nested 100,000 deep', ['replay', file('deeper-op.json', JSON.stringify(good).replace('"value":null', `"value":${nest(100_000)}`))], /nested deeper than 16/],
  ['a corpus op value with an own __proto__', ['replay', file('proto-op.json', JSON.stringify(good).replace('"value":null', '"value":{"__proto__":{"polluted":1}}'))], /has the key "__proto__"/],
  // Deeply nested JSON Lines values (stack overflow in hashing).
  ['a JSON Lines value nested 100,000 deep', ['check', file('deep.jsonl', `{"type":"invoke","process":0,"f":"write","value":${nest(100_000)}}\n`), '--model', 'register'], /line 1: a value nested deeper than 500/],
  ['a JSON Lines key nested 100,000 deep', ['check', file('deep-key.jsonl', `{"type":"invoke","process":0,"f":"put","key":${nest(100_000)},"value":1}\n`), '--model', 'kv'], /nested deeper than 500/],
  // --out / --corpus pointing at a file.
  ['--out at a file', ['run', 'abd', '--out', aFile], /--out takes a directory, but '.*a-file\.txt' is a file/],
  ['--out under a file', ['run', 'abd', '--out', join(aFile, 'sub')], /--out takes a directory, but .*a-file\.txt.* is a file/],
  ['--corpus at a file (run --save)', ['run', 'abd', '--save', '--corpus', aFile], /--corpus takes a directory/],
  ['--corpus at a file (shrink)', ['shrink', 'abd', '--corpus', aFile], /--corpus takes a directory/],
  // Names looked up with `in`.
  ...['constructor', '__proto__', 'toString', 'hasOwnProperty'].flatMap((v): Case[] => [
    [`--variant ${v} (run)`, ['run', 'abd', '--variant', v], new RegExp(`unknown variant '${v}' of abd: choose from correct`)],
    [`--variant ${v} (shrink)`, ['shrink', 'raft', '--variant', v], new RegExp(`unknown variant '${v}' of raft`)],
    [`--variant ${v} (explore)`, ['explore', 'abd', '--variant', v], new RegExp(`unknown variant '${v}' of abd`)],
    [`--strategy ${v}`, ['explore', 'abd', '--strategy', v], /--strategy takes one of random, swarm/],
    [`protocol ${v}`, ['run', v], /unknown protocol/],
    [`--model ${v}`, ['check', aFile, '--model', v], /--model takes one of register/],
    [`--nemesis ${v}`, ['run', 'abd', '--nemesis', v], /unknown nemesis/],
    [`command ${v}`, [v], /unknown command/],
  ]),
  // A timeout past Node's 2^31-1 ms timer marked every seed hung.
  ['--seed-timeout 2147484', ['run', 'abd', '--seed-timeout', '2147484'], /--seed-timeout takes a whole number from 1 to 2147483, got '2147484'/],
  ['--shrink-wall-seconds 1e9', ['shrink', 'abd', '--shrink-wall-seconds', '1000000000'], /--shrink-wall-seconds takes a whole number from 1 to 604800/],
  ['--shrink-runs 0 (run --save)', ['run', 'abd', '--save', '--shrink-runs', '0'], /--shrink-runs takes a whole number from 1 to 10000000, got '0'/],
  ['explore --time 999999h', ['explore', 'abd', '--time', '999999h'], /--time 999999h is longer than 8760 h/],
  ['explore --seed-timeout 2147484', ['explore', 'abd', '--seed-timeout', '2147484'], /--seed-timeout takes a whole number from 1 to 86400/],
  ['check --timeout 1e300', ['check', aFile, '--timeout', '1e300'], /--timeout takes a number/],
  // Sizes with no upper bound: 1e23 crashed, 100000 nodes hung.
  ...['nodes', 'clients', 'ops', 'heal-at', 'quiet', 'think', 'op-timeout', 'max-steps', 'fault-interval', 'fault-duration'].map(
    (f): Case => [`--${f} 1e23`, ['run', 'abd', `--${f}`, '1e23'], new RegExp(`--${f} takes a whole number from \\d+ to \\d+, got '1e23'`)],
  ),
  ['--ops 1000000', ['run', 'abd', '--ops', '1000000'], /--ops takes a whole number from 0 to 200000, got '1000000'/],
  ...['nodes', 'clients'].map((f): Case => [`--${f} 100000`, ['run', 'abd', `--${f}`, '100000'], new RegExp(`--${f} takes a whole number from \\d+ to [\\d,]+, got '100000'`)]),
  ...['nodes', 'clients'].map((f): Case => [`explore --${f} 100000`, ['explore', 'abd', `--${f}`, '100000'], new RegExp(`--${f} takes a whole number`)]),
  ['--heal-at 3600001', ['run', 'abd', '--heal-at', '3600001'], /--heal-at takes a whole number from 0 to 3600000/],
  ['a plan of 3.6 million faults', ['run', 'abd', '--heal-at', '3600000', '--fault-interval', '1'], /plans 3600000 faults, more than 100000/],
  ['--seeds spanning 10^15 seeds', ['run', 'abd', '--seeds', '0..999999999999999'], /spans \d+ values, more than 1000000/],
  ['--seed past 2^53', ['run', 'abd', '--seed', '9007199254740993'], /--seed takes a whole number/],
  ['--latency past its bound', ['run', 'abd', '--latency', '1..99999999'], /--latency takes a range/],
  ['--workers 1e6', ['run', 'abd', '--workers', '1000000'], /--workers takes a whole number from 0 to 256/],
  // Unknown flags of every command, demo and list included.
  ...(Object.keys(commands) as CommandName[]).map((c): Case => [`an unknown flag of ${c}`, [c, '--frobnicate'], new RegExp(`unknown option --frobnicate for faultline ${c}`)]),
  ['a stray argument to list', ['list', 'extra', 'more'], /faultline list takes one <protocol>, got 2: extra more/],
  ['a stray argument to demo', ['demo', 'now'], /faultline demo takes no arguments/],
  ['a value given to a switch', ['list', '--help=yes'], /--help takes no value/],
  // Node's three-line "argument is ambiguous" text.
  ...['nodes', 'clients', 'ops', 'seed', 'heal-at', 'workers'].map((f): Case => [`--${f} -1`, ['run', 'abd', `--${f}`, '-1'], new RegExp(`--${f} takes a whole number from \\d+ to [\\d,]+, got '-1'`)]),
  ['--drop -0.5', ['run', 'abd', '--drop', '-0.5'], /--drop takes a probability from 0 to 1, got '-0.5'/],
  ['--nodes -1 (shrink)', ['shrink', 'abd', '--nodes', '-1'], /--nodes takes a whole number/],
  ['a flag with no value', ['run', 'abd', '--nodes'], /--nodes needs a value: a whole number from 1 to 100/],
  ['a flag whose value is another flag', ['run', 'abd', '--out', '--json'], /--out needs a value \(a directory path\), got the option --json/],
  ['a flag whose value looks like an option', ['run', 'abd', '--out', '---'], /--out needs a value \(a directory path\), got the option ---/],
  ['a flag given twice', ['run', 'abd', '--nodes', '3', '--nodes', '5'], /--nodes is given twice/],
  ['--seed and --seeds together', ['run', 'abd', '--seed', '1', '--seeds', '0..3'], /either --seed N or --seeds A..B/],
  ['scenario flags with a corpus entry', ['shrink', 'corpus/abd/minority-quorum-0.json', '--nodes', '3'], /--nodes does not apply to a corpus entry/],
];

describe('bad input: exit 2 and one line on stderr, never a stack trace', () => {
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const r = await runCli(argv);
      expect(badInputProblem(r)).toBeUndefined();
      expect(r.errLines[0]).toMatch(message);
    });
  }

  it('a run directory blocked by a file under --out is one line, exit 2', async () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-badinput-out-'));
    writeFileSync(join(out, 'abd-no-write-back-seed-7'), 'in the way\n');
    const r = await runCli(['run', 'abd', '--variant', 'no-write-back', '--seed', '7', '--workers', '0', '--out', out]);
    expect(badInputProblem(r)).toBeUndefined();
    expect(r.errLines[0]).toMatch(/cannot mkdir .*abd-no-write-back-seed-7: EEXIST/);
  });

  it('--heal-at 100000 (within bounds) is an honest run with a verdict', async () => {
    const r = await runCli(['run', 'abd', '--heal-at', '100000', '--ops', '3', '--nemesis', 'none', '--workers', '0']);
    expect([0, 1, 3]).toContain(r.code);
    expect(r.out).toMatch(/abd\/correct seed 0: (PASS|FAIL|UNKNOWN)/);
    expect(r.errLines).toEqual([]);
  });
});

describe('the flag table', () => {
  it('every command has generated help naming each of its flags, and --help exits 0', async () => {
    for (const c of Object.keys(commands) as CommandName[]) {
      const text = commandHelp(c);
      for (const name of Object.keys(commands[c].flags)) expect(text, `${c} --${name}`).toContain(`--${name}`);
      const r = await runCli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.out).toContain(text);
    }
  });

  it('parses values by their type, in both --flag value and --flag=value forms', () => {
    const { values, positionals } = parseFlags('run', ['abd', '--nodes=3', '--drop', '0.25', '--latency', '2..9', '--seeds', '4..6', '--json', '--nemesis', 'crash,clocks']);
    expect(positionals).toEqual(['abd']);
    expect(values).toMatchObject({ nodes: 3, drop: 0.25, latency: { min: 2, max: 9 }, seeds: { min: 4, max: 6 }, json: true });
    expect(values.nemesis).toEqual(['crash', 'clock-bump', 'clock-strobe', 'clock-skew']);
    expect(parseFlags('run', ['--', '--not-a-flag']).positionals).toEqual(['--not-a-flag']);
  });
});
