import { defineProtocol, type NodeCtx, type Workload } from '../../src/index.ts';
import { checkJobsKept, checkReadsMatchSequential, jobsCompleteAfterHeal, outputExactlyOnce } from './checks.ts';
import { JOB_IDS } from './job.ts';
import { Master } from './master.ts';
import type { Msg } from './messages.ts';
import { Worker } from './worker.ts';

/**
 * 15% submits of a job, 85% reads of one (its state, and once done its output); job ids 0..JOB_IDS-1.
 *
 * @example
 * jobWorkload(rng, { client: 0, opIndex: 0 }); // { f: 'read', value: { job: 17 } }
 */
export const jobWorkload: Workload = (rng) => ({ f: rng() < 0.15 ? 'submit' : 'read', value: { job: Math.floor(rng() * JOB_IDS) } });

/** After the final heal, every accepted job must be done within this long. */
const JOBS_COMPLETE_WITHIN_MS = 4000;

/**
 * The MapReduce protocol for Faultline: `faultline explore mapreduce --variant straggler-accepted`.
 *
 * @example
 * const r = await runScenario(mapreduce, { options: resolveOptions(mapreduce, { seed: 1 }) });
 */
export const mapreduce = defineProtocol({
  name: 'mapreduce',
  description: 'MapReduce word count: a master (n1) hands map and reduce attempts to heartbeating workers, re-executes the work of silent ones, and commits reduce output from temporary files; its job table is durable',
  variants: {
    correct: { kind: 'correct', description: 'only the current attempt of a task counts; reduce output goes to a temporary file the master commits in one durable step; every task state is durable' },
    'non-atomic-output': { kind: 'bug', description: 'reducers write their output straight into the job output, so a re-executed reduce task writes its words again after the dead attempt\'s partial output' },
    'straggler-accepted': { kind: 'bug', description: 'the master takes a map result by its attempt number alone, so a straggler\'s late result for a task re-assigned elsewhere is used too (the map output is counted twice)' },
    'forget-completed': { kind: 'bug', description: 'the master stores jobs and their output but keeps task progress in memory, so after a restart it runs committed reduce tasks again and their output is appended twice' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => {
    const master = ctx.nodes[0];
    if (ctx.id === master) return new Master(ctx as NodeCtx<Msg>, variant);
    return new Worker(ctx as NodeCtx<Msg>, master);
  },
  workload: jobWorkload,
  checkers: () => [
    { kind: 'custom', name: 'reads-match-sequential-run', check: checkReadsMatchSequential },
    { kind: 'custom', name: 'jobs-never-forgotten', check: checkJobsKept },
  ],
  observers: () => [outputExactlyOnce(), jobsCompleteAfterHeal(JOBS_COMPLETE_WITHIN_MS)],
  // Ops after the heal: the master answers at once; a forwarded op gives up (info) within 900 ms.
  liveness: { opsCompleteWithinMs: 1500 },
  defaults: { quietMs: JOBS_COMPLETE_WITHIN_MS + 1000 },
  minNodes: 2,
});
