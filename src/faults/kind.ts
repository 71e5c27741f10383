import type fc from 'fast-check';
import type { Rng } from '../kernel/rng.ts';
import type { NodeId } from '../node/api.ts';
import type { ChurnBounds } from './churn.ts';

/** When a generated fault starts and how long it lasts (virtual ms). */
export interface FaultWindow {
  atMs: number;
  durationMs: number;
}

/**
 * What a fault can do to the simulated world while it is active. The simulator implements it; a
 * fault kind's `apply` / `revert` / `tick` call only these, so a new fault kind is one file.
 */
export interface FaultWorld {
  /** Index of a node id (the fault was validated, so it exists). */
  nodeIndex(id: NodeId): number;
  isUp(node: number): boolean;
  isPaused(node: number): boolean;
  /** Adds (+1) or removes (-1) one cut of the directed link. */
  cutLink(from: number, to: number, delta: 1 | -1): void;
  clogLink(from: number, to: number): void;
  /** Ends one clog of the link; the last one releases the held messages, each with a fresh latency. */
  unclogLink(from: number, to: number): void;
  lossSpike(rate: number, on: boolean): void;
  dupSpike(rate: number, on: boolean): void;
  crash(node: number): void;
  restart(node: number, fault: number): void;
  pause(node: number, fault: number): void;
  resume(node: number, fault: number): void;
  /** Moves the node's clock by `offsetMs` from where it reads now (minus any strobe) and sets its rate. */
  skewClock(node: number, offsetMs: number, rate: number): void;
  /** Applies (or clears, with 0) a temporary extra offset on the node's clock. */
  setStrobeOffset(node: number, offsetMs: number): void;
  /** Back to true time at rate 1. */
  resetClock(node: number): void;
  /** Calls the fault kind's `tick` with `phase` after `afterMs`, while the fault is active. */
  scheduleTick(fault: number, node: number, afterMs: number, phase: number): void;
  // ---- Byzantine faults (see byzantine.ts): what a misbehaving node does differently ----------
  /** Adds (+1) or removes (-1) one silence of the node: while silenced it sends nothing. */
  silence(node: number, delta: 1 | -1): void;
  /** Fault `fault` mutates `percent` % of the node's outgoing messages (0: stops), drawing from `seed`. */
  corrupt(node: number, fault: number, percent: number, seed: number): void;
  /** Fault `fault` starts replaying the node's old messages, drawing which from `seed`. */
  replayStart(node: number, fault: number, seed: number): void;
  /** Re-sends one old message of the node (fault `fault`'s draw). */
  replayOne(node: number, fault: number): void;
  replayStop(node: number, fault: number): void;
  /** Boots a second copy of the node that hears and talks to the nodes `side` only (Twins). */
  equivocate(node: number, fault: number, side: readonly number[], seed: number): void;
  /** The second copy of fault `fault` dies. */
  endEquivocate(node: number, fault: number): void;
  // ---- churn (see churn.ts): nodes that leave for good and come back fresh ---------------------
  /** Tells the node it is leaving (its `onLeave(graceMs)`); it keeps running meanwhile. */
  leaveNotice(node: number, fault: number, graceMs: number): void;
  /** The node leaves for good: stopped if up, its disk wiped (its next start is a fresh node). */
  removeNode(node: number, fault: number, why: string): void;
}

/**
 * One way the shrinker may weaken a fault, driven by the shrinker's own search:
 * - `number`: lower `get(f)` towards `min` (binary search), rebuilding with `set`;
 * - `items`: remove chunks of a list of `count(f)` items with `without` (null: not allowed);
 * - `replace`: try one weaker fault (undefined: nothing to try).
 */
export type WeakenStep<F> =
  | { type: 'number'; min: number; get(f: F): number; set(f: F, v: number): F }
  | { type: 'items'; count(f: F): number; without(f: F, start: number, end: number): F | null }
  | { type: 'replace'; weaker(f: F): F | undefined };

/** What a fast-check arbitrary of a fault may draw from. */
export interface ArbitraryContext {
  node: fc.Arbitrary<NodeId>;
  /** Two different nodes. */
  link: fc.Arbitrary<[NodeId, NodeId]>;
  at: fc.Arbitrary<number>;
  duration: fc.Arbitrary<number>;
  nodeCount: number;
  /** The nodes a Byzantine fault may name (at most f of them); absent: any node. */
  byzantineNode?: fc.Arbitrary<NodeId>;
}

/**
 * Everything Faultline knows about one fault kind. The table in `index.ts` holds one per kind, and
 * every piece of code that depends on the kind (generation, validation, the simulator, the
 * shrinker, fast-check, the corpus) goes through it.
 */
export interface FaultKind<F extends { kind: string; atMs: number; durationMs: number }> {
  kind: F['kind'];
  /**
   * A Byzantine kind: it makes its node misbehave, so it is off unless the protocol opts in, and a
   * plan names at most `f` distinct nodes with such faults (see byzantine.ts).
   */
  byzantine?: true;
  /**
   * Draws one fault for the nemesis `name` (one of this kind's) from the nemesis stream; a
   * Byzantine kind picks its node from `byzantine`, the run's chosen Byzantine nodes; `churn` takes
   * its grace period from the protocol's churn bounds.
   */
  generate(name: string, rng: Rng, nodes: readonly NodeId[], window: FaultWindow, byzantine?: readonly NodeId[], churn?: ChurnBounds): F;
  /**
   * Checks a fault read as data (corpus file, user input) beyond `atMs` / `durationMs`; returns the
   * problem as `field: what is wrong`, or undefined.
   */
  validate(x: Record<string, unknown>, nodes: ReadonlySet<NodeId>): string | undefined;
  /** One line a person reads, e.g. `crash n2 for 300 ms`. */
  describe(f: F): string;
  /** Whether starting it now changes anything (a crash of a node that is down does not). */
  applies(f: F, world: FaultWorld): boolean;
  apply(f: F, world: FaultWorld, index: number): void;
  revert(f: F, world: FaultWorld, index: number): void;
  /** A timer of the fault fired (see `FaultWorld.scheduleTick`). */
  tick?(f: F, world: FaultWorld, index: number, phase: number): void;
  /** Weaker versions for the shrinker, tried in order after shortening the fault. */
  weaken: ReadonlyArray<WeakenStep<F>>;
  /** The fault with nodes renamed; undefined when it no longer names anything (a node removed). */
  renameNodes(f: F, rename: (id: NodeId) => NodeId | undefined): F | undefined;
  /** A deep copy. */
  clone(f: F): F;
  /** A fast-check arbitrary of this kind (fast-check passed in, so the simulator does not load it). */
  arbitrary(fcLib: typeof fc, c: ArbitraryContext): fc.Arbitrary<F>;
}

/** Helpers shared by the kind files. */
export function pickNode(rng: Rng, nodes: readonly NodeId[]): NodeId {
  return nodes[Math.floor(rng() * nodes.length)];
}

export function nodeProblem(x: Record<string, unknown>, key: string, nodes: ReadonlySet<NodeId>): string | undefined {
  const v = x[key];
  return typeof v === 'string' && nodes.has(v) ? undefined : `${key} must name one of ${[...nodes].join(', ')}`;
}

export function rateProblem(x: Record<string, unknown>, key: string): string | undefined {
  const v = x[key];
  return typeof v === 'number' && v >= 0 && v <= 1 ? undefined : `${key} must be a probability between 0 and 1`;
}

/** `renameNodes` of a kind that names one node (`f.node`): the fault goes with its node. */
export function renameOneNode<F extends { node: NodeId }>(f: F, rename: (id: NodeId) => NodeId | undefined): F | undefined {
  const node = rename(f.node);
  return node === undefined ? undefined : { ...f, node };
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
