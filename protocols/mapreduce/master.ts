import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';
import { JOB_IDS, jobSpec, sortRecords, type JobSpec, type WordCount } from './job.ts';
import type { LostReport, MapOutput, MapReport, Msg, Task } from './messages.ts';

/**
 * The MapReduce master (coordinator), node n1. It keeps the job table, hands task attempts to
 * workers in its replies to their heartbeats, re-executes the tasks of a worker it stops hearing
 * from (its running tasks, and its finished map tasks, whose output sat on its local disk), and
 * acts as the output file system: a reduce attempt writes its output to a temporary file here and
 * the master commits it into the job's output in one durable step. Its whole job table is durable,
 * so a restarted master goes on where it stopped.
 */

export type MapReduceVariant = 'correct' | 'non-atomic-output' | 'straggler-accepted' | 'forget-completed';

/** How often the master looks for silent workers. */
const TICK_MS = 50;
/** A worker silent this long is taken for dead and its work re-executed elsewhere. */
export const WORKER_DEAD_MS = 250;
/**
 * A tick this late means the master itself was paused (or its clock jumped): the workers' silence
 * is then the master's own, and nobody is declared dead for it.
 */
const LATE_TICK_MS = 3 * TICK_MS;
/** Task attempts one worker runs at once. */
export const SLOTS_PER_WORKER = 4;
/**
 * A worker that sent this many heartbeats since an attempt was handed to it, none listing it, lost
 * it (the reply was lost, or it gave the attempt up): the attempt is re-executed.
 */
const UNLISTED_HEARTBEATS = 4;

interface TaskState {
  state: 'idle' | 'running' | 'done';
  /** The latest attempt (0: never run). */
  attempt: number;
  worker: NodeId | null;
  /** The worker's boot count when the attempt was handed out (a restart loses the attempt). */
  boot: number;
  /** The heartbeat whose reply handed it out. */
  assignedSeq: number;
  /** Reduce tasks: the map outputs the attempt reads. */
  sources?: MapOutput[];
}

/** One job in the master's table; all of it is durable (the forget-completed bug keeps tasks in memory only). */
export interface JobRecord {
  spec: JobSpec;
  done: boolean;
  maps: TaskState[];
  reduces: TaskState[];
  /** Where each finished map task's output is (one entry per map task). */
  mapOutputs: MapOutput[];
  /** The job's output file: the records of every committed partition, in commit order. */
  output: WordCount[];
  /** non-atomic-output: the chunks (attempt:index) already appended, so a resent chunk is appended once. */
  written: string[];
}

interface WorkerInfo {
  lastHeardMs: number;
  boot: number;
  alive: boolean;
}

function idleTask(): TaskState {
  return { state: 'idle', attempt: 0, worker: null, boot: 0, assignedSeq: 0 };
}

function newJob(spec: JobSpec): JobRecord {
  return {
    spec,
    done: false,
    maps: Array.from({ length: spec.maps }, idleTask),
    reduces: Array.from({ length: spec.reduces }, idleTask),
    mapOutputs: [],
    output: [],
    written: [],
  };
}

export class Master implements NodeHandlers<Msg> {
  /** The job table, by job id, in submission order. */
  readonly jobs = new Map<number, JobRecord>();
  private nextAttempt: number;
  private readonly workers = new Map<NodeId, WorkerInfo>();
  private lastTickMs: number;
  private readonly dirty = new Set<number>();

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly variant: MapReduceVariant,
  ) {
    this.nextAttempt = ctx.storage.get<number>('next-attempt') ?? 1;
    for (const id of ctx.storage.get<number[]>('jobs') ?? []) {
      const saved = ctx.storage.get<JobRecord>(`job/${id}`);
      if (saved === undefined) throw new Error(`assertion failed: job ${id} is listed but its record is missing`);
      this.jobs.set(id, this.restore(saved));
    }
    const midJob = [...this.jobs.values()].some((j) => !j.done && j.reduces.some((t) => t.state === 'done'));
    ctx.sometimes('master restarted with committed partitions of an unfinished job', midJob);
    // After a restart every worker gets a full timeout to show it is alive.
    this.lastTickMs = ctx.now();
    for (const w of ctx.peers) this.workers.set(w, { lastHeardMs: this.lastTickMs, boot: 0, alive: true });
  }

  /** The record as stored: everything (the forget-completed bug: the job, its output, but no task progress). */
  private persisted(job: JobRecord): JobRecord {
    if (this.variant !== 'forget-completed') return job;
    return { ...job, maps: [], reduces: [], mapOutputs: [] };
  }

  private restore(saved: JobRecord): JobRecord {
    if (saved.maps.length === saved.spec.maps) return saved;
    // forget-completed: task progress was never stored, so every task of the job runs again.
    const fresh = newJob(saved.spec);
    return { ...fresh, done: saved.done, output: saved.output, written: saved.written };
  }

  /** Stores what changed and the attempt counter, in one sync, before any reply leaves. */
  private flush(): void {
    if (this.dirty.size === 0) return;
    for (const id of this.dirty) this.ctx.storage.set(`job/${id}`, this.persisted(this.jobs.get(id)!));
    this.dirty.clear();
    this.ctx.storage.set('next-attempt', this.nextAttempt);
    this.ctx.storage.sync();
  }

  onStart(): void {
    this.ctx.setTimer(TICK_MS, 'tick');
  }

  onTimer(name: string): void {
    if (name !== 'tick') return;
    this.ctx.setTimer(TICK_MS, 'tick');
    const now = this.ctx.now();
    const late = now - this.lastTickMs > LATE_TICK_MS;
    this.lastTickMs = now;
    for (const [w, info] of this.workers) {
      if (late) info.lastHeardMs = now;
      else if (info.alive && now - info.lastHeardMs > WORKER_DEAD_MS) this.declareDead(w, info);
    }
    this.flush();
  }

  onMessage(from: NodeId, m: Msg): void {
    if (m.t === 'hb') this.onHeartbeat(from, m);
    else if (m.t === 'write') this.onWrite(from, m);
    else if (m.t === 'commit') this.onCommit(from, m);
    else if (m.t === 'client') this.onClientRequest(m.op, (result) => this.ctx.send(from, { t: 'client-reply', opId: m.op.id, result }));
  }

  /** Re-executes what a dead worker held: its running tasks, and its map outputs of unfinished jobs. */
  private declareDead(w: NodeId, info: WorkerInfo): void {
    info.alive = false;
    for (const [id, job] of this.jobs) {
      if (job.done) continue;
      let outputLost = false;
      for (const t of job.maps) {
        if (t.worker !== w || t.state === 'idle') continue;
        outputLost ||= t.state === 'done';
        this.reset(t);
      }
      for (const t of job.reduces) if (t.state === 'running' && t.worker === w) this.reset(t);
      job.mapOutputs = job.mapOutputs.filter((o) => o.worker !== w);
      if (outputLost) this.resetRunningReduces(job);
      this.dirty.add(id);
    }
  }

  private reset(t: TaskState): void {
    if (t.state === 'running' && t.sources !== undefined) {
      this.ctx.sometimes('reduce attempt re-executed after writing part of its output', this.ctx.storage.get(`tmp/${t.attempt}`) !== undefined);
      this.ctx.storage.delete(`tmp/${t.attempt}`);
    }
    t.state = 'idle';
    t.worker = null;
    t.sources = undefined;
  }

  /** A reduce reading a map output that is gone must start over from the re-executed one. */
  private resetRunningReduces(job: JobRecord): void {
    for (const t of job.reduces) if (t.state === 'running') this.reset(t);
  }

  private onHeartbeat(w: NodeId, m: Extract<Msg, { t: 'hb' }>): void {
    const info = this.workers.get(w);
    if (info === undefined) throw new Error(`assertion failed: heartbeat from ${w}, which is no worker`);
    // A heartbeat from before the worker's latest restart (reordered) says nothing current.
    if (m.boot < info.boot) return;
    info.boot = m.boot;
    info.lastHeardMs = this.ctx.now();
    info.alive = true;
    for (const r of m.reports) this.onMapReport(w, r);
    for (const l of m.lost) this.onLost(l);
    this.dropLostAttempts(w, m);
    this.assign(w, m);
    this.flush();
    const tasks = this.runningOn(w);
    this.ctx.send(w, { t: 'hb-reply', boot: m.boot, seq: m.seq, tasks, acked: m.reports.map((r) => r.attempt) });
  }

  /** A finished map attempt: its output becomes the task's output if it is the task's current attempt. */
  private onMapReport(w: NodeId, r: MapReport): void {
    const job = this.jobs.get(r.job);
    if (job === undefined || job.done) return;
    const t = job.maps[r.m];
    if (this.variant === 'straggler-accepted') {
      // The bug: a result is matched by its attempt number (so a resent report counts once), not
      // against the task's current assignment, so a straggler re-assigned elsewhere is taken too.
      if (job.mapOutputs.some((o) => o.attempt === r.attempt)) return;
    } else if (t.state !== 'running' || t.attempt !== r.attempt || t.worker !== w) {
      this.ctx.sometimes('late map result of a superseded attempt ignored', t.attempt > r.attempt);
      return;
    }
    t.state = 'done';
    t.attempt = r.attempt;
    t.worker = w;
    job.mapOutputs.push({ m: r.m, attempt: r.attempt, worker: w });
    this.dirty.add(r.job);
  }

  /** A reducer found a map output missing: run that map task again. */
  private onLost(l: LostReport): void {
    const job = this.jobs.get(l.job);
    if (job === undefined || job.done) return;
    const i = job.mapOutputs.findIndex((o) => o.attempt === l.mapAttempt);
    if (i < 0) return;
    const [o] = job.mapOutputs.splice(i, 1);
    const t = job.maps[o.m];
    if (t.attempt === o.attempt) this.reset(t);
    this.resetRunningReduces(job);
    this.dirty.add(l.job);
  }

  /** Attempts the worker lost: all of them after a restart, or one its heartbeats keep not listing. */
  private dropLostAttempts(w: NodeId, m: Extract<Msg, { t: 'hb' }>): void {
    for (const [id, job] of this.jobs) {
      if (job.done) continue;
      for (const t of [...job.maps, ...job.reduces]) {
        if (t.state !== 'running' || t.worker !== w) continue;
        const restarted = t.boot !== m.boot;
        const unlisted = m.seq > t.assignedSeq + UNLISTED_HEARTBEATS && !m.running.includes(t.attempt);
        if (!restarted && !unlisted) continue;
        this.ctx.sometimes('task of a restarted worker re-executed', restarted);
        this.reset(t);
        this.dirty.add(id);
      }
    }
  }

  /** Fills the worker's free slots with idle tasks: maps first, reduces once all of a job's maps are done. */
  private assign(w: NodeId, m: Extract<Msg, { t: 'hb' }>): void {
    let free = SLOTS_PER_WORKER - this.runningOn(w).length;
    for (const [id, job] of this.jobs) {
      if (free <= 0) return;
      if (job.done) continue;
      const mapsDone = job.maps.every((t) => t.state === 'done');
      const candidates = mapsDone ? job.reduces : job.maps;
      for (const t of candidates) {
        if (free <= 0 || t.state !== 'idle') continue;
        t.state = 'running';
        t.attempt = this.nextAttempt++;
        t.worker = w;
        t.boot = m.boot;
        t.assignedSeq = m.seq;
        if (mapsDone) t.sources = job.mapOutputs.map((o) => ({ ...o }));
        this.dirty.add(id);
        free--;
      }
    }
  }

  /** Every attempt the master counts as running on `w`, as the tasks to hand it. */
  private runningOn(w: NodeId): Task[] {
    const out: Task[] = [];
    for (const [id, job] of this.jobs) {
      if (job.done) continue;
      job.maps.forEach((t, m) => {
        if (t.state === 'running' && t.worker === w) out.push({ kind: 'map', attempt: t.attempt, job: id, m });
      });
      job.reduces.forEach((t, r) => {
        if (t.state === 'running' && t.worker === w) out.push({ kind: 'reduce', attempt: t.attempt, job: id, r, sources: t.sources ?? [] });
      });
    }
    return out;
  }

  /** The reduce task a write or commit is for, if `attempt` is its running attempt on `w`. */
  private currentReduce(w: NodeId, jobId: number, r: number, attempt: number): TaskState | undefined {
    const t = this.jobs.get(jobId)?.reduces[r];
    if (t === undefined || t.state !== 'running' || t.attempt !== attempt || t.worker !== w) return undefined;
    return t;
  }

  /** A chunk of a reduce attempt's output: into its temporary file (non-atomic-output: straight into the job's output). */
  private onWrite(w: NodeId, m: Extract<Msg, { t: 'write' }>): void {
    const t = this.currentReduce(w, m.job, m.r, m.attempt);
    if (t === undefined || m.i < 0 || m.i >= m.n) return this.ctx.send(w, { t: 'write-reply', attempt: m.attempt, i: m.i, ok: false });
    if (this.variant === 'non-atomic-output') {
      // The bug: no temporary file. What an attempt wrote stays in the output even if the attempt
      // dies half way, and the re-executed attempt writes the same words again.
      const job = this.jobs.get(m.job)!;
      const key = `${m.attempt}:${m.i}`;
      if (!job.written.includes(key)) {
        job.written.push(key);
        job.output.push(...m.records);
        this.dirty.add(m.job);
        this.flush();
      }
    } else {
      const file = this.ctx.storage.get<Array<WordCount[] | null>>(`tmp/${m.attempt}`) ?? Array.from({ length: m.n }, () => null);
      if (file.length !== m.n) throw new Error(`assertion failed: attempt ${m.attempt} wrote chunks of ${file.length} and of ${m.n}`);
      if (file[m.i] === null) {
        file[m.i] = m.records;
        this.ctx.storage.set(`tmp/${m.attempt}`, file);
        this.ctx.storage.sync();
      }
    }
    this.ctx.send(w, { t: 'write-reply', attempt: m.attempt, i: m.i, ok: true });
  }

  /** Commits a reduce attempt: its temporary file becomes the partition's output, with the task marked done, in one sync. */
  private onCommit(w: NodeId, m: Extract<Msg, { t: 'commit' }>): void {
    const job = this.jobs.get(m.job);
    const done = job?.reduces[m.r];
    if (done !== undefined && done.state === 'done' && done.attempt === m.attempt) return this.ctx.send(w, { t: 'commit-reply', attempt: m.attempt, ok: true });
    const t = this.currentReduce(w, m.job, m.r, m.attempt);
    if (job === undefined || t === undefined) return this.ctx.send(w, { t: 'commit-reply', attempt: m.attempt, ok: false });
    if (this.variant !== 'non-atomic-output') {
      const file = m.n === 0 ? [] : this.ctx.storage.get<Array<WordCount[] | null>>(`tmp/${m.attempt}`);
      if (file === undefined || file.length !== m.n || file.some((c) => c === null)) {
        // Chunks the master never stored: the attempt cannot commit; run the task again.
        this.reset(t);
        this.dirty.add(m.job);
        this.flush();
        return this.ctx.send(w, { t: 'commit-reply', attempt: m.attempt, ok: false });
      }
      for (const chunk of file) job.output.push(...chunk!);
      this.ctx.storage.delete(`tmp/${m.attempt}`);
    }
    t.state = 'done';
    job.done = job.reduces.every((x) => x.state === 'done');
    this.dirty.add(m.job);
    this.flush();
    this.ctx.send(w, { t: 'commit-reply', attempt: m.attempt, ok: true });
  }

  /** `submit` {job} adds a job (once: submitting it again is ok); `read` {job} answers its state and, once done, its output. */
  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    const id = (op.value as { job?: unknown } | null)?.job;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= JOB_IDS) return reply({ type: 'fail', error: `bad job ${JSON.stringify(id)}` });
    if (op.f === 'read') {
      const job = this.jobs.get(id);
      if (job === undefined) return reply({ type: 'ok', value: { state: 'unknown' } });
      if (!job.done) return reply({ type: 'ok', value: { state: 'running' } });
      return reply({ type: 'ok', value: { state: 'done', output: sortRecords(job.output.map((x) => [x[0], x[1]])) } });
    }
    if (op.f !== 'submit') return reply({ type: 'fail', error: `unknown op ${op.f}` });
    if (!this.jobs.has(id)) {
      this.jobs.set(id, newJob(jobSpec(id)));
      this.ctx.storage.set('jobs', [...this.jobs.keys()]);
      this.dirty.add(id);
      this.flush();
    }
    reply({ type: 'ok' });
  }
}
