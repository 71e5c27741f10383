/**
 * Linearizability checking: the Wing–Gong search with Lowe's memoisation, as in Porcupine.
 *
 * The history becomes a doubly linked list of call/return entries in real-time order. The search
 * walks it, tentatively linearizing any call whose op the model accepts in the current state
 * ("lifting" its entries out of the list); reaching a return entry means that op had to be placed
 * already, so it backtracks. A cache of (linearized set, state) pairs prunes states already
 * explored. With P-compositionality each partition (e.g. each key) is searched on its own. A
 * read-only op that fits is never branched over (see DEAD_END).
 */
import type { History } from '../src/history/types.ts';
import type { Model } from '../models/model.ts';
import { ModelInputError } from '../models/model.ts';
import { mix } from '../models/value.ts';
import { HistoryError, where, type HistorySource } from './history-error.ts';
import { pairOps, type PairedOp } from './ops.ts';

/**
 * Default search budget: model steps for one history (all partitions together). Counted, never
 * timed, so a verdict does not depend on machine load; generous enough that every Porcupine
 * anchor decides with room to spare (the hardest, c50-ok, takes under a million).
 */
export const DEFAULT_MAX_STATES = 10_000_000;

export interface LinearizabilityOptions {
  /**
   * Model steps the search may take for the whole history (default DEFAULT_MAX_STATES);
   * `unknown` (budget `states`) when they run out. The same history gets the same verdict on
   * any machine at any load.
   */
  maxStates?: number;
  /** Wall-clock safety net only (default none); `unknown` (budget `wall-time`) when it runs out. */
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
  /** For `unknown`: which budget ran out (`wall-time` is the safety net, not the search budget). */
  budget?: CheckBudget;
  /** Model steps the search took (deterministic: the unit of `maxStates`). */
  states: number;
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
 * const r = checkLinearizability(history, getModel('cas-register'), { maxStates: 1_000_000 });
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
  const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  const budget: Budget = { statesLeft: maxStates, deadline, maxBytes: (opts.maxMemoryMb ?? 1024) * 1024 * 1024, heapAtStart: process.memoryUsage().heapUsed };
  const counterexamples: PartitionCounterexample[] = [];
  let decided = 0;
  let outOf: CheckBudget | undefined;
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
  const states = maxStates - Math.max(0, budget.statesLeft);
  const base = { ops: count, partitions: groups.size, decided, counterexamples, elapsedMs, states };
  if (counterexamples.length > 0) return { verdict: 'illegal', summary: describeCounterexample(counterexamples[0], model.name), ...base };
  if (outOf) {
    const what = { states: `the search budget of ${maxStates} states`, 'wall-time': `the wall-time safety net (${opts.timeoutMs} ms)`, memory: 'the memory budget' }[outOf];
    const summary = `unknown: ${what} ran out after deciding ${decided} of ${groups.size} partition(s)`;
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
  /** Model steps left for the whole history: the deterministic budget that decides `unknown`. */
  statesLeft: number;
  /** Wall-clock safety net (absolute `performance.now()` deadline; Infinity when none). */
  deadline: number;
  maxBytes: number;
  heapAtStart: number;
}

/** Which budget ran out; `wall-time` and the heap part of `memory` are safety nets, not verdicts of the search. */
export type CheckBudget = 'states' | 'wall-time' | 'memory';

type SearchResult<S, I, O> =
  | { kind: 'ok' }
  | { kind: 'unknown'; budget: CheckBudget }
  | { kind: 'illegal'; explain: (m: Model<S, I, O>) => Omit<PartitionCounterexample, 'partition'> };

/** A longest prefix: the linearized ops in order, the state they reach, the op that blocked it. */
interface Prefix<S> {
  ops: number[];
  state: S;
  blocked: number;
}

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

/**
 * The memo of visited (linearized set, state) pairs, in flat typed arrays: chained buckets over
 * one pool of bitsets, so remembering a configuration allocates nothing but its state.
 */
class VisitedCache<S> {
  private heads: Int32Array;
  private nextOf = new Int32Array(1024);
  private hashOf = new Int32Array(1024);
  private pool: Uint32Array;
  private states: S[] = [];
  size = 0;

  constructor(
    private readonly words: number,
    private readonly equal: (a: S, b: S) => boolean,
  ) {
    this.heads = new Int32Array(1024).fill(-1);
    this.pool = new Uint32Array(1024 * words);
  }

  /** Adds the pair unless present; true when it was new. */
  addIfNew(hash: number, bits: Uint32Array, state: S): boolean {
    const w = this.words;
    for (let e = this.heads[hash & (this.heads.length - 1)]; e !== -1; e = this.nextOf[e]) {
      if (this.hashOf[e] !== hash) continue;
      let same = true;
      for (let i = 0, o = e * w; i < w; i++) if (this.pool[o + i] !== bits[i]) { same = false; break; }
      if (same && this.equal(this.states[e], state)) return false;
    }
    if (this.size === this.nextOf.length) this.grow();
    const e = this.size++;
    this.pool.set(bits, e * w);
    this.hashOf[e] = hash;
    this.states.push(state);
    const b = hash & (this.heads.length - 1);
    this.nextOf[e] = this.heads[b];
    this.heads[b] = e;
    return true;
  }

  private grow(): void {
    const cap = this.nextOf.length * 2;
    const nextOf = new Int32Array(cap);
    const hashOf = new Int32Array(cap);
    hashOf.set(this.hashOf);
    const pool = new Uint32Array(cap * this.words);
    pool.set(this.pool);
    const heads = new Int32Array(cap).fill(-1);
    for (let e = 0; e < this.size; e++) {
      const b = hashOf[e] & (cap - 1);
      nextOf[e] = heads[b];
      heads[b] = e;
    }
    Object.assign(this, { nextOf, hashOf, pool, heads });
  }
}

/** Builds the doubly linked call/return list of one partition in history order. */
function entryList<I, O>(ops: Op<I, O>[]): { next: Int32Array; prev: Int32Array } {
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
  return { next, prev };
}

function searchPartition<S, I, O>(ops: Op<I, O>[], model: Model<S, I, O>, budget: Budget, maxPrefixes: number): SearchResult<S, I, O> {
  const n = ops.length;
  const { next, prev } = entryList(ops);
  const info = new Uint8Array(n);
  for (let j = 0; j < n; j++) info[j] = ops[j].info ? 1 : 0;
  // Read-only ops: one that fits the current state is linearized greedily (see DEAD_END).
  const readOnly = new Uint8Array(n);
  if (model.readOnly) for (let j = 0; j < n; j++) readOnly[j] = model.readOnly(ops[j].input) ? 1 : 0;
  const forced = new Uint8Array(n);
  const words = (n + 31) >>> 5;
  const bits = new Uint32Array(words);
  const z = zobrist(n);
  const cache = new VisitedCache<S>(words, (a, b) => model.equal(a, b));
  const entryBytes = words * 4 + 64;

  const stackOp = new Int32Array(n);
  const stackState: S[] = new Array(n);
  let depth = 0;
  let state = model.init();
  let setHash = 0;
  let remaining = 0;
  for (let j = 0; j < n; j++) if (!info[j]) remaining++;

  let best: Prefix<S>[] = [];
  let bestDepth = -1;
  let steps = 0;
  let entry = next[0];

  while (remaining > 0) {
    if (entry !== -1 && entry & 1) {
      if (--budget.statesLeft < 0) return { kind: 'unknown', budget: 'states' };
      if ((++steps & 0xfff) === 0) {
        if (performance.now() > budget.deadline) return { kind: 'unknown', budget: 'wall-time' };
        if (cache.size * entryBytes > budget.maxBytes) return { kind: 'unknown', budget: 'memory' };
        // The estimate above ignores state sizes; the heap itself is the final word (sampled rarely).
        if ((steps & 0xffff) === 0 && process.memoryUsage().heapUsed - budget.heapAtStart > budget.maxBytes) return { kind: 'unknown', budget: 'memory' };
      }
      const j = (entry - 1) >> 1;
      const op = ops[j];
      const ns = model.step(state, op.input, op.output);
      if (ns !== undefined) {
        const w = j >>> 5;
        const m = 1 << (j & 31);
        bits[w] |= m;
        const h = setHash ^ z[j];
        if (cache.addIfNew((h ^ Math.imul(model.hash(ns), 0x9e3779b1)) | 0, bits, ns)) {
          forced[depth] = readOnly[j];
          stackOp[depth] = j;
          stackState[depth] = state;
          depth++;
          state = ns;
          setHash = h;
          lift(next, prev, entry, info[j] === 0);
          if (info[j] === 0) remaining--;
          entry = next[0];
          continue;
        }
        bits[w] &= ~m;
        if (readOnly[j]) {
          // Where that read-only op leads was explored and failed: so does this configuration.
          entry = DEAD_END;
          continue;
        }
      }
      entry = next[entry];
    } else {
      // A return entry: its op had to be linearized by now, so this prefix is a dead end.
      const blocked = entry < 0 ? -1 : (entry - 2) >> 1;
      if (depth > bestDepth) {
        bestDepth = depth;
        best = [{ ops: Array.from(stackOp.subarray(0, depth)), state, blocked }];
      } else if (depth === bestDepth && best.length < maxPrefixes) best.push({ ops: Array.from(stackOp.subarray(0, depth)), state, blocked });
      if (depth === 0) {
        const found = best;
        return { kind: 'illegal', explain: (m) => explain(found, ops, m) };
      }
      depth--;
      const j = stackOp[depth];
      state = stackState[depth];
      stackState[depth] = undefined as S; // let the state be collected
      bits[j >>> 5] &= ~(1 << (j & 31));
      setHash ^= z[j];
      const call = 2 * j + 1;
      unlift(next, prev, call, info[j] === 0);
      if (info[j] === 0) remaining++;
      entry = forced[depth] ? DEAD_END : next[call];
    }
  }
  return { kind: 'ok' };
}

/**
 * Backtrack from this configuration without trying its other candidates. Used when a read-only
 * op that can go now (its result fits the state) has been tried and failed: linearizing such an
 * op at once never loses a linearization (moving it earlier keeps every later op's state and
 * real-time order), so if the configuration after it fails, this one fails too. It prunes the
 * search's branching over reads.
 */
const DEAD_END = -2;

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
  best: Prefix<S>[],
  ops: Op<I, O>[],
  model: Model<S, I, O>,
): Omit<PartitionCounterexample, 'partition'> {
  const m = model as unknown as Model<unknown, I, O>;
  const prefixes = best.map((b) => {
    return {
      ops: b.ops.map((j) => opRef(ops[j], m)),
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

