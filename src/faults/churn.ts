/**
 * `churn`: a node leaves the cluster for good and, `durationMs` later, a fresh node with its name
 * joins: its disk is wiped, so it must join through the protocol and get its data from its peers.
 * Two ways to leave:
 * - `crash` (crash-stop): removed at once, no notice, disk lost;
 * - `graceful`: told first (`onLeave(graceMs)` on its handlers), it keeps running `graceMs` to
 *   hand off what it holds, then it is removed and its disk wiped.
 *
 * A generated churn keeps its node away `CHURN_AWAY_FACTOR` (4) fault lengths, a crash one: a
 * departure is not a reboot, and failure detectors get the time to notice it.
 *
 * Churn breaks the durability every crash-recovery protocol relies on (a Raft node with a wiped
 * disk votes twice), so it is off unless the protocol opts in (`churn` on defineProtocol), and a
 * plan keeps to the protocol's bounds: at most `maxAway` nodes churned at once, counting each
 * until `settleMs` after it is back (the time to copy data again), since wiping replicas faster
 * than data is re-copied loses data in any design.
 *
 * @example
 * churnPlanProblem([{ kind: 'churn', atMs: 0, durationMs: 100, node: 'n1', leave: 'crash' }, { kind: 'churn', atMs: 50, durationMs: 100, node: 'n2', leave: 'crash' }], { maxAway: 1, settleMs: 500, graceMs: 100 });
 * // 'churn faults 0 and 1 have 2 nodes away at 50 ms (...), more than maxAway = 1 ...'
 */
import type { NodeId } from '../node/api.ts';
import { nodeProblem, pickNode, type FaultKind, renameOneNode } from './kind.ts';

/** Longest grace period and settle time a plan may ask for (an hour of virtual time). */
export const MAX_CHURN_MS = 3_600_000;

export type ChurnFault =
  | { kind: 'churn'; atMs: number; durationMs: number; node: NodeId; leave: 'crash' }
  | { kind: 'churn'; atMs: number; durationMs: number; node: NodeId; leave: 'graceful'; graceMs: number };

/** A protocol's churn bounds, defaults filled in (see `ChurnSpec` on defineProtocol). */
export interface ChurnBounds {
  /** Most nodes churned at once (each counted from its leave until `settleMs` after it is back). */
  maxAway: number;
  /** After a churned node is back, how long it still counts as away (re-copying its data). */
  settleMs: number;
  /** A graceful leave's grace period. */
  graceMs: number;
}

export const DEFAULT_CHURN_BOUNDS: ChurnBounds = { maxAway: 1, settleMs: 1000, graceMs: 200 };

/** Trace phase of a graceful leave's end of grace (the `scheduleTick` phase). */
const GRACE_OVER = 1;

export const churn: FaultKind<ChurnFault> = {
  kind: 'churn',
  generate(_name, rng, nodes, w, _byzantine, bounds = DEFAULT_CHURN_BOUNDS) {
    const node = pickNode(rng, nodes);
    return rng() < 0.5 ? { kind: 'churn', ...w, node, leave: 'crash' } : { kind: 'churn', ...w, node, leave: 'graceful', graceMs: bounds.graceMs };
  },
  validate(x, nodes) {
    const problem = nodeProblem(x, 'node', nodes);
    if (problem !== undefined) return problem;
    if (x.leave === 'crash') return x.graceMs === undefined ? undefined : `graceMs applies to leave 'graceful' only: drop it, or set leave to 'graceful'`;
    if (x.leave !== 'graceful') return `leave must be 'crash' (crash-stop) or 'graceful', got ${JSON.stringify(x.leave)}`;
    const g = x.graceMs;
    return typeof g === 'number' && Number.isSafeInteger(g) && g >= 1 && g <= MAX_CHURN_MS ? undefined : `graceMs must be a whole number of ms from 1 to ${MAX_CHURN_MS}`;
  },
  describe: (f) =>
    f.leave === 'crash'
      ? `${f.node} leaves (crash-stop, disk lost); a fresh ${f.node} joins after ${f.durationMs} ms`
      : `${f.node} leaves gracefully (${f.graceMs} ms to hand off, then disk wiped); a fresh ${f.node} joins after ${f.durationMs} ms`,
  // A node already down does not leave again; a paused one cannot hear a leave notice.
  applies(f, world) {
    const n = world.nodeIndex(f.node);
    return world.isUp(n) && (f.leave === 'crash' || !world.isPaused(n));
  },
  apply(f, world, index) {
    const n = world.nodeIndex(f.node);
    if (f.leave === 'crash') return world.removeNode(n, index, 'crash-stop');
    world.leaveNotice(n, index, f.graceMs);
    world.scheduleTick(index, n, f.graceMs, GRACE_OVER);
  },
  tick(f, world, index, phase) {
    if (phase !== GRACE_OVER) throw new Error(`assertion failed: churn tick of phase ${phase}`);
    world.removeNode(world.nodeIndex(f.node), index, 'grace over');
  },
  revert(f, world, index) {
    const n = world.nodeIndex(f.node);
    // Up here: a fault shorter than its grace (shrunk, or cut by the heal), or a node another
    // fault restarted meanwhile; either way it leaves now, so the node that joins is fresh.
    if (world.isUp(n)) world.removeNode(n, index, 'grace cut short');
    world.restart(n, index);
  },
  weaken: [
    // A graceful leave is the gentler fault: the node gets to hand off its data.
    { type: 'replace', weaker: (f) => (f.leave === 'crash' ? { ...f, leave: 'graceful', graceMs: Math.max(1, Math.floor(f.durationMs / 2)) } : undefined) },
  ],
  renameNodes: renameOneNode,
  clone: (f) => ({ ...f }),
  arbitrary: (fcLib, c) =>
    fcLib.oneof(
      fcLib.record({ kind: fcLib.constant('churn' as const), atMs: c.at, durationMs: c.duration, node: c.node, leave: fcLib.constant('crash' as const) }),
      fcLib.record({
        kind: fcLib.constant('churn' as const),
        atMs: c.at,
        durationMs: c.duration,
        node: c.node,
        leave: fcLib.constant('graceful' as const),
        graceMs: fcLib.integer({ min: 1, max: 1000 }),
      }),
    ),
};

/** Whether `x` is a churn fault (by kind; the plan was validated). */
function isChurn(x: { kind: string }): x is ChurnFault {
  return x.kind === 'churn';
}

/**
 * The problem with a plan's churn faults as one line, or undefined: a protocol that did not opt in
 * gets none; one that did gets at most `maxAway` churns whose windows `[atMs, atMs + durationMs +
 * settleMs)` overlap.
 */
export function churnPlanProblem(faults: ReadonlyArray<{ kind: string; atMs: number; durationMs: number }>, bounds: ChurnBounds | undefined): string | undefined {
  const churns = faults.map((f, i) => ({ f, i })).filter((x) => isChurn(x.f));
  if (churns.length === 0) return undefined;
  if (bounds === undefined) return `churn faults need a protocol that opts in with 'churn' on defineProtocol (churn wipes disks)`;
  const byStart = churns.slice().sort((a, b) => a.f.atMs - b.f.atMs || a.i - b.i);
  for (let k = 0; k < byStart.length; k++) {
    const at = byStart[k].f.atMs;
    const away = byStart.slice(0, k).filter((x) => stillAway(x.f, at, bounds));
    if (away.length >= bounds.maxAway) {
      const names = [...away, byStart[k]].map((x) => x.i);
      return `churn faults ${names.join(' and ')} have ${names.length} nodes away at ${at} ms (each counts until ${bounds.settleMs} ms after it is back), more than maxAway = ${bounds.maxAway}: space them out or raise the protocol's churn.maxAway`;
    }
  }
  return undefined;
}

/**
 * Whether a churn starting at `atMs` keeps to the bounds given the churns already accepted (all
 * starting at or before it): the generator's side of `churnPlanProblem`.
 */
export function churnFits(accepted: ReadonlyArray<{ atMs: number; durationMs: number }>, atMs: number, bounds: ChurnBounds): boolean {
  let away = 0;
  for (const c of accepted) if (stillAway(c, atMs, bounds)) away++;
  return away < bounds.maxAway;
}

/** Whether a churn still counts as away at `atMs`: until `settleMs` after its node is back. */
function stillAway(c: { atMs: number; durationMs: number }, atMs: number, bounds: ChurnBounds): boolean {
  return c.atMs + c.durationMs + bounds.settleMs > atMs;
}

/**
 * `faults` without the churns that break the bounds (taken in start order, first come first kept):
 * for generators that draw faults independently (fast-check).
 */
export function keepWithinChurnBounds<F extends { kind: string; atMs: number; durationMs: number }>(faults: readonly F[], bounds: ChurnBounds): F[] {
  const accepted: F[] = [];
  const dropped = new Set<F>();
  for (const f of faults.filter(isChurn).sort((a, b) => a.atMs - b.atMs)) {
    if (churnFits(accepted, f.atMs, bounds)) accepted.push(f);
    else dropped.add(f);
  }
  return faults.filter((f) => !dropped.has(f));
}
