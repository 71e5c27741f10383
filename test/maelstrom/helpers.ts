import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { defaultTest, type MaelstromTest } from '../../src/maelstrom/def.ts';
import type { ProcessOptions } from '../../src/maelstrom/process.ts';
import { runMaelstrom, type HostMode, type MaelstromRun } from '../../src/maelstrom/runner.ts';

export const fixtures = path.resolve(import.meta.dirname, '../fixtures/maelstrom');

/** A small, fast test: 3 nodes, 1 s of ops at 40/s, 3 clients. */
export function smallTest(workload: string, over: Partial<MaelstromTest> = {}): MaelstromTest {
  return { ...defaultTest, workload, nodeCount: 3, timeLimitS: 1, rate: 40, concurrency: 3, latencyMs: 5, seed: 1, finalWaitMs: 500, ...over };
}

export async function run(workload: string, file: string, args: string[] = [], over: Partial<MaelstromTest> = {}, mode: HostMode = 'in-process', proc: ProcessOptions = {}): Promise<MaelstromRun> {
  return runMaelstrom(smallTest(workload, over), { bin: path.join(fixtures, file), args, mode }, { process: proc });
}

export function verdictOf(r: MaelstromRun, checker: string): string | undefined {
  return r.result.checks.find((c) => c.checker === checker)?.verdict;
}

/** PIDs of running processes whose command line mentions the fixtures folder. */
export function fixtureProcesses(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,stat,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(fixtures) && !l.includes(' ps ') && !/\sZ/.test(l));
}
