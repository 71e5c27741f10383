import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './badinput/helpers.ts';

const tsx = createRequire(import.meta.url).resolve('tsx/cli');

/** Runs the CLI in a fresh process, as a user would. */
function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [tsx, 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('faultline run / list (CLI)', () => {
  it('list prints every protocol variant as <protocol> <variant> <correct|bug>', () => {
    const r = cli('list');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^\S+ \S+ (correct|bug)( \(faults: \S+\))?$/);
    expect(lines).toContain('abd no-write-back bug');
    expect(lines).toContain('abd correct correct');
    // A variant run under fewer fault kinds than all says which (3PC is correct under crash-stop only).
    expect(lines).toContain('3pc correct correct (faults: crash,dup-spike)');
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['an unknown protocol', ['run', 'nope'], /unknown protocol 'nope': choose from .*abd/],
    ['a bad seed', ['run', 'abd', '--seed', 'x1'], /--seed takes a whole number from 0 to [0-9,]+, got 'x1'/],
    ['an empty seed range', ['run', 'abd', '--seeds', '5..2'], /range is empty/],
    ['zero nodes', ['run', 'abd', '--nodes', '0'], /--nodes takes a whole number from 1 to 100, got '0'/],
    ['a negative rate', ['run', 'abd', '--drop=-0.1'], /--drop takes a probability from 0 to 1, got '-0.1'/],
    ['a rate above 1', ['run', 'abd', '--dup', '1.5'], /--dup takes a probability from 0 to 1, got '1.5'/],
    ['an unknown nemesis', ['run', 'abd', '--nemesis', 'crash,meteor'], /unknown nemesis 'meteor': choose from .*partition-halves/],
    ['an unknown variant', ['run', 'abd', '--variant', 'nope'], /unknown variant 'nope' of abd: choose from correct/],
    ['an unknown flag', ['run', 'abd', '--frobnicate'], /frobnicate/],
    ['an unknown command', ['frob'], /unknown command 'frob'/],
  ];
  // In process (a tsx spawn per case costs seconds); the process wiring is checked once below.
  for (const [what, args, message] of bad) {
    it(`rejects ${what} with one line and exit code 2`, async () => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.errLines).toHaveLength(1);
      expect(r.errLines[0]).toMatch(message);
    });
  }

  it('the faultline process exits 2 with one line on stderr for bad usage', () => {
    const r = cli('run', 'abd', '--nodes', '-1');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual(["faultline: --nodes takes a whole number from 1 to 100, got '-1'"]);
  });

  it('a passing seed exits 0 with a summary and fingerprint; the same seed prints the same fingerprint', () => {
    const a = cli('run', 'abd', '--seed', '3');
    const b = cli('run', 'abd', '--seed', '3');
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/abd\/correct seed 3: PASS/);
    expect(a.out).toMatch(/ops\s+\d+ ok, \d+ fail, \d+ info/);
    expect(a.out).toMatch(/messages\s+\d+ sent, \d+ delivered, \d+ dropped, \d+ duplicated/);
    const fp = /fingerprint ([0-9a-f]{16})/.exec(a.out)?.[1];
    expect(fp).toBeDefined();
    expect(b.out).toContain(`fingerprint ${fp}`);
  });

  it('a found violation exits 1, names the seed and replay command, and is saved to disk', () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-'));
    const r = cli('run', 'abd', '--variant', 'no-write-back', '--seeds', '0..10', '--out', out, '--check-determinism');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seed 7: FAIL \(linearizable\(register\)\)/);
    expect(r.out).toContain('replay    faultline run abd --variant no-write-back --seed 7');
    expect(r.out).toMatch(/explored 11 of 11 seeds .* 10 pass, 1 fail/);
    const dir = join(out, 'abd-no-write-back-seed-7');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('fail');
    expect(summary.replay).toBe('faultline run abd --variant no-write-back --seed 7');
    for (const f of ['history.jsonl', 'trace.jsonl', 'faults.json', 'checks.json']) expect(existsSync(join(dir, f))).toBe(true);
    // The replay command reproduces the same run.
    const again = cli('run', 'abd', '--variant', 'no-write-back', '--seed', '7');
    expect(again.code).toBe(1);
    expect(again.out).toContain(`fingerprint ${summary.fingerprint}`);
  });
});

describe('the history-check budget of run and explore (--max-states)', () => {
  // abd/no-write-back seed 7 is a linearizability violation under the default budget.
  const failing = ['abd', '--variant', 'no-write-back', '--seed', '7', '--workers', '0'];

  it('run: the default budget finds the violation; a budget of 1 model step says unknown, exit 3, every time', async () => {
    const found = await runCli(['run', ...failing]);
    expect(found.code).toBe(1);
    const starved = [await runCli(['run', ...failing, '--max-states', '1']), await runCli(['run', ...failing, '--max-states', '1'])];
    for (const r of starved) {
      expect(r.code).toBe(3);
      expect(r.out).toMatch(/UNKNOWN/i);
    }
    expect(starved[0].out).toBe(starved[1].out);
    // The printed rerun command carries the budget, since the verdict depends on it.
    expect(starved[0].out).toContain('replay    faultline run abd --variant no-write-back --max-states 1 --seed 7');
  });

  it('run and explore reject a budget that is not a whole number of steps', async () => {
    for (const cmd of ['run', 'explore']) {
      const r = await runCli([cmd, 'abd', '--max-states', '0']);
      expect(r.code).toBe(2);
      expect(r.errLines).toEqual([expect.stringMatching(/^faultline: --max-states takes a whole number/)]);
    }
  });
});
