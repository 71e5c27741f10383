/**
 * Checkers for Maelstrom workloads that Faultline's generic checkers do not cover: echo, the
 * final-read set checks of broadcast and g-set (every node's final read), counter bounds on the
 * final reads, and kafka's log checks. Each reads a history and returns one CheckerResult.
 */
import { pairOps, type PairedOp } from '../../checkers/ops.ts';
import type { CheckerResult } from '../../checkers/result.ts';
import { equalValue, showValue, valueKey } from '../../models/value.ts';
import type { History } from '../history/types.ts';

/** The Maelstrom id (`n0..`) of the node a Faultline node id (`n1..`) hosts. */
function maelstromNode(id: string | undefined): string | undefined {
  return id === undefined ? undefined : `n${Number(id.slice(1)) - 1}`;
}

/** Marks a read planned for the final phase (after the heal): its invoke value. */
export const FINAL = 'final';

/**
 * Echo: every acknowledged echo returns exactly what was sent.
 *
 * @example
 * checkEcho(history).verdict; // 'illegal' if a reply echoed something else
 */
export function checkEcho(history: History): CheckerResult {
  const bad: Array<{ index: number; sent: unknown; got: unknown }> = [];
  let ok = 0;
  for (const p of pairOps(history)) {
    if (p.invoke.f !== 'echo' || p.outcome !== 'ok') continue;
    ok++;
    if (!equalValue(p.invoke.value, p.completion!.value)) bad.push({ index: p.invoke.index, sent: p.invoke.value, got: p.completion!.value });
  }
  if (bad.length) return { checker: 'echo', verdict: 'illegal', summary: `${bad.length} of ${ok} echoes came back different (op #${bad[0].index} sent ${showValue(bad[0].sent)}, got ${showValue(bad[0].got)})`, details: { bad } };
  if (ok === 0) return { checker: 'echo', verdict: 'unknown', summary: 'no echo was acknowledged, so nothing can be said' };
  return { checker: 'echo', verdict: 'ok', summary: `all ${ok} acknowledged echoes matched` };
}

/**
 * Broadcast and g-set: every node's final read (after the heal) holds every add acknowledged at
 * least `settleMs` before that read began (other clients may still be in their main phase when
 * one starts its final reads); no read ever holds a value nobody added.
 *
 * @example
 * checkFinalSet(history, 'broadcast', 'broadcast', 1000).details; // { lost: [...], unexpected: [...] }
 */
export function checkFinalSet(history: History, checker: string, addF: string, settleMs: number): CheckerResult {
  const pairs = pairOps(history);
  const attempted = new Set<string>();
  const acked = new Map<string, { value: unknown; atMs: number }>();
  for (const p of pairs) {
    if (p.invoke.f !== addF) continue;
    attempted.add(valueKey(p.invoke.value));
    if (p.outcome === 'ok') acked.set(valueKey(p.invoke.value), { value: p.invoke.value, atMs: p.completion!.time });
  }
  const unexpected = new Map<string, unknown>();
  const finals: PairedOp[] = [];
  for (const p of pairs) {
    if (p.invoke.f !== 'read' || p.outcome !== 'ok' || !Array.isArray(p.completion!.value)) continue;
    for (const v of p.completion!.value as unknown[]) if (!attempted.has(valueKey(v))) unexpected.set(valueKey(v), v);
    if (p.invoke.value === FINAL) finals.push(p);
  }
  const lost: Array<{ value: unknown; node?: string }> = [];
  for (const f of finals) {
    const seen = new Set((f.completion!.value as unknown[]).map(valueKey));
    for (const [k, a] of acked) if (!seen.has(k) && a.atMs <= f.invoke.time - settleMs) lost.push({ value: a.value, node: maelstromNode(f.invoke.node) });
  }
  const details = { lost, unexpected: [...unexpected.values()], acknowledged: acked.size, finalReads: finals.length, stableLatencyMs: stableLatency(pairs, addF) };
  if (lost.length || unexpected.size) {
    const parts = [];
    if (lost.length) parts.push(`${lost.length} acknowledged value(s) missing from final reads (e.g. ${showValue(lost[0].value)} on ${lost[0].node})`);
    if (unexpected.size) parts.push(`${unexpected.size} value(s) read that nobody added (e.g. ${showValue([...unexpected.values()][0])})`);
    return { checker, verdict: 'illegal', summary: parts.join('; '), details };
  }
  if (finals.length === 0) return { checker, verdict: 'unknown', summary: 'no final read succeeded, so lost values cannot be judged', details };
  return { checker, verdict: 'ok', summary: `${finals.length} final read(s) hold all ${acked.size} acknowledged values`, details };
}

/**
 * Broadcast's stable latency: for each acknowledged value, how long after its add was invoked
 * every read began to include it (the end of the last read that missed it; 0 if none did).
 * Quantiles in virtual ms; values never seen by every later read are left out.
 */
function stableLatency(pairs: PairedOp[], addF: string): Record<string, number> {
  const reads = pairs.filter((p) => p.invoke.f === 'read' && p.outcome === 'ok' && Array.isArray(p.completion!.value));
  const sets = reads.map((r) => new Set((r.completion!.value as unknown[]).map(valueKey)));
  const ms: number[] = [];
  for (const a of pairs) {
    if (a.invoke.f !== addF || a.outcome !== 'ok') continue;
    const k = valueKey(a.invoke.value);
    let lastMiss = -1;
    let seenAfter = false;
    reads.forEach((r, i) => {
      if (r.invoke.time < a.invoke.time) return;
      if (sets[i].has(k)) seenAfter = true;
      else lastMiss = Math.max(lastMiss, r.completion!.time);
    });
    if (lastMiss < 0) ms.push(0);
    else if (seenAfter) ms.push(lastMiss - a.invoke.time);
  }
  ms.sort((x, y) => x - y);
  const q = (x: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(x * ms.length))] : 0);
  return { p0: q(0), p50: q(0.5), p95: q(0.95), p99: q(0.99), p100: ms.length ? ms[ms.length - 1] : 0 };
}

/**
 * Counters (g-counter, pn-counter): each final read lies between the bounds the adds allow. An
 * add acknowledged at least `settleMs` before the read began must be counted; one that may have
 * happened (acknowledged later, timed out, or invoked before the read returned) may be; positive
 * and negative deltas widen opposite bounds. Reads before the final phase may be stale (the
 * counters are only eventually consistent), so only final reads are judged.
 *
 * @example
 * checkFinalCounter(history, 1000).details; // { errors: [{ index, value, lower, upper }] }
 */
export function checkFinalCounter(history: History, settleMs: number): CheckerResult {
  const pairs = pairOps(history);
  const adds = pairs.filter((p) => p.invoke.f === 'add' && p.outcome !== 'fail');
  const errors: Array<{ index: number; node?: string; value: unknown; lower: number; upper: number }> = [];
  let finals = 0;
  for (const p of pairs) {
    if (p.invoke.f !== 'read' || p.outcome !== 'ok' || p.invoke.value !== FINAL) continue;
    finals++;
    let lower = 0;
    let upper = 0;
    for (const a of adds) {
      const d = Number(a.invoke.value);
      const certain = a.outcome === 'ok' && a.completion!.time <= p.invoke.time - settleMs;
      const possible = a.callPos < p.returnPos;
      if (certain) {
        lower += d;
        upper += d;
      } else if (possible && d < 0) lower += d;
      else if (possible) upper += d;
    }
    const v = p.completion!.value;
    if (typeof v !== 'number' || v < lower || v > upper) errors.push({ index: p.invoke.index, node: maelstromNode(p.invoke.node), value: v, lower, upper });
  }
  if (errors.length) {
    const e = errors[0];
    return { checker: 'counter', verdict: 'illegal', summary: `${errors.length} of ${finals} final reads out of bounds; ${e.node} read ${showValue(e.value)}, allowed [${e.lower}, ${e.upper}]`, details: { errors } };
  }
  if (finals === 0) return { checker: 'counter', verdict: 'unknown', summary: 'no final read succeeded' };
  return { checker: 'counter', verdict: 'ok', summary: `${finals} final reads within their bounds` };
}

/** Kafka: one acknowledged or polled message at `offset` of a key. */
interface LogEntry {
  offset: number;
  msg: unknown;
}

/**
 * Kafka-style logs: acknowledged sends must not be *lost* (a poll read past their offset and
 * never saw them), a message must not appear at two offsets (*duplicate*), one offset must not
 * hold two messages (*inconsistent*), offsets within a poll and across one client's polls must
 * increase (*non-monotonic*), and a client's consecutive polls must not jump over an offset
 * known to exist (*skipped*).
 *
 * @example
 * checkKafka(history).details; // { lost: [], duplicates: [], nonMonotonic: [], skipped: [], inconsistent: [] }
 */
export function checkKafka(history: History): CheckerResult {
  const pairs = pairOps(history);
  const known = new Map<string, Map<number, unknown>>();
  const inconsistent: Array<{ key: string; offset: number; a: unknown; b: unknown }> = [];
  const note = (key: string, e: LogEntry) => {
    const m = known.get(key) ?? new Map<number, unknown>();
    known.set(key, m);
    if (m.has(e.offset) && !equalValue(m.get(e.offset), e.msg)) inconsistent.push({ key, offset: e.offset, a: m.get(e.offset), b: e.msg });
    else m.set(e.offset, e.msg);
  };
  const acked: Array<{ key: string } & LogEntry> = [];
  const polls: Array<{ process: number; msgs: Record<string, LogEntry[]> }> = [];
  for (const p of pairs) {
    if (p.outcome !== 'ok') continue;
    const v = p.completion!.value as Record<string, unknown>;
    if (p.invoke.f === 'send') {
      const e = { key: String(v.key), offset: Number(v.offset), msg: v.msg };
      acked.push(e);
      note(e.key, e);
    } else if (p.invoke.f === 'poll') {
      const msgs: Record<string, LogEntry[]> = {};
      for (const [key, list] of Object.entries((v.msgs ?? {}) as Record<string, Array<[number, unknown]>>)) {
        msgs[key] = (Array.isArray(list) ? list : []).map(([offset, msg]) => ({ offset: Number(offset), msg }));
        for (const e of msgs[key]) note(key, e);
      }
      polls.push({ process: p.invoke.process, msgs });
    }
  }
  const r = { lost: [] as unknown[], duplicates: [] as unknown[], nonMonotonic: [] as unknown[], skipped: [] as unknown[], inconsistent };
  const maxPolled = new Map<string, number>();
  const polledOffsets = new Map<string, Set<number>>();
  for (const pl of polls) {
    for (const [key, list] of Object.entries(pl.msgs)) {
      const set = polledOffsets.get(key) ?? new Set<number>();
      polledOffsets.set(key, set);
      for (const e of list) {
        set.add(e.offset);
        maxPolled.set(key, Math.max(maxPolled.get(key) ?? -Infinity, e.offset));
      }
    }
  }
  for (const a of acked) {
    if ((maxPolled.get(a.key) ?? -Infinity) > a.offset && !polledOffsets.get(a.key)?.has(a.offset)) r.lost.push(a);
  }
  for (const [key, m] of known) {
    const firstAt = new Map<string, number>();
    for (const [offset, msg] of [...m].sort((x, y) => x[0] - y[0])) {
      const k = valueKey(msg);
      if (firstAt.has(k)) r.duplicates.push({ key, msg, offsets: [firstAt.get(k), offset] });
      else firstAt.set(k, offset);
    }
  }
  checkPollOrder(polls, known, r);
  const kinds = (['lost', 'duplicates', 'nonMonotonic', 'skipped', 'inconsistent'] as const).filter((k) => r[k].length > 0);
  if (kinds.length) {
    return { checker: 'kafka', verdict: 'illegal', summary: kinds.map((k) => `${r[k].length} ${k} (e.g. ${showValue(r[k][0])})`).join('; '), details: r };
  }
  return { checker: 'kafka', verdict: 'ok', summary: `${acked.length} acknowledged sends, ${polls.length} polls: no lost, duplicate, reordered or skipped messages`, details: r };
}

function checkPollOrder(
  polls: Array<{ process: number; msgs: Record<string, LogEntry[]> }>,
  known: Map<string, Map<number, unknown>>,
  r: { nonMonotonic: unknown[]; skipped: unknown[] },
): void {
  // A process's next expected offset per key; a retired process's successor starts fresh.
  const last = new Map<string, number>();
  for (const pl of polls) {
    for (const [key, list] of Object.entries(pl.msgs)) {
      const id = `${pl.process}/${key}`;
      let prev = last.get(id);
      for (const e of list) {
        if (prev !== undefined && e.offset <= prev) r.nonMonotonic.push({ process: pl.process, key, after: prev, offset: e.offset });
        else if (prev !== undefined) {
          const between = [...(known.get(key)?.keys() ?? [])].filter((o) => o > prev! && o < e.offset);
          if (between.length) r.skipped.push({ process: pl.process, key, from: prev, to: e.offset, missed: between.slice(0, 5) });
        }
        prev = prev === undefined ? e.offset : Math.max(prev, e.offset);
      }
      if (prev !== undefined) last.set(id, prev);
    }
  }
}
