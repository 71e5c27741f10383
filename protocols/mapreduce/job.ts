/**
 * The job every MapReduce run computes: word count over generated documents. A job is named by a
 * small number; its input splits, partition count and every word are a pure function of that
 * number, so any worker (re)executing a task computes the same thing, and the checks can compute
 * the expected output by one sequential pass over the same input.
 */

/** One output record: a word and how often it occurs in the job's input. */
export type WordCount = [word: string, count: number];

export interface JobSpec {
  id: number;
  /** Map tasks: one per input split (document). */
  maps: number;
  /** Reduce tasks: one per output partition. */
  reduces: number;
}

/** How many distinct jobs the workload names (job ids 0 .. JOB_IDS - 1). */
export const JOB_IDS = 24;
const WORDS_PER_SPLIT = 24;
const VOCABULARY = ['ant', 'bee', 'cat', 'dog', 'eel', 'fox', 'gnu', 'hen', 'ibis', 'jay', 'kiwi', 'lynx', 'mole', 'newt'];

/**
 * The shape of job `id`: 2..4 map tasks and 1..3 reduce tasks.
 *
 * @example
 * jobSpec(5); // { id: 5, maps: 4, reduces: 3 }
 */
export function jobSpec(id: number): JobSpec {
  if (!Number.isInteger(id) || id < 0 || id >= JOB_IDS) throw new Error(`assertion failed: job id ${id} outside 0..${JOB_IDS - 1}`);
  return { id, maps: 2 + (id % 3), reduces: 1 + ((id * 7 + 2) % 3) };
}

/**
 * Input split `m` of job `id`: WORDS_PER_SPLIT words drawn by a small LCG seeded from (id, m), so
 * the same split reads the same on every worker, every attempt and every run.
 *
 * @example
 * inputSplit(3, 0).length; // 24
 */
export function inputSplit(id: number, m: number): string[] {
  let x = (id * 7919 + m * 104729 + 17) >>> 0;
  const words: string[] = [];
  for (let i = 0; i < WORDS_PER_SPLIT; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    // Skewed towards the front of the vocabulary, so counts differ from word to word.
    const r = (x >>> 8) / 2 ** 24;
    words.push(VOCABULARY[Math.floor(r * r * VOCABULARY.length)]);
  }
  return words;
}

/**
 * The reduce partition a word belongs to (a string hash, stable across nodes).
 *
 * @example
 * partitionOf('ant', 3); // the same number in 0..2 on every node
 */
export function partitionOf(word: string, reduces: number): number {
  let h = 0;
  for (let i = 0; i < word.length; i++) h = (Math.imul(h, 31) + word.charCodeAt(i)) >>> 0;
  return h % reduces;
}

/**
 * The map function with its combiner: counts one split's words, bucketed by reduce partition and
 * sorted by word inside each bucket.
 *
 * @example
 * mapSplit(jobSpec(0), 1).length; // 1 bucket per reduce partition
 */
export function mapSplit(spec: JobSpec, m: number): WordCount[][] {
  const buckets: Array<Map<string, number>> = Array.from({ length: spec.reduces }, () => new Map());
  for (const w of inputSplit(spec.id, m)) {
    const b = buckets[partitionOf(w, spec.reduces)];
    b.set(w, (b.get(w) ?? 0) + 1);
  }
  return buckets.map((b) => sortRecords([...b.entries()]));
}

/**
 * The reduce function: sums the counts of every word over the given map outputs of one partition.
 *
 * @example
 * reducePartition([[['ant', 2]], [['ant', 1], ['bee', 4]]]); // [['ant', 3], ['bee', 4]]
 */
export function reducePartition(mapOutputs: readonly WordCount[][]): WordCount[] {
  const sums = new Map<string, number>();
  for (const records of mapOutputs) for (const [w, c] of records) sums.set(w, (sums.get(w) ?? 0) + c);
  return sortRecords([...sums.entries()]);
}

/**
 * Sorts records by word, in place (the order every read answers in).
 *
 * @example
 * sortRecords([['bee', 1], ['ant', 2]]); // [['ant', 2], ['bee', 1]]
 */
export function sortRecords(records: WordCount[]): WordCount[] {
  return records.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const sequentialCache = new Map<number, ReadonlyMap<string, number>>();

/**
 * The reference: the job's word count from one sequential pass over its whole input, without any
 * map, partition or reduce step. The distributed output must equal it, each word exactly once.
 *
 * @example
 * sequentialWordCount(3).get('ant'); // how often 'ant' occurs in job 3's splits
 */
export function sequentialWordCount(id: number): ReadonlyMap<string, number> {
  const cached = sequentialCache.get(id);
  if (cached !== undefined) return cached;
  const counts = new Map<string, number>();
  const spec = jobSpec(id);
  for (let m = 0; m < spec.maps; m++) for (const w of inputSplit(id, m)) counts.set(w, (counts.get(w) ?? 0) + 1);
  sequentialCache.set(id, counts);
  return counts;
}

/**
 * Compares an output (records in any order) with the sequential word count of job `id`. With
 * `complete`, every word must be there; without, the output may still be missing partitions.
 * Returns true, or what differs.
 *
 * @example
 * compareOutput(3, [['ant', 1], ['ant', 1]], false); // "'ant' appears twice in the output of job 3"
 */
export function compareOutput(id: number, records: readonly WordCount[], complete: boolean): true | string {
  const expected = sequentialWordCount(id);
  const seen = new Set<string>();
  for (const [w, c] of records) {
    if (seen.has(w)) return `'${w}' appears twice in the output of job ${id}`;
    seen.add(w);
    const want = expected.get(w);
    if (want === undefined) return `'${w}' is in the output of job ${id} but not in its input`;
    if (want !== c) return `'${w}' counted ${c} in the output of job ${id}, the sequential run counts ${want}`;
  }
  if (complete && seen.size !== expected.size) {
    const missing = [...expected.keys()].filter((w) => !seen.has(w));
    return `the output of job ${id} lacks ${missing.map((w) => `'${w}'`).join(', ')}`;
  }
  return true;
}
