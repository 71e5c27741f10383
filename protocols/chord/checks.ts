import { eventually, type CheckerResult } from '../../checkers/index.ts';
import type { CheckingObserver, WorldView } from '../../src/index.ts';
import { compareVersions, type ChordNode, type Entry, type Version } from './node.ts';
import { M, ringId } from './ring.ts';

interface Acked {
  op: number;
  ver: Version | undefined;
  atMs: number;
}

/** A violation of a client-op check, the first one found. */
interface Violation {
  summary: string;
  atMs: number;
}

/**
 * Follows what nodes did with client ops (their `records`), stamping each with the virtual time it
 * was first seen: when an op arrived, when a put was acknowledged and with which version, what a
 * get returned. The client-op checks below read it; the ring check tells it when the ring settled.
 */
export class OpTracker {
  private readonly cursor = new WeakMap<ChordNode, number>();
  private readonly recvAtMs = new Map<number, number>();
  private readonly acked = new Map<string, Acked[]>();
  private lastEvent = -1;
  /**
   * When the ring first settled after the final heal, every key at its owner (gets from then on
   * must be fresh). Not earlier: once the shape settled, keys written in another ring that formed
   * while nodes rejoined still travel to their owners, and Chord promises nothing until they did.
   */
  settledAtMs: number | undefined;
  lostPut: Violation | undefined;
  /** A put acknowledged while held on one disk only, though other nodes were there to hold copies. */
  singleCopyPut: Violation | undefined;
  staleGet: Violation | undefined;
  puts = 0;
  checkedGets = 0;

  observe(view: WorldView, eventIndex: number, timeMs: number): void {
    if (eventIndex === this.lastEvent) return;
    this.lastEvent = eventIndex;
    for (const n of view.nodes) {
      if (n.state === undefined) continue;
      const s = n.state as ChordNode;
      const from = this.cursor.get(s) ?? 0;
      for (let i = from; i < s.records.length; i++) this.take(s.records[i], timeMs, view);
      this.cursor.set(s, s.records.length);
    }
  }

  private take(r: ChordNode['records'][number], timeMs: number, view: WorldView): void {
    if (r.phase === 'recv') {
      if (!this.recvAtMs.has(r.op)) this.recvAtMs.set(r.op, timeMs);
      return;
    }
    if (r.phase === 'stored') {
      // Copies are counted when the owner answers: a failure after that is what replicas are for.
      if (this.singleCopyPut === undefined && view.nodes.length > 1) {
        const copies = durableCopies(view, r.key, r.ver);
        if (copies < 2) this.singleCopyPut = { atMs: timeMs, summary: `put #${r.op} of ${r.key} was acknowledged with version ${fmt(r.ver)} while ${copies} of the ${view.nodes.length} nodes' disks held it: one more failure loses it` };
      }
      return;
    }
    const recv = this.recvAtMs.get(r.op) ?? timeMs;
    const before = (this.acked.get(r.key) ?? []).filter((a) => a.atMs < recv);
    const newest = before.reduce<Acked | undefined>((m, a) => (m === undefined || compareVersions(a.ver, m.ver) > 0 ? a : m), undefined);
    if (r.f === 'put') {
      this.puts++;
      if (this.lostPut === undefined && newest !== undefined && compareVersions(r.ver, newest.ver) <= 0) {
        this.lostPut = { atMs: timeMs, summary: `put #${r.op} of ${r.key} was acknowledged with version ${fmt(r.ver)}, not newer than ${fmt(newest.ver)} of put #${newest.op} acknowledged before it began: it is lost behind the older put` };
      }
      const list = this.acked.get(r.key) ?? [];
      list.push({ op: r.op, ver: r.ver, atMs: timeMs });
      this.acked.set(r.key, list);
      return;
    }
    if (this.settledAtMs === undefined || recv < this.settledAtMs) return;
    this.checkedGets++;
    if (this.staleGet === undefined && newest !== undefined && compareVersions(r.ver, newest.ver) < 0) {
      this.staleGet = { atMs: timeMs, summary: `get #${r.op} of ${r.key}, begun after the ring settled at ${this.settledAtMs} ms, returned version ${fmt(r.ver)}, but put #${newest.op} was acknowledged with ${fmt(newest.ver)} before it began: an acknowledged put was lost` };
    }
  }
}

/** How many nodes' durable storage (up or down) holds `key` at `ver` or newer. */
function durableCopies(view: WorldView, key: string, ver: Version | undefined): number {
  let copies = 0;
  for (const n of view.nodes) {
    const held = n.storage.get<Record<string, Entry>>('kv')?.[key]?.ver;
    if (held !== undefined && compareVersions(held, ver) >= 0) copies++;
  }
  return copies;
}

function fmt(v: Version | undefined): string {
  return v === undefined ? 'none (key not found)' : `${v.t}@${v.by}`;
}

/** Acknowledged puts of a key get ever newer versions: a later put never hides behind an earlier one. */
export function putsNeverLost(tracker: OpTracker): CheckingObserver {
  return {
    observe: (v, at) => tracker.observe(v, at.eventIndex, at.timeMs),
    result(): CheckerResult {
      const checker = 'acknowledged-puts-kept';
      if (tracker.lostPut) return { checker, verdict: 'illegal', summary: tracker.lostPut.summary };
      return { checker, verdict: 'ok', summary: `${tracker.puts} acknowledged puts, each newer than those acknowledged before it began` };
    },
  };
}

/**
 * An acknowledged put survives any one failure: when its owner acknowledges it, at least two nodes' disks
 * hold it (or a newer version), whenever the cluster has two nodes or more. Chord replicates on
 * the successor list for this; a node cut off from the ring that acknowledges puts on its own copy
 * breaks it.
 */
export function putsSurviveOneFailure(tracker: OpTracker): CheckingObserver {
  return {
    observe: (v, at) => tracker.observe(v, at.eventIndex, at.timeMs),
    result(): CheckerResult {
      const checker = 'acknowledged-puts-on-two-disks';
      if (tracker.singleCopyPut) return { checker, verdict: 'illegal', summary: tracker.singleCopyPut.summary };
      return { checker, verdict: 'ok', summary: `${tracker.puts} acknowledged puts, each held on two disks or more when acknowledged` };
    },
  };
}

/** After the heal and stabilisation, a get returns the newest put acknowledged before it began. */
export function getsSeeAckedPuts(tracker: OpTracker): CheckingObserver {
  return {
    observe: (v, at) => tracker.observe(v, at.eventIndex, at.timeMs),
    result(): CheckerResult {
      const checker = 'gets-after-heal-see-acknowledged-puts';
      if (tracker.staleGet) return { checker, verdict: 'illegal', summary: tracker.staleGet.summary };
      return { checker, verdict: 'ok', summary: `${tracker.checkedGets} gets after the ring settled, each saw the last acknowledged put` };
    },
  };
}

function chordNodes(view: WorldView): Array<{ id: string; s: ChordNode }> | string {
  const out: Array<{ id: string; s: ChordNode }> = [];
  for (const n of view.nodes) {
    if (!n.up || n.state === undefined) return `${n.id} is down`;
    const s = n.state as ChordNode;
    if (!s.joined) return `${n.id} has not joined`;
    out.push({ id: n.id, s });
  }
  return out.sort((a, b) => a.s.ringId - b.s.ringId);
}

/** Where a lookup of `keyId` started at `start` ends, replaying each node's own lookup step. */
export function resolve(byName: ReadonlyMap<string, ChordNode>, start: ChordNode, keyId: number): string | undefined {
  if (start.variant === 'stale-fingers') return start.guessOwner(keyId);
  let cur = start;
  for (let hop = 0; hop < 2 * M; hop++) {
    const r = cur.hop(keyId);
    if ('notJoined' in r) return undefined;
    if ('done' in r) return r.done;
    const next = byName.get(r.next);
    if (next === undefined) return undefined;
    cur = next;
  }
  return undefined;
}

/** The ring's shape: one cycle in id order (every node's successor and predecessor its neighbours), every node serving its range. */
export function ringShapeProblem(nodes: ReadonlyArray<{ id: string; s: ChordNode }>): string | true {
  for (let i = 0; i < nodes.length && nodes.length > 1; i++) {
    const { id, s } = nodes[i];
    const next = nodes[(i + 1) % nodes.length].id;
    const prev = nodes[(i + nodes.length - 1) % nodes.length].id;
    if (s.succ() !== next) return `${id}'s successor is ${s.succ()}, the next node by id is ${next}`;
    if (s.pred !== prev) return `${id}'s predecessor is ${s.pred ?? 'unknown'}, the previous node by id is ${prev}`;
    if (!s.ready()) return `${id} does not serve its range yet`;
  }
  return true;
}

/**
 * The ring's state after the heal: its shape (above), and every key stored anywhere found by a
 * lookup from any node at its owner, which holds its newest version.
 */
export function ringProblem(view: WorldView, tracker?: OpTracker, nowMs = 0): string | true {
  const nodes = chordNodes(view);
  if (typeof nodes === 'string') return nodes;
  const shape = ringShapeProblem(nodes);
  if (shape !== true) return shape;
  const byName = new Map(nodes.map((n) => [n.id, n.s]));
  const newest = new Map<string, Version>();
  for (const { s } of nodes) for (const [k, e] of s.store) if (compareVersions(e.ver, newest.get(k)) > 0) newest.set(k, e.ver);
  for (const [key, ver] of newest) {
    const keyId = ringId(key);
    const owner = nodes.find((n) => n.s.ringId >= keyId) ?? nodes[0];
    const held = owner.s.store.get(key)?.ver;
    if (compareVersions(held, ver) < 0) return `${key}'s owner ${owner.id} holds version ${fmt(held)}, another node holds ${fmt(ver)}`;
    for (const { id, s } of nodes) {
      const found = resolve(byName, s, keyId);
      if (found !== owner.id) return `a lookup of ${key} from ${id} ends at ${found ?? 'no node'}, its owner is ${owner.id}`;
    }
  }
  // Stabilised, keys included: from here on a get must see the last acknowledged put.
  if (tracker) tracker.settledAtMs ??= nowMs;
  return true;
}

/** `eventually(ring-settled)`: `ringProblem` clears within `withinMs` of the heal; tells the tracker when. */
export function ringSettles(tracker: OpTracker, withinMs: number): CheckingObserver {
  let nowMs = 0;
  const check = eventually<WorldView>(
    'ring-settled',
    (view) => ringProblem(view, tracker, nowMs),
    { withinMs },
  );
  return {
    observe(view, at) {
      tracker.observe(view, at.eventIndex, at.timeMs);
      nowMs = at.timeMs;
      check.observe(view, at);
    },
    markHealed: (t) => check.markHealed(t),
    result: () => check.result(),
  };
}
