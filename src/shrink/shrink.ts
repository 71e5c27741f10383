/**
 * The shrinker: turns a failing run into a small one that fails the same way.
 *
 * A run is data: scenario options, the client plan (ops), the fault plan and the network's choice
 * tape. The shrinker tries simpler versions of that data (fewer ops, fewer and weaker faults, a
 * tape with fewer drops, duplicates, reorderings and smaller latencies, fewer nodes and clients,
 * a shorter run) and keeps each one that still fails the same way, pass after pass, until a whole
 * round changes nothing (a fixpoint) or the budget runs out.
 *
 * Determinism: what to try next depends only on the results of earlier runs, never on wall time;
 * the wall-clock budget only decides when to stop. Every run is deterministic, so a cache of tried
 * candidates is exact.
 *
 * After every accepted candidate the tape is replaced by the tape that run actually recorded (with
 * trailing zeros trimmed), so the kinds in the final tape describe exactly the decisions of the
 * final run, and replaying the result reproduces it bit for bit.
 */
import { ChoiceKind, type ChoiceTape } from '../kernel/choices.ts';
import { intBelow, stream } from '../kernel/rng.ts';
import { faultKindOf, type Fault, type WeakenStep } from '../faults/index.ts';
import type { NodeId } from '../node/api.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { runScenario, type RunResult } from '../run/run.ts';
import { Hasher } from '../kernel/hash.ts';
import { nodeIds, type RunInput, type ScenarioOptions } from '../run/scenario.ts';
import type { RunOutcome } from '../sim/simulator.ts';
import type { PlannedOp } from '../workload/workload.ts';

/** A run input with every plan explicit: what the shrinker works on and returns. */
export interface ExplicitInput {
  options: ScenarioOptions;
  ops: PlannedOp[];
  faults: Fault[];
  tape: ChoiceTape;
}

/** What "fails the same way" means: the same simulator outcome, and this checker still failing. */
export interface ShrinkTarget {
  outcome: RunOutcome;
  /** The first failing checker of the original run (a checker name or a sim outcome like `crashed`). */
  checker: string;
}

/** A progress report, after every run the shrinker makes. */
export interface ShrinkProgress {
  runs: number;
  elapsedMs: number;
  /** The pass being run (`ops`, `faults`, `tape-flags`, ...). */
  pass: string;
  ops: number;
  faults: number;
  /** Nonzero drop / dup / reorder choices left in the tape. */
  flags: number;
  tapeLength: number;
}

export interface ShrinkSettings {
  /** Stop after this many runs (default 20000). */
  maxRuns?: number;
  /** Stop after this much wall time (default 60 s). Only decides when to stop, never what to try. */
  maxMs?: number;
  /** Called after every run. */
  onProgress?: (p: ShrinkProgress) => void;
  /** Fresh tapes tried for a structural change that fails with the old tape (default 3; 0 = never). */
  retapes?: number;
  /** Budget per linearizability check of a candidate (default 10 s). */
  checkTimeoutMs?: number;
}

/** Sizes of a run, for reports: before and after shrinking. */
export interface RunSize {
  ops: number;
  faults: number;
  messages: number;
  tapeLength: number;
  /** Nonzero drop / dup / reorder choices. */
  flags: number;
  nodes: number;
  clients: number;
  virtualMs: number;
}

export interface ShrinkResult {
  /** False when the input did not fail at all: nothing was shrunk. */
  reproduced: boolean;
  target: ShrinkTarget | undefined;
  /** The smallest failing input found (the materialised input itself when not reproduced). */
  input: ExplicitInput;
  /** The run of `input`. */
  result: RunResult;
  original: RunSize;
  shrunk: RunSize;
  runs: number;
  elapsedMs: number;
  /** The budget ran out before a fixpoint: `input` is the best so far, not necessarily 1-minimal. */
  exhausted: boolean;
}

/**
 * Whether `r` fails the way `target` says: same simulator outcome, and the target checker among
 * the failing ones (an `unknown` verdict does not count: the failure must be decided).
 */
export function failsSameWay(target: ShrinkTarget, r: RunResult): boolean {
  if (r.status !== 'fail' || r.sim.outcome !== target.outcome) return false;
  return r.checks.some((c) => c.checker === target.checker && c.verdict === 'illegal');
}

/** The target a failing run defines: its outcome and its first failing checker. */
export function targetOf(r: RunResult): ShrinkTarget | undefined {
  if (r.status !== 'fail') return undefined;
  const first = r.checks.find((c) => c.verdict === 'illegal');
  return first ? { outcome: r.sim.outcome, checker: first.checker } : undefined;
}

/** The size figures of a run. */
export function sizeOf(input: ExplicitInput, r: RunResult): RunSize {
  return {
    ops: input.ops.length,
    faults: input.faults.length,
    messages: r.sim.stats.messagesSent,
    tapeLength: input.tape.values.length,
    flags: flagIndices(input.tape).length,
    nodes: input.options.nodes,
    clients: input.options.clients,
    virtualMs: r.sim.stats.virtualMs,
  };
}

/** Positions of the nonzero drop / dup / reorder choices of a tape. */
export function flagIndices(tape: ChoiceTape): number[] {
  const out: number[] = [];
  for (let i = 0; i < tape.values.length; i++) {
    if (tape.values[i] !== 0 && tape.kinds[i] !== ChoiceKind.latency) out.push(i);
  }
  return out;
}

/** A tape without its trailing zeros (a missing entry reads as 0, so the run is the same). */
export function trimTape(tape: ChoiceTape): ChoiceTape {
  let n = tape.values.length;
  while (n > 0 && tape.values[n - 1] === 0) n--;
  return sliceTape(tape, n);
}

/**
 * After removing planned ops [start, end) from `before`, stretches the think time of each client's
 * next remaining op so that it is still invoked when it was in `run`: the ops left keep their
 * place relative to the faults, which are fixed in time. A no-op where the history lacks times.
 */
function keepingTimes(c: ExplicitInput, before: ExplicitInput, run: RunResult, start: number, end: number): ExplicitInput {
  const invokeAt = new Map<number, number>();
  const completeAt = new Map<number, number>();
  const byClient = new Map<number, number[]>();
  before.ops.forEach((op, i) => {
    let list = byClient.get(op.client);
    if (list === undefined) byClient.set(op.client, (list = []));
    list.push(i);
  });
  const clients = before.options.clients;
  const seen = new Map<number, number>();
  const inFlight = new Map<number, number>();
  for (const h of run.sim.history) {
    const client = h.process % clients;
    if (h.type === 'invoke') {
      const k = seen.get(client) ?? 0;
      seen.set(client, k + 1);
      const planIndex = byClient.get(client)?.[k];
      if (planIndex === undefined) continue;
      invokeAt.set(planIndex, h.time);
      inFlight.set(client, planIndex);
    } else {
      const planIndex = inFlight.get(client);
      if (planIndex !== undefined) completeAt.set(planIndex, h.time);
    }
  }
  const ops = c.ops.slice();
  for (const list of byClient.values()) {
    for (let j = 0; j < list.length; j++) {
      const i = list[j];
      if (i < start || i >= end) continue;
      // The first op after the removed run of this client's ops, and the op before it.
      let next = j + 1;
      while (next < list.length && list[next] >= start && list[next] < end) next++;
      if (next >= list.length) break;
      let prev = j - 1;
      while (prev >= 0 && list[prev] >= start && list[prev] < end) prev--;
      const at = invokeAt.get(list[next]);
      const from = prev >= 0 ? completeAt.get(list[prev]) : 0;
      if (at !== undefined && from !== undefined && at >= from) {
        const k = list[next] >= end ? list[next] - (end - start) : list[next];
        ops[k] = { ...ops[k], thinkMs: at - from };
      }
      j = next - 1;
    }
  }
  return { ...c, ops };
}

/** The first `n` choices of a tape. */
function sliceTape(tape: ChoiceTape, n: number): ChoiceTape {
  return { values: tape.values.slice(0, n), kinds: tape.kinds.slice(0, n), causes: tape.causes?.slice(0, n) };
}

/**
 * The input without planned ops [start, end): their network decisions go with them and later
 * ops' decisions are renumbered, so every remaining op keeps exactly the schedule it had.
 */
export function withoutOps(c: ExplicitInput, start: number, end: number): ExplicitInput {
  const gone = end - start;
  const values: number[] = [];
  const kinds: ChoiceKind[] = [];
  const causes: number[] = [];
  for (let i = 0; i < c.tape.values.length; i++) {
    const cause = c.tape.causes?.[i] ?? -1;
    if (cause >= start && cause < end) continue;
    values.push(c.tape.values[i]);
    kinds.push(c.tape.kinds[i]);
    causes.push(cause >= end ? cause - gone : cause);
  }
  return { ...c, ops: [...c.ops.slice(0, start), ...c.ops.slice(end)], tape: { values, kinds, causes } };
}

class Exhausted extends Error {}

/**
 * Shrinks a failing run to a 1-minimal one that fails the same way: removing any single op or
 * fault, or zeroing any single drop / dup / reorder choice, makes the failure go away (unless
 * `exhausted`, when the budget ran out first).
 *
 * @example
 * const s = await shrink(abd, { options: resolveOptions(abd, { variant: 'no-write-back', seed: 7 }) });
 * s.shrunk.ops; // a handful
 */
export async function shrink(protocol: ProtocolDef, given: RunInput, settings: ShrinkSettings = {}): Promise<ShrinkResult> {
  const maxRuns = settings.maxRuns ?? 20_000;
  const maxMs = settings.maxMs ?? 60_000;
  const checkTimeoutMs = settings.checkTimeoutMs ?? 10_000;
  const retapes = settings.retapes ?? 3;
  const t0 = performance.now();
  let runs = 0;
  let pass = 'original';

  const first = await runScenario(protocol, given, { checkTimeoutMs });
  runs++;
  const materialised: ExplicitInput = {
    options: { ...given.options },
    ops: first.ops.map((o) => ({ ...o })),
    faults: first.faults.map(cloneFault),
    tape: trimTape(first.sim.tape),
  };
  const target = targetOf(first);
  if (target === undefined) {
    const size = sizeOf(materialised, first);
    return { reproduced: false, target, input: materialised, result: first, original: size, shrunk: size, runs, elapsedMs: performance.now() - t0, exhausted: false };
  }
  const original = sizeOf(materialised, first);

  let cur = materialised;
  let best = first;
  // Re-driving from the tape must reproduce the run; if it does not fail the same way, shrink
  // from the seed-mode run's data anyway but start from what the tape-mode run does.
  const tried = new Map<string, boolean>();

  const progress = () =>
    settings.onProgress?.({
      runs,
      elapsedMs: performance.now() - t0,
      pass,
      ops: cur.ops.length,
      faults: cur.faults.length,
      flags: flagIndices(cur.tape).length,
      tapeLength: cur.tape.values.length,
    });

  /** Runs a candidate; adopts it (with the tape it recorded) when it fails the same way. */
  const attempt = async (c: ExplicitInput): Promise<boolean> => {
    const key = keyOf(c);
    if (tried.has(key)) return false;
    if (runs >= maxRuns || performance.now() - t0 >= maxMs) throw new Exhausted();
    runs++;
    const r = await runScenario(protocol, c, { checkTimeoutMs });
    const ok = failsSameWay(target, r);
    tried.set(key, ok);
    if (ok) {
      cur = { options: c.options, ops: c.ops, faults: c.faults, tape: trimTape(r.sim.tape) };
      tried.set(keyOf(cur), true);
      best = r;
    }
    progress();
    return ok;
  };
  /**
   * A structural change (fewer ops, faults or nodes). When the candidate with the current tape
   * does not fail, a few other schedules of the same shape are tried, drawn from a stream seeded
   * by the candidate itself (deterministic): concurrency bugs need a schedule, not this schedule.
   */
  const attemptStructural = async (c: ExplicitInput): Promise<boolean> => {
    // Removing ops keeps every other op's decisions (the tape is keyed by op), but faults and
    // nodes change timing for all: then a few other schedules of the same shape are tried.
    if (await attempt(c)) return true;
    const h = new Hasher();
    h.str(keyOf(c));
    const seed = parseInt(h.hex().slice(0, 12), 16);
    // Small runs are cheap and a schedule that makes the bug is rarer with few ops: try more.
    const tries = c.ops.length <= 50 ? retapes * 6 : retapes;
    for (let k = 0; k < tries; k++) {
      // Alternately: the same decisions with new values, and a whole new schedule on the
      // original network (its spread may have been simplified away by now).
      if (k % 2 === 0) {
        if (await attempt({ ...c, tape: reroll(seed, k, c.options, c.tape) })) return true;
      } else {
        const options = { ...c.options, ...networkOf(given.options) };
        if (await attempt({ ...c, options, tape: freshTape(seed, k, options, c.ops.length) })) return true;
      }
    }
    return false;
  };

  let exhausted = false;
  try {
    if (!(await attempt(cur))) {
      // The tape-mode replay did not fail the same way (it should): keep the seed-mode data.
      best = first;
    }
    for (let round = 0; ; round++) {
      let changed = false;
      for (const p of passes) {
        pass = p.name;
        if (await p.run({ minNodes: protocol.minNodes ?? 1, get: () => cur, result: () => best, attempt: (c) => attempt(c), attemptStructural })) changed = true;
      }
      if (!changed) break;
    }
  } catch (e) {
    if (!(e instanceof Exhausted)) throw e;
    exhausted = true;
  }
  const input: ExplicitInput = { ...cur, options: { ...cur.options, ops: cur.ops.length } };
  // `options.ops` only sizes a seed-drawn plan; with explicit ops it is a label, so keep it honest.
  // The run is unaffected, so the result of `cur` is the result of `input`.
  return {
    reproduced: true,
    target,
    input,
    result: best,
    original,
    shrunk: sizeOf(input, best),
    runs,
    elapsedMs: performance.now() - t0,
    exhausted,
  };
}

interface PassCtx {
  /** The protocol's smallest cluster. */
  minNodes: number;
  get(): ExplicitInput;
  /** The run `get()` gave. */
  result(): RunResult;
  attempt(c: ExplicitInput): Promise<boolean>;
  attemptStructural(c: ExplicitInput): Promise<boolean>;
}

interface Pass {
  name: string;
  run(p: PassCtx): Promise<boolean>;
}

/**
 * Removes chunks of a list, halving the chunk size down to single items, from the end backwards
 * (later items depend on earlier ones more often than the reverse). `count` reads the current
 * length; `without(start, end)` builds the candidate without items [start, end), or null.
 * Singles are always tried last, so a pass that ends with no success leaves a 1-minimal list.
 */
async function removeChunks(
  p: PassCtx,
  count: () => number,
  without: (start: number, end: number) => ExplicitInput | null,
  minChunk = 1,
  structural = false,
): Promise<boolean> {
  let changed = false;
  let size = Math.max(1, Math.ceil(count() / 2));
  for (;;) {
    for (let end = count(); end > 0; ) {
      const start = Math.max(0, end - size);
      const c = without(start, end);
      if (c !== null && (await (structural ? p.attemptStructural(c) : p.attempt(c)))) changed = true;
      end = Math.min(start, count());
    }
    if (size <= minChunk) break;
    size = Math.max(minChunk, Math.ceil(size / 2));
  }
  return changed;
}

/** Binary search for the smallest value in [lo, current] that still fails, via `build(v)`. */
async function lowerNumber(p: PassCtx, lo: number, current: number, build: (v: number) => ExplicitInput | null): Promise<boolean> {
  let changed = false;
  let hi = current;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const c = build(mid);
    if (c !== null && (await p.attempt(c))) {
      hi = mid;
      changed = true;
    } else lo = mid + 1;
  }
  return changed;
}

const passes: Pass[] = [
  {
    // The network from some point on behaves plainly: the biggest, cheapest cut first.
    name: 'tape-truncate',
    async run(p) {
      const base = p.get();
      const n = base.tape.values.length;
      if (n === 0) return false;
      return lowerNumber(p, 0, n, (len) => ({ ...base, tape: sliceTape(base.tape, len) }));
    },
  },
  {
    name: 'tape-flags',
    async run(p) {
      return removeChunks(
        p,
        () => flagIndices(p.get().tape).length,
        (start, end) => {
          const c = p.get();
          const idx = flagIndices(c.tape).slice(start, end);
          if (idx.length === 0) return null;
          const values = c.tape.values.slice();
          for (const i of idx) values[i] = 0;
          return { ...c, tape: { ...c.tape, values } };
        },
      );
    },
  },
  {
    name: 'ops',
    async run(p) {
      return removeChunks(
        p,
        () => p.get().ops.length,
        (start, end) => {
          return keepingTimes(withoutOps(p.get(), start, end), p.get(), p.result(), start, end);
        },
        1,
        true,
      );
    },
  },
  {
    name: 'faults',
    async run(p) {
      return removeChunks(
        p,
        () => p.get().faults.length,
        (start, end) => {
          const c = p.get();
          return { ...c, faults: [...c.faults.slice(0, start), ...c.faults.slice(end)] };
        },
        1,
        true,
      );
    },
  },
  {
    name: 'nodes',
    async run(p) {
      let changed = false;
      const min = Math.max(1, p.minNodes);
      for (let j = p.get().options.nodes - 1; j >= 0; j--) {
        const c = p.get();
        if (c.options.nodes <= min || j >= c.options.nodes) continue;
        if (await p.attemptStructural(withoutNode(c, j))) changed = true;
      }
      return changed;
    },
  },
  {
    name: 'clients',
    async run(p) {
      const c = p.get();
      const used = [...new Set(c.ops.map((o) => o.client))].sort((a, b) => a - b);
      const dense = used.every((u, i) => u === i) && used.length === c.options.clients;
      if (dense || used.length === 0) return false;
      const map = new Map(used.map((u, i) => [u, i]));
      return p.attempt({
        ...c,
        options: { ...c.options, clients: used.length },
        ops: c.ops.map((o) => ({ ...o, client: map.get(o.client)! })),
      });
    },
  },
  {
    name: 'fault-weaken',
    async run(p) {
      let changed = false;
      for (let i = 0; i < p.get().faults.length; i++) {
        const setFault = (f: Fault): ExplicitInput => {
          const c = p.get();
          const faults = c.faults.slice();
          faults[i] = f;
          return { ...c, faults };
        };
        const f0 = p.get().faults[i];
        if (await lowerNumber(p, 1, f0.durationMs, (d) => setFault({ ...p.get().faults[i], durationMs: d } as Fault))) changed = true;
        for (const step of faultKindOf(p.get().faults[i]).weaken) {
          if (await weakenBy(p, step, () => p.get().faults[i], setFault)) changed = true;
        }
      }
      return changed;
    },
  },
  {
    name: 'duration',
    async run(p) {
      let changed = false;
      const o = p.get().options;
      if (await lowerNumber(p, 0, o.healAtMs, (v) => withOptions(p.get(), { healAtMs: v }))) changed = true;
      if (await lowerNumber(p, 0, p.get().options.quietMs, (v) => withOptions(p.get(), { quietMs: v }))) changed = true;
      // Faults that start at or after the heal never happen: dropping them changes nothing.
      const c = p.get();
      const live = c.faults.filter((f) => f.atMs < c.options.healAtMs);
      if (live.length < c.faults.length && (await p.attempt({ ...c, faults: live }))) changed = true;
      return changed;
    },
  },
  {
    name: 'latency',
    async run(p) {
      let changed = false;
      const lat = () => latencyIndices(p.get().tape);
      // Halve every latency at once, then zero them in chunks (singles only when few are left).
      for (let k = 0; k < 8 && lat().length > 0; k++) {
        const c = p.get();
        const values = c.tape.values.map((v, i) => (c.tape.kinds[i] === ChoiceKind.latency ? Math.floor(v / 2) : v));
        if (!(await p.attempt({ ...c, tape: { ...c.tape, values } }))) break;
        changed = true;
      }
      const n = lat().length;
      const chunked = await removeChunks(
        p,
        () => lat().length,
        (start, end) => {
          const c = p.get();
          const values = c.tape.values.slice();
          for (const i of latencyIndices(c.tape).slice(start, end)) values[i] = 0;
          return { ...c, tape: { ...c.tape, values } };
        },
        Math.max(1, Math.ceil(n / 32)),
      );
      return changed || chunked;
    },
  },
  {
    // With no drop (dup, reorder, latency) left in the tape, the network need not draw them at
    // all: set the option to zero and take those entries out, leaving the others aligned.
    name: 'network-options',
    async run(p) {
      let changed = false;
      const rates: Array<[keyof ScenarioOptions, ChoiceKind]> = [
        ['dropRate', ChoiceKind.drop],
        ['dupRate', ChoiceKind.dup],
        ['reorderRate', ChoiceKind.reorder],
      ];
      for (const [key, kind] of rates) {
        const c = p.get();
        if (c.options[key] === 0 || c.tape.values.some((v, i) => v !== 0 && c.tape.kinds[i] === kind)) continue;
        if (await p.attempt({ ...withOptions(c, { [key]: 0 }), tape: withoutKind(c.tape, kind) })) changed = true;
      }
      const c = p.get();
      if (c.options.latencyMaxMs > c.options.latencyMinMs && latencyIndices(c.tape).length === 0) {
        if (await p.attempt({ ...withOptions(c, { latencyMaxMs: c.options.latencyMinMs }), tape: withoutKind(c.tape, ChoiceKind.latency) })) changed = true;
      }
      return changed;
    },
  },
  {
    // Shorter pauses between a client's ops make a story with fewer idle gaps.
    name: 'think',
    async run(p) {
      return removeChunks(
        p,
        () => p.get().ops.filter((o) => o.thinkMs > 0).length,
        (start, end) => {
          const c = p.get();
          const idx = c.ops.flatMap((o, i) => (o.thinkMs > 0 ? [i] : [])).slice(start, end);
          const ops = c.ops.slice();
          for (const i of idx) ops[i] = { ...ops[i], thinkMs: 0 };
          return { ...c, ops };
        },
        Math.max(1, Math.ceil(p.get().ops.length / 8)),
      );
    },
  },
];

/**
 * A fresh schedule for a run of `ops` planned ops: for every cause (each op, and background) a run
 * of values from a stream named by `seed` and `k`. A value reads as a latency where the run draws
 * a latency and as a flag where it draws a drop, duplicate or reordering, so 1 is drawn only at
 * the scenario's flag rate (elsewhere 1 would be a flag) and other values are latencies.
 */
function freshTape(seed: number, k: number, o: ScenarioOptions, ops: number): ChoiceTape {
  const rng = stream(seed, `shrink-tape:${k}`);
  const spread = o.latencyMaxMs - o.latencyMinMs;
  const flagRate = Math.max(o.dropRate, o.dupRate, o.reorderRate, 0.01);
  const perCause = 16 * o.nodes;
  const values: number[] = [];
  const kinds: ChoiceKind[] = [];
  const causes: number[] = [];
  for (let cause = -1; cause < ops; cause++) {
    for (let i = 0; i < perCause; i++) {
      const v = spread >= 2 ? intBelow(rng, spread + 1) : 0;
      values.push(rng() < flagRate ? 1 : v === 1 ? 0 : v);
      kinds.push(ChoiceKind.latency);
      causes.push(cause);
    }
  }
  return { values, kinds, causes };
}

/** The template's decisions (same kinds, same causes) with values drawn afresh. */
function reroll(seed: number, k: number, o: ScenarioOptions, template: ChoiceTape): ChoiceTape {
  const rng = stream(seed, `shrink-reroll:${k}`);
  const spread = o.latencyMaxMs - o.latencyMinMs;
  const rate = { [ChoiceKind.drop]: o.dropRate, [ChoiceKind.dup]: o.dupRate, [ChoiceKind.reorder]: o.reorderRate };
  const values = template.kinds.map((kind) =>
    kind === ChoiceKind.latency ? intBelow(rng, spread + 1) : rng() < Math.max(rate[kind], 0.01) ? 1 : 0,
  );
  return { ...template, values };
}

/** The network part of a scenario's options. */
function networkOf(o: ScenarioOptions): Partial<ScenarioOptions> {
  return { latencyMinMs: o.latencyMinMs, latencyMaxMs: o.latencyMaxMs, dropRate: o.dropRate, dupRate: o.dupRate, reorderRate: o.reorderRate };
}

function latencyIndices(tape: ChoiceTape): number[] {
  const out: number[] = [];
  for (let i = 0; i < tape.values.length; i++) if (tape.values[i] !== 0 && tape.kinds[i] === ChoiceKind.latency) out.push(i);
  return out;
}

function withoutKind(tape: ChoiceTape, kind: ChoiceKind): ChoiceTape {
  const values: number[] = [];
  const kinds: ChoiceKind[] = [];
  const causes: number[] = [];
  for (let i = 0; i < tape.values.length; i++) {
    if (tape.kinds[i] === kind) continue;
    values.push(tape.values[i]);
    kinds.push(tape.kinds[i]);
    causes.push(tape.causes?.[i] ?? -1);
  }
  return { values, kinds, causes };
}

function withOptions(c: ExplicitInput, o: Partial<ScenarioOptions>): ExplicitInput {
  return { ...c, options: { ...c.options, ...o } };
}

/** Runs one of a fault kind's weakening steps with the shrinker's search helpers. */
async function weakenBy(p: PassCtx, step: WeakenStep<Fault>, get: () => Fault, set: (f: Fault) => ExplicitInput): Promise<boolean> {
  if (step.type === 'replace') {
    const weaker = step.weaker(get());
    return weaker !== undefined && (await p.attempt(set(weaker)));
  }
  if (step.type === 'number') return lowerNumber(p, step.min, step.get(get()), (v) => set(step.set(get(), v)));
  if (step.count(get()) < 1) return false;
  return removeChunks(p, () => step.count(get()), (start, end) => {
    const f = step.without(get(), start, end);
    return f === null ? null : set(f);
  });
}

/**
 * The input with node `j` (0-based) removed: later nodes are renamed down by one, ops addressed
 * to the removed node go to the first remaining node, faults naming it are dropped (partitions
 * keep their other links).
 */
export function withoutNode(c: ExplicitInput, j: number): ExplicitInput {
  const before = nodeIds(c.options.nodes);
  const gone = before[j];
  const rename = (id: NodeId): NodeId => {
    const k = before.indexOf(id);
    return `n${k > j ? k : k + 1}`;
  };
  const firstLeft = 'n1';
  const ops = c.ops.map((o) => ({ ...o, node: o.node === gone ? firstLeft : rename(o.node) }));
  const faults: Fault[] = [];
  for (const f of c.faults) {
    const renamed = faultKindOf(f).renameNodes(f, (id) => (id === gone ? undefined : rename(id)));
    if (renamed !== undefined) faults.push(renamed);
  }
  return { ...c, options: { ...c.options, nodes: c.options.nodes - 1 }, ops, faults };
}

function cloneFault(f: Fault): Fault {
  return faultKindOf(f).clone(f);
}

function keyOf(c: ExplicitInput): string {
  return JSON.stringify([c.options, c.ops, c.faults, c.tape.values, c.tape.kinds, c.tape.causes]);
}
