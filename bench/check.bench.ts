/**
 * Linearizability checker benchmark: the Porcupine anchor histories (per file and per set),
 * the kv set without partitioning, a synthetic 100,000-op key-value history, and a synthetic
 * 100,000-txn list-append history checked for (strict) serializability. Prints figures;
 * asserts nothing about time. Run: npm run bench:check [-- anchors|kv|txn]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHistory } from '../checkers/formats/index.ts';
import { checkLinearizability, type LinearizabilityResult } from '../checkers/linearizability.ts';
import { getModel, type Model } from '../models/index.ts';
import { checkTransactional } from '../checkers/transactional/index.ts';
import type { History, HistoryOp } from '../src/history/types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '..', '..', 'shared', 'anchors', 'porcupine');
let peakHeap = 0;
const sampleHeap = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

/** Wall ms, and CPU ms of this process (all threads): on a shared, loaded machine the CPU figure is the steadier one. */
function timed(history: History, model: Model, opts: Parameters<typeof checkLinearizability>[2] = {}): { r: LinearizabilityResult; ms: number; cpuMs: number } {
  const t = performance.now();
  const c = process.cpuUsage();
  const r = checkLinearizability(history, model, opts);
  const ms = performance.now() - t;
  const cu = process.cpuUsage(c);
  sampleHeap();
  return { r, ms, cpuMs: (cu.user + cu.system) / 1000 };
}

let c50ok: { cold: number; warm: number } | undefined;

function anchors(): void {
  if (!existsSync(join(dir, 'expected.tsv'))) {
    console.log(`anchors not found at ${dir}; skipping them`);
    return;
  }
  const expectedOf = new Map(readFileSync(join(dir, 'expected.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => [l.split('\t')[0], l.split('\t')[3]] as const));
  // Every file of the anchor folders, whether or not expected.tsv lists it.
  const names = ['etcd', 'kv'].flatMap((set) => (existsSync(join(dir, set)) ? readdirSync(join(dir, set)).sort().map((f) => `${set}/${f}`) : []));
  const files = names.map((file) => {
    const read = readHistory(readFileSync(join(dir, file), 'utf8'), undefined, file);
    return { file, expected: expectedOf.get(file) ?? '?', history: read.history, model: () => getModel(read.defaults.model!, { initial: read.defaults.initial }) };
  });
  console.log(`${files.length} anchor files (${[...expectedOf.keys()].filter((f) => names.includes(f)).length} with a verdict in expected.tsv)`);
  // Cold pass: what a one-shot `faultline check` pays (includes JIT warm-up).
  const cold = new Map<string, number>();
  for (const f of files) cold.set(f.file, timed(f.history, f.model()).ms);
  console.log('file\tverdict\texpected\tcold ms\twarm ms (median of 5)\twarm cpu ms (median of 5)');
  const totals: Record<string, { cold: number; warm: number; max: number; maxFile: string }> = {};
  let mismatches = 0;
  for (const f of files) {
    const runs = Array.from({ length: 5 }, () => timed(f.history, f.model()));
    const warm = runs.map((x) => x.ms).sort((a, b) => a - b)[2];
    const warmCpu = runs.map((x) => x.cpuMs).sort((a, b) => a - b)[2];
    const verdict = runs[0].r.verdict;
    if (verdict !== f.expected) mismatches++;
    const set = f.file.split('/')[0];
    const t = (totals[set] ??= { cold: 0, warm: 0, max: 0, maxFile: '' });
    t.cold += cold.get(f.file)!;
    t.warm += warm;
    if (warm > t.max) Object.assign(t, { max: warm, maxFile: f.file });
    console.log(`${f.file}\t${verdict}\t${f.expected}\t${cold.get(f.file)!.toFixed(1)}\t${warm.toFixed(1)}\t${warmCpu.toFixed(1)}${verdict !== f.expected ? '\tMISMATCH' : ''}`);
    if (f.file === 'kv/c50-ok.txt') c50ok = { cold: cold.get(f.file)!, warm };
  }
  // Porcupine's figures are quoted from issue 15 (measured there side by side): Go is not
  // installed here, so they are not re-measured in this run, and the ratios are only indicative.
  const porcupine: Record<string, number> = { etcd: 420, kv: 370 };
  console.log('\nset\tcold total ms\twarm total ms\tslowest file (warm)\tPorcupine total ms\tratio (warm/Porcupine)');
  for (const [set, t] of Object.entries(totals))
    console.log(`${set}\t${t.cold.toFixed(1)}\t${t.warm.toFixed(1)}\t${t.maxFile} ${t.max.toFixed(1)} ms\t${porcupine[set] ?? '?'}\t${(t.warm / (porcupine[set] ?? NaN)).toFixed(2)}`);
  const all = Object.values(totals);
  console.log(`all anchors\t${all.reduce((a, t) => a + t.cold, 0).toFixed(1)}\t${all.reduce((a, t) => a + t.warm, 0).toFixed(1)}\t\t790\t${(all.reduce((a, t) => a + t.warm, 0) / 790).toFixed(2)}`);
  console.log(`verdict mismatches: ${mismatches}`);
  if (c50ok) console.log(`kv/c50-ok.txt alone: cold ${c50ok.cold.toFixed(0)} ms, warm ${c50ok.warm.toFixed(0)} ms; Porcupine (quoted) 380-640 ms: ratio ${(c50ok.cold / 640).toFixed(2)}-${(c50ok.warm / 380).toFixed(2)}`);

  // A state budget, not a timeout: the same verdicts on any machine at any load.
  const maxStates = 5_000_000;
  console.log(`\nkv set with --no-partition (budget ${maxStates} states each):`);
  for (const f of files.filter((x) => x.file.startsWith('kv/'))) {
    const { r, ms, cpuMs } = timed(f.history, f.model(), { partition: false, maxStates });
    console.log(`${f.file}\t${r.verdict}${r.budget ? ` (${r.budget} budget)` : ''}\t${r.states} states\t${ms.toFixed(1)} ms wall\t${cpuMs.toFixed(1)} ms cpu\t(partitioned: ${timed(f.history, f.model()).ms.toFixed(1)} ms)`);
  }
}

/** mulberry32: a small deterministic PRNG so the synthetic history is the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A linearizable kv history: `clients` concurrent clients, each op takes effect at a random
 * moment between its invoke and its completion; ~1% of ops time out (info) whether or not they
 * took effect, and the client continues under a fresh process id, as in Jepsen.
 */
function syntheticKv(ops: number, keys: number, clients: number, seed: number): History {
  const rand = rng(seed);
  const store = new Map<string, string>();
  const h: History = [];
  type Pending = { process: number; f: string; key: string; value: unknown; applied: boolean; result: unknown };
  const slots: (Pending | null)[] = new Array(clients).fill(null);
  const procs = Array.from({ length: clients }, (_, i) => i);
  let nextProc = clients;
  let invoked = 0;
  const rec = (op: Omit<HistoryOp, 'index' | 'time'>) => h.push({ index: h.length, time: h.length, ...op });
  while (invoked < ops || slots.some((s) => s)) {
    const c = Math.floor(rand() * clients);
    const p = slots[c];
    if (!p) {
      if (invoked >= ops) continue;
      const key = `k${Math.floor(rand() * keys)}`;
      const r = rand();
      const f = r < 0.5 ? 'get' : r < 0.75 ? 'put' : 'append';
      const value = f === 'get' ? null : `${invoked % 97}.`;
      slots[c] = { process: procs[c], f, key, value, applied: false, result: null };
      rec({ type: 'invoke', process: procs[c], f, key, value });
      invoked++;
    } else if (!p.applied) {
      const cur = store.get(p.key) ?? '';
      if (p.f === 'get') p.result = cur;
      else store.set(p.key, p.f === 'put' ? String(p.value) : cur + String(p.value));
      p.applied = true;
    } else {
      const timeout = rand() < 0.01;
      rec({ type: timeout ? 'info' : 'ok', process: p.process, f: p.f, key: p.key, value: timeout ? null : p.f === 'get' ? p.result : p.value });
      if (timeout) procs[c] = nextProc++;
      slots[c] = null;
    }
  }
  return h;
}

function synthetic(): void {
  const t = performance.now();
  const h = syntheticKv(100_000, 1000, 20, 42);
  console.log(`\nsynthetic kv history: 100000 ops, 1000 keys, 20 clients, seed 42 (${h.length} records, generated in ${(performance.now() - t).toFixed(0)} ms)`);
  const kv = () => getModel('kv', { initial: '' });
  const ok = timed(h, kv(), { timeoutMs: 60_000 });
  console.log(`linearizable history\t${ok.r.verdict}\t${ok.ms.toFixed(0)} ms\t(${ok.r.partitions} partitions; target < 10000 ms)`);
  // Corrupt one get late in the history: the checker must find it.
  const bad = h.map((o) => ({ ...o }));
  const victim = bad.findLast((o) => o.type === 'ok' && o.f === 'get' && o.value !== '')!;
  victim.value = 'never-written';
  const il = timed(bad, kv(), { timeoutMs: 60_000 });
  console.log(`with one corrupted read\t${il.r.verdict}\t${il.ms.toFixed(0)} ms\t${il.r.summary.slice(0, 100)}`);
}

/**
 * A strict-serializable list-append history like Elle's generator makes: `clients` concurrent
 * clients, txns of 1-4 micro-ops over a sliding window of active keys, each key retired after
 * 32 appends; each txn takes effect atomically between its invoke and its completion.
 */
function syntheticListAppend(txns: number, clients: number, seed: number): History {
  const rand = rng(seed);
  const store = new Map<number, number[]>();
  const h: History = [];
  type Pending = { process: number; mops: [string, number, unknown][]; done?: [string, number, unknown][] };
  const slots: (Pending | null)[] = new Array(clients).fill(null);
  let invoked = 0;
  let nextValue = 1;
  let firstKey = 0;
  const appends = new Map<number, number>();
  const rec = (op: Omit<HistoryOp, 'index' | 'time'>) => h.push({ index: h.length, time: h.length, ...op });
  while (invoked < txns || slots.some((x) => x)) {
    const c = Math.floor(rand() * clients);
    const p = slots[c];
    if (!p) {
      if (invoked >= txns) continue;
      const n = 1 + Math.floor(rand() * 4);
      const mops: [string, number, unknown][] = [];
      for (let i = 0; i < n; i++) {
        const key = firstKey + Math.floor(rand() * 8);
        if (rand() < 0.5) mops.push(['r', key, null]);
        else mops.push(['append', key, nextValue++]);
      }
      slots[c] = { process: c, mops };
      rec({ type: 'invoke', process: c, f: 'txn', value: mops });
      invoked++;
    } else if (!p.done) {
      p.done = p.mops.map(([f, k, v]) => {
        const l = store.get(k) ?? [];
        if (f === 'r') return [f, k, [...l]];
        store.set(k, [...l, v as number]);
        appends.set(k, (appends.get(k) ?? 0) + 1);
        while ((appends.get(firstKey) ?? 0) >= 32) firstKey++;
        return [f, k, v];
      });
    } else {
      rec({ type: 'ok', process: p.process, f: 'txn', value: p.done });
      slots[c] = null;
    }
  }
  return h;
}

function transactional(): void {
  const t = performance.now();
  const h = syntheticListAppend(100_000, 10, 7);
  console.log(`\nsynthetic list-append history: 100000 txns, 10 clients, seed 7 (${h.length} records, generated in ${(performance.now() - t).toFixed(0)} ms)`);
  for (const consistency of ['serializable', 'strict-serializable']) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = checkTransactional(h, { workload: 'list-append', consistency });
    const cpu = process.cpuUsage(c0);
    sampleHeap();
    console.log(`${consistency}\t${r.verdict}\t${(performance.now() - t0).toFixed(0)} ms wall\t${((cpu.user + cpu.system) / 1000).toFixed(0)} ms cpu (all threads, GC included)\t(${r.details.edges} edges)`);
  }
  // Plant a stale read late in the history: one read misses the last element it should see.
  const bad = h.map((o) => ({ ...o }));
  const victim = bad.findLast((o) => o.type === 'ok' && (o.value as [string, number, unknown][]).some(([f, , v]) => f === 'r' && (v as number[]).length > 2))!;
  victim.value = (victim.value as [string, number, unknown][]).map(([f, k, v]) => (f === 'r' && (v as number[]).length > 2 ? [f, k, (v as number[]).slice(0, -1)] : [f, k, v]));
  const t1 = performance.now();
  const r = checkTransactional(bad, { workload: 'list-append', consistency: 'strict-serializable' });
  console.log(`with one stale read\t${r.verdict}\t${(performance.now() - t1).toFixed(0)} ms\t${r.summary.slice(0, 110)}`);
}

// `npm run bench:check -- txn` (or anchors, kv) runs one part.
const only = process.argv[2];
if (!only || only === 'anchors') anchors();
if (!only || only === 'kv') synthetic();
if (!only || only === 'txn') transactional();
const ru = process.resourceUsage();
console.log(`\npeak heap used (sampled after each check): ${mb(peakHeap)}; peak RSS (maxRSS): ${mb(ru.maxRSS * 1024)}`);
