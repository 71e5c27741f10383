import { describe, expect, it } from 'vitest';
import { compareOutput, inputSplit, jobSpec, JOB_IDS, mapSplit, mapreduce, reducePartition, sequentialWordCount, type WordCount } from '../../protocols/mapreduce/index.ts';
import { swarmOptions } from '../../src/explore/strategies/swarm.ts';
import { runScenario, type RunResult } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';
import * as shared from './helpers.ts';

/** Seed `seed` as the default exploration (`faultline explore`, strategy swarm) runs it. */
function runSwarm(variant: string, seed: number): Promise<RunResult> {
  const base = resolveOptions(mapreduce, { variant });
  return runScenario(mapreduce, { options: swarmOptions(mapreduce, base, { variant }, seed) });
}

async function firstSwarmFailure(variant: string, from: number, to: number): Promise<{ seed: number; r: RunResult } | undefined> {
  for (let seed = from; seed <= to; seed++) {
    const r = await runSwarm(variant, seed);
    if (r.status !== 'pass') return { seed, r };
  }
  return undefined;
}

/** How many reads saw a job done (a pass is not vacuous: jobs ran to the end and were read). */
function doneReads(r: RunResult): number {
  return r.sim.history.filter((h) => h.type === 'ok' && h.f === 'read' && (h.value as { state: string }).state === 'done').length;
}

describe('mapreduce job (word count)', () => {
  it('map, partition and reduce over every split give the sequential word count of every job', () => {
    for (let id = 0; id < JOB_IDS; id++) {
      const spec = jobSpec(id);
      const outputs = Array.from({ length: spec.maps }, (_, m) => mapSplit(spec, m));
      const records: WordCount[] = [];
      for (let r = 0; r < spec.reduces; r++) records.push(...reducePartition(outputs.map((o) => o[r])));
      expect(compareOutput(id, records, true), `job ${id}`).toBe(true);
      const words = Array.from({ length: spec.maps }, (_, m) => inputSplit(id, m).length).reduce((a, b) => a + b, 0);
      expect(records.reduce((a, [, c]) => a + c, 0)).toBe(words);
    }
  });

  it('the output comparison names a word counted twice, a wrong count, an unknown word and a missing one', () => {
    const expected = [...sequentialWordCount(2)].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const [w, c] = expected[0];
    expect(compareOutput(2, [...expected, [w, c]], true)).toBe(`'${w}' appears twice in the output of job 2`);
    expect(compareOutput(2, [[w, c + 1]], false)).toBe(`'${w}' counted ${c + 1} in the output of job 2, the sequential run counts ${c}`);
    expect(compareOutput(2, [['zebu', 1]], false)).toBe(`'zebu' is in the output of job 2 but not in its input`);
    expect(compareOutput(2, expected.slice(1), true)).toBe(`the output of job 2 lacks '${w}'`);
    expect(compareOutput(2, expected.slice(1), false)).toBe(true);
  });
});

describe('mapreduce (master, heartbeating workers, re-execution, atomic commit)', () => {
  it('correct passes seeds 0..3 of the default scenario (full nemesis) and 0..11 of the default exploration', async () => {
    const names = ['reads-match-sequential-run', 'jobs-never-forgotten', 'always(output-exactly-once)', 'eventually(jobs-complete-after-heal)', 'pending-ops-complete'];
    for (let seed = 0; seed <= 3; seed++) {
      const r = await shared.runVariant(mapreduce, 'correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      expect(r.checks.map((c) => c.checker)).toEqual(names);
      expect(doneReads(r), `seed ${seed}`).toBeGreaterThan(5);
    }
    let done = 0;
    for (let seed = 0; seed <= 11; seed++) {
      const r = await runSwarm('correct', seed);
      expect({ seed, status: r.status, failing: r.failing }).toEqual({ seed, status: 'pass', failing: [] });
      done += doneReads(r);
    }
    expect(done).toBeGreaterThan(50);
  });

  it('non-atomic-output: a re-executed reduce writes its words again, found at seed 0 of the default exploration', async () => {
    const f = await firstSwarmFailure('non-atomic-output', 0, 0);
    expect(f?.seed).toBe(0);
    expect(f?.r.failing).toContain('always(output-exactly-once)');
    expect(f?.r.checks.find((c) => c.checker === 'always(output-exactly-once)')?.summary).toMatch(/appears twice/);
  });

  it('straggler-accepted: a late map result of a re-assigned task is counted too, first at seed 9 of the default exploration', async () => {
    const f = await firstSwarmFailure('straggler-accepted', 0, 9);
    expect(f?.seed).toBe(9);
    expect(f?.r.failing).toContain('always(output-exactly-once)');
    expect(f?.r.checks.find((c) => c.checker === 'always(output-exactly-once)')?.summary).toMatch(/counted \d+ in the output/);
  });

  it('forget-completed: a restarted master commits a partition again, first at seed 3 of the default exploration', async () => {
    const f = await firstSwarmFailure('forget-completed', 0, 3);
    expect(f?.seed).toBe(3);
    expect(f?.r.failing).toContain('always(output-exactly-once)');
    expect(f?.r.checks.find((c) => c.checker === 'always(output-exactly-once)')?.summary).toMatch(/appears twice/);
  });
});
