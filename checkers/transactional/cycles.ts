/**
 * Finds the cycle anomalies of a dependency graph: for each edge set an anomaly allows, the
 * strongly connected components, then one shortest cycle per component, named by the kinds of
 * its edges (G0: ww only; G1c: ww and wr; G-single: exactly one rw; G2-item: two or more).
 */
import type { Anomaly, AnomalyType } from './anomaly.ts';
import { DepGraph, KIND_BITS, PROCESS, REALTIME, RW, WR, WW, type CycleStep, type EdgeKind } from './graph.ts';

/** At most this many rw edges per component are tried as the single rw edge of a G-single cycle. */
const MAX_RW_TRIES = 256;

type Layer = { extra: number; kind: EdgeKind | null; suffix: '' | '-process' | '-realtime' };

/**
 * Cycle anomalies of `g`: first over data dependencies alone, then (when asked) with process
 * order and real-time edges, keeping only cycles that need one of those.
 *
 * @example
 * findCycles(graph, { process: false, realtime: true }, 10);
 */
export function findCycles(g: DepGraph, extra: { process: boolean; realtime: boolean }, maxPerType: number): Anomaly[] {
  const layers: Layer[] = [{ extra: 0, kind: null, suffix: '' }];
  if (extra.process) layers.push({ extra: PROCESS, kind: 'process', suffix: '-process' });
  if (extra.realtime) layers.push({ extra: REALTIME | PROCESS, kind: 'realtime', suffix: '-realtime' });
  const out: Anomaly[] = [];
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  const keep = (type: AnomalyType, steps: CycleStep[], layer: Layer): boolean => {
    if (layer.kind && !steps.some((s) => s.kind === 'process' || s.kind === 'realtime')) return false;
    const id = `${type}:${steps.map((s) => s.from).sort((a, b) => a - b).join(',')}`;
    if (seen.has(id) || (counts.get(type) ?? 0) >= maxPerType) return false;
    seen.add(id);
    counts.set(type, (counts.get(type) ?? 0) + 1);
    out.push({ type, txns: steps.map((s) => s.from), cycle: steps, summary: cycleLine(type, steps) });
    return true;
  };
  for (const layer of layers) {
    const order: EdgeKind[] = ['ww', 'wr', 'rw', 'process', 'realtime'];
    const named = (t: string) => `${t}${layer.suffix}` as AnomalyType;
    // Components with a cycle of one class are not searched again for a weaker explanation.
    const explained = new Set<number>();
    for (const comp of g.components(WW | layer.extra)) {
      const steps = shortestCycle(g, comp, WW | layer.extra, order);
      if (steps && keep(named('G0'), steps, layer)) comp.forEach((v) => explained.add(v));
    }
    for (const comp of g.components(WW | WR | layer.extra)) {
      if (comp.every((v) => explained.has(v))) continue;
      const steps = shortestCycle(g, comp, WW | WR | layer.extra, order);
      // A cycle of ww edges only is a G0, reported above.
      if (steps && steps.some((s) => s.kind === 'wr') && keep(named('G1c'), steps, layer)) comp.forEach((v) => explained.add(v));
    }
    const full = WW | WR | RW | layer.extra;
    for (const comp of g.components(full)) {
      if (comp.every((v) => explained.has(v))) continue;
      const single = gSingle(g, comp, WW | WR | layer.extra, order);
      if (single) {
        keep(named('G-single'), single, layer);
        continue;
      }
      const steps = shortestCycle(g, comp, full, order);
      if (steps && steps.filter((s) => s.kind === 'rw').length >= 2) keep(named('G2-item'), steps, layer);
    }
  }
  return out;
}

/** A shortest cycle through the component's first txn (every txn of a component lies on one). */
function shortestCycle(g: DepGraph, comp: number[], mask: number, order: EdgeKind[]): CycleStep[] | undefined {
  const within = new Set(comp);
  const path = g.shortestPath(comp[0], comp[0], mask, within);
  return path ? g.steps(path, order.filter((k) => kindAllowed(k, mask))) : undefined;
}

/** A cycle of one rw edge a -> b closed by a path b ~> a without rw edges; the shortest tried. */
function gSingle(g: DepGraph, comp: number[], restMask: number, order: EdgeKind[]): CycleStep[] | undefined {
  const within = new Set(comp);
  let best: number[] | undefined;
  let tries = 0;
  for (const a of comp) {
    for (const b of g.successors(a, RW)) {
      if (!within.has(b) || tries++ >= MAX_RW_TRIES) continue;
      const back = g.shortestPath(b, a, restMask, within);
      if (back && (!best || back.length + 1 < best.length)) best = [a, ...back];
    }
  }
  if (!best) return undefined;
  const steps = g.steps(best.slice(1), order.filter((k) => k !== 'rw' && kindAllowed(k, restMask)));
  const first = { from: best[0], to: best[1], kind: 'rw' as const, why: g.why(best[0], best[1], 'rw') };
  return [first, ...steps];
}

function kindAllowed(k: EdgeKind, mask: number): boolean {
  return (mask & KIND_BITS[k]) !== 0;
}

/** `G-single: T1 -rw-> T2 -wr-> T1`. */
function cycleLine(type: string, steps: CycleStep[]): string {
  return `${type}: ${steps.map((s) => `T${s.from} -${s.kind}->`).join(' ')} T${steps[0].from}`;
}
