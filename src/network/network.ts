import { ChoiceKind, type Choices } from '../kernel/choices.ts';
import type { PctSchedule } from './pct.ts';

/** A link's behaviour. Latency is uniform in [latencyMinMs, latencyMaxMs] (integers). */
export interface LinkConfig {
  latencyMinMs: number;
  latencyMaxMs: number;
  /** Probability that a message is lost. */
  dropRate: number;
  /** Probability that a message is delivered twice (each copy with its own latency). */
  dupRate: number;
  /** Probability that a message is held back by `reorderDelayMs` extra, overtaking FIFO order. */
  reorderRate: number;
  reorderDelayMs: number;
}

/** The whole network: defaults for every link, plus per-link overrides (by node index). */
export interface NetConfig extends LinkConfig {
  links?: Array<{ from: number; to: number } & Partial<LinkConfig>>;
}

/** Most messages one clogged link holds; later ones are lost (a real buffer overflows too). */
export const MAX_HELD_PER_LINK = 100_000;

export const defaultNetConfig: NetConfig = {
  latencyMinMs: 1,
  latencyMaxMs: 10,
  dropRate: 0,
  dupRate: 0,
  reorderRate: 0,
  reorderDelayMs: 50,
};

/**
 * The faulty network between nodes: per-link latency, loss, duplication and reordering, drawn from
 * the run's choice source; reachability (partitions, symmetric or not) and clogging. It decides
 * what happens to a message; the simulator schedules what it decides.
 *
 * @example
 * const net = new Network(3, defaultNetConfig, choices);
 * const copies = net.route(0, 1); // 0 = lost, 1 or 2 copies with delays in net.delaysMs
 */
export class Network {
  /** Delays (ms) of the copies decided by the last `route` call. */
  readonly delaysMs: number[] = [0, 0];
  private readonly links: LinkConfig[];
  /** How many active partitions cut each directed link (`from * n + to`); cut while > 0. */
  private readonly cuts: Uint16Array;
  private readonly clogs: Uint16Array;
  private readonly held = new Map<number, unknown[]>();
  /** Extra loss / duplication from active spikes, on top of each link's own rates. */
  private lossSpikes: number[] = [];
  private dupSpikes: number[] = [];

  constructor(
    readonly nodeCount: number,
    config: NetConfig,
    private readonly choices: Choices,
    /** When set, latencies follow this PCT schedule (sender priorities) instead of uniform draws. */
    private readonly pct?: PctSchedule,
  ) {
    const n = nodeCount;
    if (!(Number.isInteger(n) && n >= 1 && n <= 4096)) throw new RangeError(`a network of ${n} nodes: it takes a whole number of nodes from 1 to 4096`);
    this.cuts = new Uint16Array(n * n);
    this.clogs = new Uint16Array(n * n);
    this.links = new Array(n * n);
    const base: LinkConfig = {
      latencyMinMs: config.latencyMinMs,
      latencyMaxMs: config.latencyMaxMs,
      dropRate: config.dropRate,
      dupRate: config.dupRate,
      reorderRate: config.reorderRate,
      reorderDelayMs: config.reorderDelayMs,
    };
    for (let i = 0; i < n * n; i++) this.links[i] = base;
    for (const o of config.links ?? []) this.links[o.from * n + o.to] = { ...base, ...o };
    for (const l of new Set(this.links)) validateLink(l);
  }

  /**
   * Decides the fate of one message from `from` to `to`: returns how many copies to deliver (0 when
   * lost) and leaves their delays in `delaysMs`. Draws only the choices this link can make, so a
   * lossless link costs one draw (its latency) per message. `nowMs` (the sending instant) matters
   * only under a PCT schedule.
   */
  route(from: number, to: number, nowMs = 0): number {
    const link = this.links[from * this.nodeCount + to];
    if (link === undefined) throw new Error(`assertion failed: no link ${from}->${to} among ${this.nodeCount} nodes`);
    const c = this.choices;
    const dropRate = this.lossSpikes.length === 0 ? link.dropRate : Math.max(link.dropRate, ...this.lossSpikes);
    if (dropRate > 0 && c.flip(ChoiceKind.drop, dropRate)) return 0;
    const dupRate = this.dupSpikes.length === 0 ? link.dupRate : Math.max(link.dupRate, ...this.dupSpikes);
    const copies = dupRate > 0 && c.flip(ChoiceKind.dup, dupRate) ? 2 : 1;
    for (let k = 0; k < copies; k++) this.delaysMs[k] = this.latency(link, from, nowMs);
    return copies;
  }

  /**
   * A fresh latency draw for one copy on a link (used again when clogged messages are released).
   * `nowMs` is the sending (or releasing) instant: a PCT schedule passes its change points by it.
   */
  latencyOf(from: number, to: number, nowMs = 0): number {
    return this.latency(this.links[from * this.nodeCount + to], from, nowMs);
  }

  private latency(link: LinkConfig, from: number, nowMs: number): number {
    const c = this.choices;
    const spread = link.latencyMaxMs - link.latencyMinMs;
    let ms: number;
    if (this.pct === undefined) {
      ms = link.latencyMinMs + (spread > 0 ? c.below(ChoiceKind.latency, spread + 1) : 0);
    } else {
      const extraMs = this.pct.extraMs(from, nowMs, spread);
      ms = link.latencyMinMs + (spread > 0 ? c.decide(ChoiceKind.latency, spread + 1, extraMs) : 0);
    }
    if (link.reorderRate > 0 && c.flip(ChoiceKind.reorder, link.reorderRate)) ms += link.reorderDelayMs;
    return ms;
  }

  /** Whether `from` can currently reach `to` (partitions are directed: asymmetric cuts are fine). */
  reachable(from: number, to: number): boolean {
    return this.cuts[from * this.nodeCount + to] === 0;
  }

  /** Adds (+1) or removes (-1) one partition's cut of the directed link. */
  cut(from: number, to: number, delta: 1 | -1): void {
    const i = from * this.nodeCount + to;
    if (delta < 0 && this.cuts[i] === 0) throw new Error(`assertion: link ${from}->${to} healed more often than cut`);
    if (delta > 0 && this.cuts[i] === 0xffff) throw new Error(`assertion: link ${from}->${to} cut 65535 times at once`);
    this.cuts[i] += delta;
  }

  clogged(from: number, to: number): boolean {
    return this.clogs[from * this.nodeCount + to] > 0;
  }

  clog(from: number, to: number): void {
    const i = from * this.nodeCount + to;
    if (this.clogs[i] === 0xffff) throw new Error(`assertion failed: link ${from}->${to} clogged 65535 times at once`);
    this.clogs[i]++;
  }

  /** Ends one clog of the link; when the last one ends, returns the held messages in send order. */
  unclog(from: number, to: number): unknown[] {
    const i = from * this.nodeCount + to;
    if (this.clogs[i] === 0) throw new Error(`assertion: link ${from}->${to} unclogged more often than clogged`);
    if (--this.clogs[i] > 0) return [];
    const held = this.held.get(i) ?? [];
    this.held.delete(i);
    return held;
  }

  /**
   * Holds a message on a clogged link until `unclog`; returns false (the caller drops it) when the
   * link already holds `MAX_HELD_PER_LINK` messages, so a clog cannot grow memory without bound.
   */
  hold(from: number, to: number, item: unknown): boolean {
    const i = from * this.nodeCount + to;
    let list = this.held.get(i);
    if (list === undefined) this.held.set(i, (list = []));
    if (list.length >= MAX_HELD_PER_LINK) return false;
    list.push(item);
    return true;
  }

  /** Every message still held on a clogged link, link by link (for end-of-run listings). */
  allHeld(): unknown[] {
    return [...this.held.values()].flat();
  }

  lossSpike(rate: number, on: boolean): void {
    this.lossSpikes = toggle(this.lossSpikes, rate, on);
  }

  dupSpike(rate: number, on: boolean): void {
    this.dupSpikes = toggle(this.dupSpikes, rate, on);
  }
}

function toggle(list: number[], rate: number, on: boolean): number[] {
  if (on) return [...list, rate];
  const i = list.indexOf(rate);
  if (i < 0) throw new Error('assertion: ended a spike that was not active');
  return [...list.slice(0, i), ...list.slice(i + 1)];
}

function validateLink(l: LinkConfig): void {
  const rate = (name: string, v: number) => {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be a probability in [0, 1], got ${v}`);
  };
  rate('drop rate', l.dropRate);
  rate('duplicate rate', l.dupRate);
  rate('reorder rate', l.reorderRate);
  if (!(Number.isInteger(l.latencyMinMs) && l.latencyMinMs >= 0)) {
    throw new RangeError(`latency minimum must be a whole number of ms >= 0, got ${l.latencyMinMs}`);
  }
  if (!(Number.isInteger(l.latencyMaxMs) && l.latencyMaxMs >= l.latencyMinMs)) {
    throw new RangeError(`latency maximum must be a whole number of ms >= the minimum, got ${l.latencyMaxMs}`);
  }
  if (!(Number.isInteger(l.reorderDelayMs) && l.reorderDelayMs >= 0)) {
    throw new RangeError(`reorder delay must be a whole number of ms >= 0, got ${l.reorderDelayMs}`);
  }
}
