/**
 * The dependency graph of a transactional history: txns are nodes, each edge has one or more
 * kinds (ww, wr, rw, realtime, process) and, per kind, the first reason it was inferred.
 * Cycles are found with Tarjan's strongly connected components, then a shortest cycle per
 * component by breadth-first search over the edge kinds an anomaly allows.
 */

/** Edge kinds as bits, so one edge can carry several and a search can filter by a mask. */
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const REALTIME = 8;
export const PROCESS = 16;
export type EdgeKind = 'ww' | 'wr' | 'rw' | 'realtime' | 'process';
export const KIND_BITS: Record<EdgeKind, number> = { ww: WW, wr: WR, rw: RW, realtime: REALTIME, process: PROCESS };

/** One step of a cycle: from txn, to txn, the kind used, and why that edge exists. */
export interface CycleStep {
  from: number;
  to: number;
  kind: EdgeKind;
  why: string;
}

/** One edge: its kinds, and per kind the first reason found (a closure: text is built only when shown). */
interface Edge {
  bits: number;
  why: (() => string)[];
}

const KIND_INDEX: Record<EdgeKind, number> = { ww: 0, wr: 1, rw: 2, realtime: 3, process: 4 };

/** A mutable graph over txn ids 0..n-1. */
export class DepGraph {
  private readonly out: Map<number, Edge>[];
  private edges = 0;

  constructor(readonly size: number) {
    this.out = Array.from({ length: size }, () => new Map());
  }

  /** Adds an edge of `kind` (self-loops are ignored: a txn does not depend on itself). */
  add(from: number, to: number, kind: EdgeKind, why: () => string): void {
    if (from === to) return;
    const m = this.out[from];
    let e = m.get(to);
    if (!e) {
      m.set(to, (e = { bits: 0, why: [] }));
      this.edges++;
    }
    const bit = KIND_BITS[kind];
    if (e.bits & bit) return;
    e.bits |= bit;
    e.why[KIND_INDEX[kind]] = why;
  }

  /** Kinds (as bits) of the edge from -> to, 0 if none. */
  kinds(from: number, to: number): number {
    return this.out[from].get(to)?.bits ?? 0;
  }

  /** Successors of `from` through any edge whose kinds intersect `mask`. */
  successors(from: number, mask: number): number[] {
    const out: number[] = [];
    for (const [to, e] of this.out[from]) if (e.bits & mask) out.push(to);
    return out;
  }

  edgeCount(): number {
    return this.edges;
  }

  /** Why the edge from -> to of `kind` exists. */
  why(from: number, to: number, kind: EdgeKind): string {
    return this.out[from].get(to)?.why[KIND_INDEX[kind]]?.() ?? `${kind} edge`;
  }

  /**
   * Strongly connected components with more than one txn, over edges whose kinds meet `mask`
   * (iterative Tarjan: histories of 100,000 txns must not overflow the stack).
   */
  components(mask: number): number[][] {
    const n = this.size;
    const index = new Int32Array(n).fill(-1);
    const low = new Int32Array(n);
    const onStack = new Uint8Array(n);
    const stack: number[] = [];
    const out: number[][] = [];
    let counter = 0;
    const succ: number[][] = Array.from({ length: n }, (_, v) => this.successors(v, mask));
    const iter = new Int32Array(n);
    for (let root = 0; root < n; root++) {
      if (index[root] !== -1) continue;
      const call: number[] = [root];
      index[root] = low[root] = counter++;
      stack.push(root);
      onStack[root] = 1;
      while (call.length > 0) {
        const v = call[call.length - 1];
        if (iter[v] < succ[v].length) {
          const w = succ[v][iter[v]++];
          if (index[w] === -1) {
            index[w] = low[w] = counter++;
            stack.push(w);
            onStack[w] = 1;
            call.push(w);
          } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
          continue;
        }
        call.pop();
        if (call.length > 0) low[call[call.length - 1]] = Math.min(low[call[call.length - 1]], low[v]);
        if (low[v] === index[v]) {
          const comp: number[] = [];
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp.push(w);
          } while (w !== v);
          if (comp.length > 1) out.push(comp.sort((a, b) => a - b));
        }
      }
    }
    return out;
  }

  /**
   * A shortest path from `from` to `to` inside `within` over edges meeting `mask`, as the list of
   * txns visited (both ends included; `from === to` finds a shortest cycle); undefined if none.
   */
  shortestPath(from: number, to: number, mask: number, within: Set<number>): number[] | undefined {
    const parent = new Map<number, number>([[from, -1]]);
    let frontier = [from];
    while (frontier.length > 0) {
      const next: number[] = [];
      for (const v of frontier) {
        for (const w of this.successors(v, mask)) {
          if (!within.has(w)) continue;
          if (w === to) {
            const path = [w];
            for (let p = v; p !== -1; p = parent.get(p)!) path.push(p);
            return path.reverse();
          }
          if (parent.has(w)) continue;
          parent.set(w, v);
          next.push(w);
        }
      }
      frontier = next;
    }
    return undefined;
  }

  /** Names each hop of a path with the first kind (in `prefer` order) the edge has. */
  steps(path: number[], prefer: EdgeKind[]): CycleStep[] {
    const out: CycleStep[] = [];
    for (let i = 0; i + 1 < path.length; i++) {
      const bits = this.kinds(path[i], path[i + 1]);
      const kind = prefer.find((k) => bits & KIND_BITS[k])!;
      out.push({ from: path[i], to: path[i + 1], kind, why: this.why(path[i], path[i + 1], kind) });
    }
    return out;
  }
}
