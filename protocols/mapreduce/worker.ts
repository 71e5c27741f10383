import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';
import { jobSpec, mapSplit, reducePartition, type WordCount } from './job.ts';
import type { LostReport, MapReport, Msg, Task } from './messages.ts';

/**
 * A MapReduce worker. Every HEARTBEAT_MS it tells the master it is alive, which attempts it runs
 * and which map attempts it finished; the master's reply lists every attempt it should be running
 * (the new ones, and again the old ones, so a lost reply loses nothing). A map attempt writes its
 * partitioned output to local disk and reports it; a reduce attempt fetches its partition of every
 * map output from the workers holding them, reduces, writes its output to the master in chunks
 * and asks the master to commit it. Client ops that reach a worker are forwarded to the master.
 */

/** How often a worker heartbeats (well under the master's WORKER_DEAD_MS). */
export const HEARTBEAT_MS = 30;
/** How long a map attempt computes. */
const MAP_MS = 40;
/** Resend period of an unanswered fetch, write or commit. */
const RETRY_MS = 250;
/** Resends per attempt before the worker gives it up (the master then runs the task again). */
const MAX_RETRIES = 40;
/** Records per output chunk written to the master. */
const CHUNK_RECORDS = 2;
/** Finished or dropped attempt numbers remembered (so a task listed again is not run twice). */
const KNOWN_LIMIT = 512;
/** Lost-output reports held for the master at once (each reducer sends at most one per attempt). */
const MAX_LOST_REPORTS = 64;
/**
 * A forwarded client op is resent every FORWARD_MS (submits are idempotent, reads have no effect),
 * FORWARD_TRIES times in all: the answer of any copy counts, so one slow or lost round trip does
 * not cost the op, and the last gives up within the client's 1 s timeout.
 */
const FORWARD_MS = 100;
const FORWARD_TRIES = 9;

interface ReduceRun {
  task: Extract<Task, { kind: 'reduce' }>;
  fetched: Map<number, WordCount[]>;
  /** The output in chunks, once every source is fetched. */
  chunks: WordCount[][] | null;
  acked: Set<number>;
  committing: boolean;
  retries: number;
}

export class Worker implements NodeHandlers<Msg> {
  /** Attempts in progress (map attempts until written, reduce attempts until committed). */
  readonly running = new Map<number, { task: Extract<Task, { kind: 'map' }> } | ReduceRun>();
  private boot = 0;
  private seq = 0;
  private lastReplySeq = 0;
  private readonly known = new Set<number>();
  private readonly reports = new Map<number, MapReport>();
  private lost: Array<LostReport & { addedSeq: number }> = [];
  private readonly forwarded = new Map<number, { op: ClientOp; reply: (r: ClientResult) => void; tries: number }>();

  constructor(
    private readonly ctx: NodeCtx<Msg>,
    private readonly master: NodeId,
  ) {}

  onStart(): void {
    // The boot count tells the master this incarnation's attempts from those a crash took away.
    this.boot = (this.ctx.storage.get<number>('boot') ?? 0) + 1;
    this.ctx.storage.set('boot', this.boot);
    this.ctx.storage.sync();
    this.heartbeat();
    this.ctx.setTimer(HEARTBEAT_MS, 'hb');
  }

  private heartbeat(): void {
    this.seq++;
    const running = [...this.running.keys()];
    const lost = this.lost.map(({ job, mapAttempt }) => ({ job, mapAttempt }));
    this.ctx.send(this.master, { t: 'hb', seq: this.seq, boot: this.boot, running, reports: [...this.reports.values()], lost });
  }

  onTimer(name: string, data: unknown): void {
    if (name === 'hb') {
      this.heartbeat();
      this.ctx.setTimer(HEARTBEAT_MS, 'hb');
    } else if (name === 'map') this.finishMap(data as number);
    else if (name === 'retry') this.retry(data as number);
    else if (name === 'fwd') this.onForwardTimer(data as number);
  }

  onMessage(from: NodeId, m: Msg): void {
    if (m.t === 'hb-reply') this.onReply(m);
    else if (m.t === 'fetch') this.onFetch(from, m);
    else if (m.t === 'fetched') this.onFetched(m);
    else if (m.t === 'write-reply') this.onWriteReply(m);
    else if (m.t === 'commit-reply') this.onCommitReply(m);
    else if (m.t === 'client-reply') this.onForwardReply(m.opId, m.result);
  }

  private onReply(m: Extract<Msg, { t: 'hb-reply' }>): void {
    // A reply to an earlier incarnation's heartbeat (its seq counted from another start), or one
    // overtaken by a newer reply (which lists everything current), is stale.
    if (m.boot !== this.boot || m.seq <= this.lastReplySeq) return;
    this.lastReplySeq = m.seq;
    for (const a of m.acked) this.reports.delete(a);
    this.lost = this.lost.filter((l) => l.addedSeq >= m.seq);
    const current = new Set(m.tasks.map((t) => t.attempt));
    for (const a of [...this.running.keys()]) if (!current.has(a)) this.drop(a);
    for (const t of m.tasks) if (!this.known.has(t.attempt)) this.start(t);
  }

  private remember(attempt: number): void {
    this.known.add(attempt);
    if (this.known.size > KNOWN_LIMIT) this.known.delete(this.known.values().next().value!);
  }

  private drop(attempt: number): void {
    this.running.delete(attempt);
  }

  private start(t: Task): void {
    this.remember(t.attempt);
    if (t.kind === 'map') {
      this.running.set(t.attempt, { task: t });
      this.ctx.setTimer(MAP_MS, 'map', t.attempt);
      return;
    }
    const run: ReduceRun = { task: t, fetched: new Map(), chunks: null, acked: new Set(), committing: false, retries: 0 };
    this.running.set(t.attempt, run);
    this.ctx.setTimer(RETRY_MS, 'retry', t.attempt);
    this.fetchMissing(run);
  }

  /** Writes the map output to local disk (durable before it is reported) and reports it. */
  private finishMap(attempt: number): void {
    const run = this.running.get(attempt);
    if (run === undefined || run.task.kind !== 'map') return;
    const { job, m } = run.task;
    this.ctx.storage.set(`map/${attempt}`, mapSplit(jobSpec(job), m));
    this.ctx.storage.sync();
    this.running.delete(attempt);
    this.reports.set(attempt, { attempt, job, m });
    this.heartbeat();
  }

  private fetchMissing(run: ReduceRun): void {
    for (const s of run.task.sources) {
      if (run.fetched.has(s.attempt)) continue;
      if (s.worker === this.ctx.id) this.onFetched({ t: 'fetched', reduceAttempt: run.task.attempt, mapAttempt: s.attempt, records: this.localOutput(s.attempt, run.task.r) });
      else this.ctx.send(s.worker, { t: 'fetch', reduceAttempt: run.task.attempt, mapAttempt: s.attempt, r: run.task.r });
    }
  }

  private localOutput(mapAttempt: number, r: number): WordCount[] | null {
    return this.ctx.storage.get<WordCount[][]>(`map/${mapAttempt}`)?.[r] ?? null;
  }

  private onFetch(from: NodeId, m: Extract<Msg, { t: 'fetch' }>): void {
    this.ctx.send(from, { t: 'fetched', reduceAttempt: m.reduceAttempt, mapAttempt: m.mapAttempt, records: this.localOutput(m.mapAttempt, m.r) });
  }

  private onFetched(m: Extract<Msg, { t: 'fetched' }>): void {
    const run = this.running.get(m.reduceAttempt);
    if (run === undefined || !('fetched' in run) || run.chunks !== null) return;
    if (m.records === null) {
      // The holder has no such output: tell the master, which runs that map task again.
      if (this.lost.length < MAX_LOST_REPORTS) this.lost.push({ job: run.task.job, mapAttempt: m.mapAttempt, addedSeq: this.seq });
      this.drop(m.reduceAttempt);
      return;
    }
    run.fetched.set(m.mapAttempt, m.records);
    if (run.fetched.size < run.task.sources.length) return;
    const output = reducePartition(run.task.sources.map((s) => run.fetched.get(s.attempt)!));
    run.chunks = [];
    for (let i = 0; i < output.length; i += CHUNK_RECORDS) run.chunks.push(output.slice(i, i + CHUNK_RECORDS));
    this.sendWrites(run);
  }

  private sendWrites(run: ReduceRun): void {
    const { attempt, job, r } = run.task;
    const chunks = run.chunks!;
    if (run.acked.size === chunks.length) {
      run.committing = true;
      return this.ctx.send(this.master, { t: 'commit', attempt, job, r, n: chunks.length });
    }
    chunks.forEach((records, i) => {
      if (!run.acked.has(i)) this.ctx.send(this.master, { t: 'write', attempt, job, r, i, n: chunks.length, records });
    });
  }

  private onWriteReply(m: Extract<Msg, { t: 'write-reply' }>): void {
    const run = this.running.get(m.attempt);
    if (run === undefined || !('fetched' in run) || run.chunks === null || run.committing) return;
    if (!m.ok) return this.drop(m.attempt);
    run.acked.add(m.i);
    if (run.acked.size === run.chunks.length) this.sendWrites(run);
  }

  private onCommitReply(m: Extract<Msg, { t: 'commit-reply' }>): void {
    this.drop(m.attempt);
  }

  /** Resends what a reduce attempt still waits for; gives the attempt up after MAX_RETRIES. */
  private retry(attempt: number): void {
    const run = this.running.get(attempt);
    if (run === undefined || !('fetched' in run)) return;
    if (++run.retries > MAX_RETRIES) return this.drop(attempt);
    this.ctx.setTimer(RETRY_MS, 'retry', attempt);
    if (run.chunks === null) this.fetchMissing(run);
    else this.sendWrites(run);
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    this.forwarded.set(op.id, { op, reply, tries: 1 });
    this.ctx.send(this.master, { t: 'client', op });
    this.ctx.setTimer(FORWARD_MS, 'fwd', op.id);
  }

  /**
   * No answer from the master yet: resend, then give up. An unanswered read did nothing (fail); an
   * unanswered submit may have reached the master (info).
   */
  private onForwardTimer(opId: number): void {
    const f = this.forwarded.get(opId);
    if (f === undefined) return;
    if (f.tries >= FORWARD_TRIES) {
      this.forwarded.delete(opId);
      if (f.op.f === 'read') return f.reply({ type: 'fail', error: 'the master did not answer' });
      return f.reply({ type: 'info', error: 'the master did not answer' });
    }
    f.tries++;
    this.ctx.send(this.master, { t: 'client', op: f.op });
    this.ctx.setTimer(FORWARD_MS, 'fwd', opId);
  }

  private onForwardReply(opId: number, result: ClientResult): void {
    const f = this.forwarded.get(opId);
    if (f === undefined) return;
    this.forwarded.delete(opId);
    f.reply(result);
  }
}
