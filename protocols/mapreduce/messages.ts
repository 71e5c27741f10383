import type { ClientOp, ClientResult, NodeId } from '../../src/index.ts';
import type { WordCount } from './job.ts';

/** Where one map task's output lives: the attempt that wrote it, on that worker's local disk. */
export interface MapOutput {
  m: number;
  attempt: number;
  worker: NodeId;
}

/**
 * One task attempt as the master hands it out. Attempt numbers are unique over the master's whole
 * life (the counter is durable), so a result always names exactly one execution.
 */
export type Task =
  | { kind: 'map'; attempt: number; job: number; m: number }
  | { kind: 'reduce'; attempt: number; job: number; r: number; sources: MapOutput[] };

/** A finished map attempt, reported (in every heartbeat) until the master acknowledges it. */
export interface MapReport {
  attempt: number;
  job: number;
  m: number;
}

/** A reduce attempt could not fetch a map output: the worker that should hold it does not. */
export interface LostReport {
  job: number;
  mapAttempt: number;
}

export type Msg =
  /** worker -> master, every HEARTBEAT_MS: alive, what it runs, what it finished. */
  | { t: 'hb'; seq: number; boot: number; running: number[]; reports: MapReport[]; lost: LostReport[] }
  /** master -> worker: every attempt the master counts as running there (new ones included); echoes the heartbeat's boot and seq. */
  | { t: 'hb-reply'; boot: number; seq: number; tasks: Task[]; acked: number[] }
  /** reducer -> map worker: partition r of a map attempt's output. */
  | { t: 'fetch'; reduceAttempt: number; mapAttempt: number; r: number }
  | { t: 'fetched'; reduceAttempt: number; mapAttempt: number; records: WordCount[] | null }
  /** reducer -> master: chunk i of n of a reduce attempt's output (the master is the file system). */
  | { t: 'write'; attempt: number; job: number; r: number; i: number; n: number; records: WordCount[] }
  | { t: 'write-reply'; attempt: number; i: number; ok: boolean }
  /** reducer -> master: make the attempt's output the partition's output. */
  | { t: 'commit'; attempt: number; job: number; r: number; n: number }
  | { t: 'commit-reply'; attempt: number; ok: boolean }
  /** worker -> master: a client op that reached a worker. */
  | { t: 'client'; op: ClientOp }
  | { t: 'client-reply'; opId: number; result: ClientResult };
