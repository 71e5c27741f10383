import { always, pairOps, type CheckerResult } from '../../checkers/index.ts';
import type { CheckingObserver, History, WorldView } from '../../src/index.ts';
import { compareOutput, type WordCount } from './job.ts';
import { Master, type JobRecord } from './master.ts';

/** The master's job table, while the master is up. */
function masterOf(view: WorldView): Master | undefined {
  const s = view.nodes[0]?.state;
  return view.nodes[0]?.up && s instanceof Master ? s : undefined;
}

/**
 * After every event: the output file of every job holds each word at most once, with the count a
 * sequential run over the job's input gives it; a finished job's output holds every word.
 * (Committed partitions only ever grow an output, so each job is judged again only when it changed.)
 *
 * @example
 * observers: () => [outputExactlyOnce()]
 */
export function outputExactlyOnce(): CheckingObserver {
  const judged = new WeakMap<JobRecord, string>();
  const check = always<WorldView>('output-exactly-once', (view) => {
    const master = masterOf(view);
    if (master === undefined) return true;
    for (const [id, job] of master.jobs) {
      const key = `${job.output.length}:${job.done}`;
      if (judged.get(job) === key) continue;
      judged.set(job, key);
      const ok = compareOutput(id, job.output, job.done);
      if (ok !== true) return `${ok}${job.done ? ' (the job is done)' : ''}`;
    }
    return true;
  });
  return { observe: (v, at) => check.observe(v, at), result: () => check.result() };
}

/**
 * Liveness: every job the master accepted is done within `withinMs` of the final heal, or of when
 * the master first had it, whichever is later (a job submitted just before the run ends is not
 * judged). The master must be up to be judged: the final heal restarts it.
 *
 * @example
 * observers: () => [jobsCompleteAfterHeal(4000)]
 */
export function jobsCompleteAfterHeal(withinMs: number): CheckingObserver {
  const checker = 'eventually(jobs-complete-after-heal)';
  let healedAt: number | undefined;
  const firstSeenMs = new Map<number, number>();
  let violation: { eventIndex: number; timeMs: number; message: string } | undefined;
  let judged = 0;
  /** Jobs open at some observation after the heal (each counted once it is done). */
  const openJobs = new Set<number>();
  return {
    markHealed(timeMs) {
      healedAt = timeMs;
    },
    observe(view, at) {
      if (violation !== undefined || healedAt === undefined) return;
      // The master down after the heal (the heal restarts it): its jobs are judged once it is back.
      const master = masterOf(view);
      if (master === undefined) return;
      for (const [id, job] of master.jobs) {
        if (!firstSeenMs.has(id)) firstSeenMs.set(id, at.timeMs);
        if (job.done) {
          if (openJobs.delete(id)) judged++;
          continue;
        }
        openJobs.add(id);
        const deadline = Math.max(healedAt, firstSeenMs.get(id)!) + withinMs;
        if (at.timeMs <= deadline) continue;
        const maps = job.maps.filter((t) => t.state === 'done').length;
        const reduces = job.reduces.filter((t) => t.state === 'done').length;
        violation = { ...at, message: `job ${id} is not done ${withinMs}ms after the heal at ${healedAt}ms (or its submission): ${maps}/${job.maps.length} map and ${reduces}/${job.reduces.length} reduce tasks done` };
      }
    },
    result(): CheckerResult {
      if (violation) return { checker, verdict: 'illegal', summary: `event #${violation.eventIndex} at ${violation.timeMs}ms: ${violation.message}`, details: violation };
      if (healedAt === undefined) return { checker, verdict: 'unknown', summary: 'the run never healed, so completion after the heal was not exercised' };
      return { checker, verdict: 'ok', summary: `every job open at or after the heal completed within ${withinMs}ms (${judged} such jobs)` };
    },
  };
}

interface ReadValue {
  state: 'unknown' | 'running' | 'done';
  output?: WordCount[];
}

/**
 * On the history: every read that saw a job done got exactly the sequential run's word count.
 *
 * @example
 * checkers: () => [{ kind: 'custom', name: 'reads-match-sequential-run', check: checkReadsMatchSequential }]
 */
export function checkReadsMatchSequential(history: History): CheckerResult {
  const checker = 'reads-match-sequential-run';
  let done = 0;
  for (const p of pairOps(history)) {
    if (p.invoke.f !== 'read' || p.outcome !== 'ok') continue;
    const v = p.completion!.value as ReadValue;
    if (v.state !== 'done') continue;
    done++;
    const job = (p.invoke.value as { job: number }).job;
    const ok = compareOutput(job, v.output ?? [], true);
    if (ok !== true) return { checker, verdict: 'illegal', summary: `read #${p.completion!.index} on ${p.invoke.node}: ${ok}` };
  }
  return { checker, verdict: 'ok', summary: `all ${done} reads of finished jobs match the sequential word count` };
}

/**
 * On the history: a job whose submit was acknowledged is never unknown to a later read, and a job
 * a read saw done is done for every later read (the master keeps both across restarts).
 *
 * @example
 * checkers: () => [{ kind: 'custom', name: 'jobs-never-forgotten', check: checkJobsKept }]
 */
export function checkJobsKept(history: History): CheckerResult {
  const checker = 'jobs-never-forgotten';
  const submitted = new Map<number, { at: number; record: number }>();
  const finished = new Map<number, { at: number; record: number }>();
  const pairs = pairOps(history).sort((a, b) => a.callPos - b.callPos);
  const ends = pairs.filter((p) => p.outcome === 'ok').sort((a, b) => a.returnPos - b.returnPos);
  let reads = 0;
  let e = 0;
  for (const p of pairs) {
    // Everything that returned before this op was invoked is known to precede it.
    for (; e < ends.length && ends[e].returnPos < p.callPos; e++) {
      const q = ends[e];
      const job = (q.invoke.value as { job: number }).job;
      const v = q.completion!.value as ReadValue | undefined;
      if (q.invoke.f === 'submit' && !submitted.has(job)) submitted.set(job, { at: q.returnPos, record: q.completion!.index });
      if (q.invoke.f === 'read' && v?.state === 'done' && !finished.has(job)) finished.set(job, { at: q.returnPos, record: q.completion!.index });
    }
    if (p.invoke.f !== 'read' || p.outcome !== 'ok') continue;
    reads++;
    const job = (p.invoke.value as { job: number }).job;
    const state = (p.completion!.value as ReadValue).state;
    const sub = submitted.get(job);
    if (state === 'unknown' && sub !== undefined) return { checker, verdict: 'illegal', summary: `read #${p.completion!.index} found job ${job} unknown, though submit #${sub.record} of it was acknowledged before` };
    const fin = finished.get(job);
    if (state !== 'done' && fin !== undefined) return { checker, verdict: 'illegal', summary: `read #${p.completion!.index} found job ${job} ${state}, though read #${fin.record} saw it done before` };
  }
  return { checker, verdict: 'ok', summary: `all ${reads} reads keep every acknowledged job, and every job once seen done` };
}
