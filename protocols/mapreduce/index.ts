/** MapReduce word count: a durable master, heartbeating workers, re-execution and atomic output commit. */
export { mapreduce, jobWorkload } from './mapreduce.ts';
export { Master, WORKER_DEAD_MS, SLOTS_PER_WORKER, type MapReduceVariant, type JobRecord } from './master.ts';
export { Worker, HEARTBEAT_MS } from './worker.ts';
export { jobSpec, inputSplit, mapSplit, reducePartition, sequentialWordCount, compareOutput, JOB_IDS, type JobSpec, type WordCount } from './job.ts';
