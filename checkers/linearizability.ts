/**
 * Linearizability checking: the Wing–Gong search with Lowe's memoisation, as in Porcupine.
 *
 * The history becomes a doubly linked list of call/return entries in real-time order. The search
 * walks it, tentatively linearizing any call whose op the model accepts in the current state
 * ("lifting" its entries out of the list); reaching a return entry means that op had to be placed
 * already, so it backtracks. A cache of (linearized set, state) pairs prunes states already
 * explored. With P-compositionality each partition (e.g. each key) is searched on its own.
 */
import type { History } from '../src/history/types.ts';
import type { Model } from '../models/model.ts';
import { ModelInputError } from '../models/model.ts';
import { mix } from '../models/value.ts';
import { HistoryError, where, type HistorySource } from './history-error.ts';
import { pairOps, type PairedOp } from './ops.ts';

export interface LinearizabilityOptions {
  /** Wall-clock budget for the whole history; `unknown` (budget `time`) when it runs out. */
  timeoutMs?: number;
  /** Budget for the search cache (default 1024 MB); `unknown` (budget `memory`) when exceeded. */
  maxMemoryMb?: number;
  /** Use the model's partition (default true); false checks the history whole. */
  partition?: boolean;
  /** Keep searching the other partitions after one is illegal (default false). */
  allPartitions?: boolean;
  /** How many longest prefixes to keep per illegal partition (default 3). */
  maxPrefixes?: number;
  /** File/line origin of the records, for HistoryError messages. */
  source?: HistorySource;
}

/** An op as a report shows it. `index` is the invoke record's `index` (its position if absent). */
export interface OpRef {
  index: number;
  process: number;
  f: string;
  /** The model's rendering, e.g. `read -> 3`. */
  description: string;
  outcome: 'ok' | 'info';
}

/** A longest linearizable prefix: the ops in linearization order and the state they reach. */
export interface LinearizablePrefix {
  ops: OpRef[];
  state: string;
  /** The raw model state (plain data for most models). */
  stateValue: unknown;
  /** The op whose return forced the search back from this prefix: it cannot be placed after it. */
  blocked: OpRef | null;
}

export interface PartitionCounterexample {
  /** Partition key (`null` when the history is checked whole). */
  partition: string | null;
  /** The op that cannot be placed after the longest prefix found. */
  op: OpRef | null;
  /** The longest prefixes found (at most `maxPrefixes`), all of the same, maximal length. */
  prefixes: LinearizablePrefix[];
}

export interface LinearizabilityResult {
  verdict: 'ok' | 'illegal' | 'unknown';
  /** For `unknown`: which budget ran out. */
  budget?: 'time' | 'memory';
  summary: string;
  /** Ops checked (after dropping `fail` ops and unreturned read-only ops). */
  ops: number;
  partitions: number;
  /** Partitions fully decided before the verdict. */
  decided: number;
  /** Empty unless illegal. */
  counterexamples: PartitionCounterexample[];
  elapsedMs: number;
}

interface Op<I, O> {
  input: I;
  output: O | undefined;
  info: boolean;
  pair: PairedOp;
}

/**
 * Checks that a history is linearizable with respect to a model.
 * Throws HistoryError for malformed histories or values the model cannot read.
 *
 * @example
 * const r = checkLinearizability(history, getModel('cas-register'), { timeoutMs: 10_000 });
 * if (r.verdict === 'illegal') console.log(r.summary, r.counterexamples[0].prefixes[0].state);
 */
export function checkLinearizability<S, I, O>(
  history: History,
  model: Model<S, I, O>,
  opts: LinearizabilityOptions = {},
): LinearizabilityResult {
  const t0 = performance.now();
  const pairs = pairOps(history, opts.source);
  const groups = new Map<string, Op<I, O>[]>();
  const usePartition = opts.partition !== false && model.partition !== undefined;
  let count = 0;
  for (const p of pairs) {
    if (p.outcome === 'fail') continue; // did not happen
    const info = p.outcome === 'info';
    let io: { input: I; output: O | undefined };
    try {
      io = model.fromOp(p.invoke, info ? undefined : p.completion);
    } catch (e) {
      if (e instanceof ModelInputError) throw new HistoryError(`model ${model.name}: ${e.message}`, where(opts.source, p.callPos, p.invoke));
      throw e;
    }
    if (info && model.readOnly?.(io.input)) continue; // an unreturned read changes nothing
    const key = usePartition ? (model.partition!(io.input) ?? '') : '';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push({ input: io.input, output: io.output, info, pair: p });
    count++;
  }

  const deadline = opts.timeoutMs === undefined ? Infinity : t0 + opts.timeoutMs;
  const budget: Budget = { deadline, maxBytes: (opts.maxMemoryMb ?? 1024) * 1024 * 1024, heapAtStart: process.memoryUsage().heapUsed };
  const counterexamples: PartitionCounterexample[] = [];
  let decided = 0;
  let outOf: 'time' | 'memory' | undefined;
  // Small partitions first: a cheap violation is found before an expensive search starts.
  const order = [...groups.entries()].sort((a, b) => a[1].length - b[1].length);
  for (const [key, ops] of order) {
    const r = searchPartition(ops, model, budget, opts.maxPrefixes ?? 3);
    if (r.kind === 'unknown') {
      outOf = r.budget;
      break;
    }
    decided++;
    if (r.kind === 'illegal') {
      counterexamples.push({ partition: usePartition ? key : null, ...r.explain(model) });
      if (!opts.allPartitions) break;
    }
  }
  const elapsedMs = performance.now() - t0;
  const base = { ops: count, partitions: groups.size, decided, counterexamples, elapsedMs };
  if (counterexamples.length > 0) return { verdict: 'illegal', summary: describeCounterexample(counterexamples[0], model.name), ...base };
  if (outOf) {
    const summary = `unknown: the ${outOf} budget ran out after deciding ${decided} of ${groups.size} partition(s)`;
    return { verdict: 'unknown', budget: outOf, summary, ...base };
  }
  return { verdict: 'ok', summary: `linearizable (${count} ops, ${groups.size} partition(s))`, ...base };
}

/**
 * One line naming the op that cannot be placed and where the longest prefix got to.
 *
 * @example
 * describeCounterexample(r.counterexamples[0], 'cas-register');
 * // 'op #17 read -> 3 by process 2 cannot be linearized; longest linearizable prefix (12 ops) reaches state 5'
 */
export function describeCounterexample(ce: PartitionCounterexample, modelName = 'model'): string {
  const where = ce.partition === null ? '' : `key ${JSON.stringify(ce.partition)}: `;
  const op = ce.op ? `op #${ce.op.index} ${ce.op.description} by process ${ce.op.process}` : 'an op';
  const p = ce.prefixes[0];
  const tail = p ? `; longest linearizable prefix (${p.ops.length} ops) reaches ${modelName} state ${p.state}` : '';
  return `${where}${op} cannot be linearized${tail}`;
}

interface Budget {
  deadline: number;
  maxBytes: number;
  heapAtStart: number;
}

/** A persistent list of linearized ops, newest first: a prefix is kept by keeping one node. */
interface PrefixNode {
  op: number;
  parent: PrefixNode | null;
  depth: number;
}

type SearchResult<S, I, O> =
  | { kind: 'ok' }
  | { kind: 'unknown'; budget: 'time' | 'memory' }
  | { kind: 'illegal'; explain: (m: Model<S, I, O>) => Omit<PartitionCounterexample, 'partition'> };

/** Deterministic per-op random words for an incremental (Zobrist) hash of the linearized set. */
function zobrist(n: number): Int32Array {
  const z = new Int32Array(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    z[i] = mix(x + i);
  }
  return z;
}

function searchPartition<S, I, O>(ops: Op<I, O>[], model: Model<S, I, O>, budget: Budget, maxPrefixes: number): SearchResult<S, I, O> {
  const n = ops.length;
  // Node 0 is the list head; op j has call node 2j+1 and return node 2j+2 (unused for info ops).
  const next = new Int32Array(2 * n + 1).fill(-1);
  const prev = new Int32Array(2 * n + 1).fill(-1);
  const events: number[] = [];
  for (let j = 0; j < n; j++) {
    events.push(2 * j + 1);
    if (!ops[j].info) events.push(2 * j + 2);
  }
  const pos = (node: number) => {
    const p = ops[(node - 1) >> 1].pair;
    return node & 1 ? p.callPos : p.returnPos;
  };
  events.sort((a, b) => pos(a) - pos(b));
  let last = 0;
  for (const e of events) {
    next[last] = e;
    prev[e] = last;
    last = e;
  }

  const info = new Uint8Array(n);
  for (let j = 0; j < n; j++) info[j] = ops[j].info ? 1 : 0;
  const words = (n + 31) >>> 5;
  const bits = new Uint32Array(words);
  const z = zobrist(n);
  const cache = new Map<number, { bits: Uint32Array; state: S }[]>();
  const entryBytes = words * 4 + 120;
  let cacheBytes = 0;

  const stackOp = new Int32Array(n);
  const stackState: S[] = new Array(n);
  let depth = 0;
  let node: PrefixNode | null = null;
  let state = model.init();
  let setHash = 0;
  let remaining = 0;
  for (let j = 0; j < n; j++) if (!info[j]) remaining++;

  let best: { node: PrefixNode | null; state: S; blocked: number }[] = [];
  let bestDepth = -1;
  let steps = 0;
  let entry = next[0];

  while (remaining > 0) {
    if ((++steps & 0xfff) === 0) {
      if (performance.now() > budget.deadline) return { kind: 'unknown', budget: 'time' };
      if (cacheBytes > budget.maxBytes) return { kind: 'unknown', budget: 'memory' };
      // The estimate above ignores state sizes; the heap itself is the final word (sampled rarely).
      if ((steps & 0xffff) === 0 && process.memoryUsage().heapUsed - budget.heapAtStart > budget.maxBytes) return { kind: 'unknown', budget: 'memory' };
    }
    if (entry !== -1 && entry & 1) {
      const j = (entry - 1) >> 1;
      const op = ops[j];
      const ns = model.step(state, op.input, op.output);
      if (ns !== undefined) {
        const w = j >>> 5;
        const m = 1 << (j & 31);
        bits[w] |= m;
        const h = setHash ^ z[j];
        const key = (h ^ Math.imul(model.hash(ns), 0x9e3779b1)) | 0;
        let bucket = cache.get(key);
        let seen = false;
        if (bucket) {
          for (const c of bucket) {
            if (sameBits(c.bits, bits) && model.equal(c.state, ns)) {
              seen = true;
              break;
            }
          }
        } else cache.set(key, (bucket = []));
        if (!seen) {
          bucket.push({ bits: bits.slice(), state: ns });
          cacheBytes += entryBytes;
          stackOp[depth] = j;
          stackState[depth] = state;
          depth++;
          node = { op: j, parent: node, depth };
          state = ns;
          setHash = h;
          lift(next, prev, entry, info[j] === 0);
          if (info[j] === 0) remaining--;
          entry = next[0];
          continue;
        }
        bits[w] &= ~m;
      }
      entry = next[entry];
    } else {
      // A return entry: its op had to be linearized by now, so this prefix is a dead end.
      const blocked = entry === -1 ? -1 : (entry - 2) >> 1;
      if (depth > bestDepth) {
        bestDepth = depth;
        best = [{ node, state, blocked }];
      } else if (depth === bestDepth && best.length < maxPrefixes) best.push({ node, state, blocked });
      if (depth === 0) {
        const found = best;
        return { kind: 'illegal', explain: (m) => explain(found, ops, m) };
      }
      depth--;
      const j = stackOp[depth];
      state = stackState[depth];
      stackState[depth] = undefined as S; // let the state be collected
      node = node!.parent;
      bits[j >>> 5] &= ~(1 << (j & 31));
      setHash ^= z[j];
      const call = 2 * j + 1;
      unlift(next, prev, call, info[j] === 0);
      if (info[j] === 0) remaining++;
      entry = next[call];
    }
  }
  return { kind: 'ok' };
}

function sameBits(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Unlinks a call entry and (unless the op never returned) its return entry. */
function lift(next: Int32Array, prev: Int32Array, call: number, hasReturn: boolean): void {
  next[prev[call]] = next[call];
  if (next[call] !== -1) prev[next[call]] = prev[call];
  if (hasReturn) {
    const ret = call + 1;
    next[prev[ret]] = next[ret];
    if (next[ret] !== -1) prev[next[ret]] = prev[ret];
  }
}

/** Relinks in the reverse order of `lift`, so each entry's neighbours are as they were. */
function unlift(next: Int32Array, prev: Int32Array, call: number, hasReturn: boolean): void {
  if (hasReturn) {
    const ret = call + 1;
    next[prev[ret]] = ret;
    if (next[ret] !== -1) prev[next[ret]] = ret;
  }
  next[prev[call]] = call;
  if (next[call] !== -1) prev[next[call]] = call;
}

function opRef<I, O>(op: Op<I, O>, model: Model<unknown, I, O>): OpRef {
  const inv = op.pair.invoke;
  return {
    index: typeof inv.index === 'number' ? inv.index : op.pair.callPos,
    process: inv.process,
    f: inv.f,
    description: model.describeOp(op.input, op.output),
    outcome: op.info ? 'info' : 'ok',
  };
}

function explain<S, I, O>(
  best: { node: PrefixNode | null; state: S; blocked: number }[],
  ops: Op<I, O>[],
  model: Model<S, I, O>,
): Omit<PartitionCounterexample, 'partition'> {
  const m = model as unknown as Model<unknown, I, O>;
  const prefixes = best.map((b) => {
    const seq: OpRef[] = [];
    for (let p = b.node; p; p = p.parent) seq.push(opRef(ops[p.op], m));
    seq.reverse();
    return {
      ops: seq,
      state: model.describeState(b.state),
      stateValue: plain(b.state),
      blocked: b.blocked >= 0 ? opRef(ops[b.blocked], m) : null,
    };
  });
  return { op: prefixes[0]?.blocked ?? null, prefixes };
}

/** Model states as plain data (Maps become objects) so a report can serialise them. */
function plain(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

