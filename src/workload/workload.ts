import { intBelow, type Rng } from '../kernel/rng.ts';
import type { NodeId } from '../node/api.ts';

/** What a client asks for: an operation name, its argument, and a key for keyed stores. */
export interface OpRequest {
  f: string;
  value: unknown;
  key?: string;
}

/**
 * A protocol's workload: draws the next client request. Keep it small and seeded by `rng` only.
 *
 * @example
 * const registerWorkload: Workload = (rng) =>
 *   rng() < 0.5 ? { f: 'read', value: null } : { f: 'write', value: Math.floor(rng() * 5) };
 */
export type Workload = (rng: Rng, info: { client: number; opIndex: number }) => OpRequest;

/** One planned client op: which client issues it, to which node, after how long a pause. */
export interface PlannedOp extends OpRequest {
  client: number;
  node: NodeId;
  /** Pause before invoking, after the client's previous op completed. */
  thinkMs: number;
}

export interface WorkloadPlan {
  ops: number;
  clients: number;
  /** Mean think time between a client's ops. */
  thinkMs: number;
}

/**
 * Draws the whole client plan of a run up front, as data: the shrinker can then delete ops.
 * Ops are dealt to clients round-robin; each op goes to a uniformly chosen node.
 *
 * @example
 * planOps(stream(1, 'workload'), ['n1', 'n2'], registerWorkload, { ops: 10, clients: 2, thinkMs: 20 });
 */
export function planOps(rng: Rng, nodes: readonly NodeId[], workload: Workload, plan: WorkloadPlan): PlannedOp[] {
  const out: PlannedOp[] = [];
  for (let i = 0; i < plan.ops; i++) {
    const client = i % plan.clients;
    const req = workload(rng, { client, opIndex: i });
    const node = nodes[intBelow(rng, nodes.length)];
    const thinkMs = intBelow(rng, 2 * plan.thinkMs + 1);
    out.push({ client, node, thinkMs, ...req });
  }
  return out;
}
