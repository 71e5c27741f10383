import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTestArgs } from '../../src/maelstrom/cli.ts';
import { fixtureProcesses, fixtures, run, verdictOf } from './helpers.ts';

// Process runs pace virtual time to real time: keep them short.
const short = { timeLimitS: 0.8, rate: 40, finalWaitMs: 300, opTimeoutMs: 1000 };

describe('maelstrom process mode', () => {
  afterEach(() => {
    // No child process survives a test.
    expect(fixtureProcesses()).toEqual([]);
  });

  it('a Python echo node passes; its buggy twin fails the echo checker', async () => {
    const good = await run('echo', 'node.py', [], short, 'process');
    expect(good.result.status).toBe('pass');
    expect(good.result.sim.stats.ok).toBeGreaterThan(15);
    const bad = await run('echo', 'node.py', ['--bug'], short, 'process');
    expect(verdictOf(bad, 'echo')).toBe('illegal');
  });

  it('kill and pause reach the processes (SIGKILL + restart with a fresh init, SIGSTOP/SIGCONT)', async () => {
    const r = await run('lin-kv', 'lin-kv.js', [], { ...short, timeLimitS: 1.5, nemesis: ['crash', 'pause'], nemesisIntervalS: 0.15 }, 'process');
    expect(r.processes!.kill).toBeGreaterThan(0);
    expect(r.processes!.stop).toBeGreaterThan(0);
    expect(r.processes!.cont).toBe(r.processes!.stop);
    expect(r.processes!.started).toBe(3 + r.processes!.kill);
    // Every restarted process answered its fresh init, and the store (in lin-kv) stayed linearizable.
    expect(verdictOf(r, 'maelstrom-protocol')).toBe('ok');
    expect(verdictOf(r, 'linearizable(kv)')).toBe('ok');
  });

  it('partitions reach process traffic: the buggy Python broadcast loses messages', async () => {
    const over = { ...short, timeLimitS: 1.2, latencyMs: 10, nemesis: ['partition-random-halves' as const, 'partition-isolate' as const], nemesisIntervalS: 0.15 };
    const bad = await run('broadcast', 'node.py', ['--bug'], over, 'process');
    expect(bad.result.sim.stats.dropped).toBeGreaterThan(0);
    expect(verdictOf(bad, 'broadcast')).toBe('illegal');
  });

  it('a program that exits at start, one that never answers, one that prints garbage: each a clear verdict', async () => {
    // Few ops: every op of these nodes waits out its timeout in real time.
    const few = { ...short, timeLimitS: 0.5, rate: 6, opTimeoutMs: 300 };
    // A process that never prints holds time back for at most 1 s here (5 s by default).
    const exit = await run('echo', 'exit-at-start.py', [], few, 'process', { startupMs: 1000 });
    const c = exit.result.checks.find((x) => x.checker === 'maelstrom-protocol')!;
    expect(c.verdict).toBe('illegal');
    expect(c.summary).toMatch(/program exited: exited with code 3/);
    expect(c.summary).toContain('cannot start: missing configuration');
    const silent = await run('echo', 'silent.py', [], few, 'process', { startupMs: 1000 });
    expect(silent.result.checks.find((x) => x.checker === 'maelstrom-protocol')!.summary).toMatch(/never answered init/);
    const garbage = await run('echo', 'garbage.py', [], few, 'process', { startupMs: 1000 });
    expect(garbage.result.checks.find((x) => x.checker === 'maelstrom-protocol')!.summary).toMatch(/not JSON/);
  });

  it('a process flooding the network at one instant stalls the run: StallError, processes reaped', async () => {
    await expect(run('echo', 'chatty.py', [], { ...short, latencyMs: 0 }, 'process', { stallMs: 1500 })).rejects.toThrow(/virtual time stalled at \d+ ms/);
  });
});

describe('maelstrom command line', () => {
  const parse = (...a: string[]) => {
    try {
      parseTestArgs(['test', ...a]);
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('bad input is one clear line naming the fix or the valid choices', () => {
    const bin = path.join(fixtures, 'echo.js');
    expect(parse('-w', 'echo', '--bin', '/nope/node.py')).toMatch(/no such file/);
    expect(parse('-w', 'echo', '--bin', path.join(fixtures, 'not-executable.py'))).toMatch(/not executable \(chmod \+x/);
    expect(parse('-w', 'echo')).toMatch(/needs --bin/);
    expect(parse('-w', 'nope', '--bin', bin)).toMatch(/unknown workload 'nope': choose from echo, unique-ids, broadcast/);
    expect(parse('-w', 'txn-list-append', '--bin', bin, '--consistency-models', 'linearizable-ish')).toMatch(/unknown consistency model 'linearizable-ish': choose from read-uncommitted/);
    expect(parse('-w', 'txn-rw-register', '--bin', bin, '--consistency-models', 'read-committed')).toBe('ok');
    expect(parse('-w', 'broadcast', '--bin', bin, '--topology', 'star')).toMatch(/choose from grid, line, tree2/);
    expect(parse('-w', 'echo', '--bin', bin, '--nemesis', 'meteor')).toMatch(/unknown nemesis 'meteor': choose from partition, kill, pause/);
    expect(parse('-w', 'echo', '--bin', bin, '--concurrency', 'x')).toMatch(/--concurrency takes/);
    expect(parse('-w', 'echo', '--bin', path.join(fixtures, 'node.py'), '--nemesis', 'clock')).toMatch(/cannot reach a process's own clock/);
    expect(parse('-w', 'echo', '--bin', bin, '--nemesis', 'clock')).toBe('ok');
    expect(parse('-w', 'echo', '--bin', bin, '--concurrency', '2n', '--node-count', '4')).toBe('ok');
  });

  it('the CLI exits 2 on bad usage and 0/1 on a valid/invalid run, leaving no process behind', () => {
    const cli = path.resolve(import.meta.dirname, '../../src/cli/main.ts');
    const tsx = path.resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
    const usage = spawnSync(tsx, [cli, 'maelstrom', 'test', '-w', 'echo', '--bin', '/nope'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
    const out = path.join(execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim(), 'run');
    const bad = spawnSync(tsx, [cli, 'maelstrom', 'test', '-w', 'echo', '--bin', path.join(fixtures, 'node.py'), '--node-count', '2', '--time-limit', '0.5', '--rate', '20', '--out', out, '--', '--bug'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/echo\s+:valid\? false/);
    expect(bad.stdout).toMatch(/replay\s+faultline maelstrom test -w echo .* --seed 0 -- --bug/);
    expect(bad.stdout).toContain('outside Faultline\'s control');
    expect(fixtureProcesses()).toEqual([]);
  });

  it('an in-process node stuck in an endless loop is stopped and reported hung (exit 1)', () => {
    const cli = path.resolve(import.meta.dirname, '../../src/cli/main.ts');
    const tsx = path.resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
    const out = path.join(execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim(), 'run');
    const r = spawnSync(tsx, [cli, 'maelstrom', 'test', '-w', 'echo', '--bin', path.join(fixtures, 'loop.js'), '--node-count', '2', '--time-limit', '0.5', '--hang-timeout', '1', '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/hung: a node program did not return for \d/);
  });
});
