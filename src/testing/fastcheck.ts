/**
 * fast-check arbitraries for scenarios, so an author can let fast-check search and shrink:
 *
 * @example
 * await fc.assert(fc.asyncProperty(scenarioArb(abd, { variant: 'correct' }), async (input) =>
 *   (await runScenario(abd, input)).status !== 'fail'), { numRuns: 50 });
 *
 * fast-check shrinks the generated ops and fault arrays itself (shorter arrays, smaller numbers)
 * and prints a seed and path that replay the counterexample (`fc.assert(..., { seed, path })`).
 * The network's decisions are drawn from the scenario seed (no tape), so a shrink step that keeps
 * the seed keeps the network's randomness but not its exact schedule.
 */
import fc from 'fast-check';
import { faultKinds, keepWithinChurnBounds, type ArbitraryContext, type ChurnBounds, type Fault, type FaultKind } from '../faults/index.ts';
import type { NodeId } from '../node/api.ts';
import { stream } from '../kernel/rng.ts';
import { byzantineFOf, churnBoundsOf, type ProtocolDef } from '../run/protocol.ts';
import { nodeIds, resolveOptions, type RunInput, type ScenarioOptions } from '../run/scenario.ts';
import type { PlannedOp } from '../workload/workload.ts';

export interface ScenarioArbOptions extends Partial<Omit<ScenarioOptions, 'seed' | 'protocol' | 'ops'>> {
  /** Most client ops per scenario (default 30). */
  maxOps?: number;
  /** Most faults per scenario (default 4). */
  maxFaults?: number;
}

/**
 * Client ops for `nodes`: each op is the protocol's workload drawn from a small integer.
 *
 * @example
 * fc.sample(opsArb(abd, ['n1', 'n2', 'n3'], 2, 10, 50), 1)[0]; // [{ client: 1, node: 'n2', thinkMs: 7, f: 'write', value: 3 }, ...]
 */
export function opsArb(protocol: ProtocolDef, nodes: readonly NodeId[], clients: number, maxOps: number, maxThinkMs: number): fc.Arbitrary<PlannedOp[]> {
  const op = fc.record({
    client: fc.nat({ max: clients - 1 }),
    node: fc.constantFrom(...nodes),
    thinkMs: fc.nat({ max: maxThinkMs }),
    draw: fc.nat({ max: 1_000_000 }),
  });
  return fc.array(op, { maxLength: maxOps }).map((xs) =>
    xs.map(({ draw, ...rest }, i) => ({ ...rest, ...protocol.workload(stream(draw, 'fc-op'), { client: rest.client, opIndex: i }) })),
  );
}

/**
 * Fault schedules over `nodes`, every fault inside [0, healAtMs): every kind in the fault table.
 *
 * @example
 * fc.sample(faultsArb(['n1', 'n2', 'n3'], 2000, 4), 1)[0]; // [{ kind: 'crash', atMs: 120, durationMs: 300, node: 'n2' }]
 */
export function faultsArb(nodes: readonly NodeId[], healAtMs: number, maxFaults: number, byzantineF = 0, churn?: ChurnBounds): fc.Arbitrary<Fault[]> {
  const node = fc.constantFrom(...nodes);
  const c: ArbitraryContext = {
    node,
    link: fc.tuple(node, node).filter(([a, b]) => a !== b),
    at: fc.nat({ max: Math.max(0, healAtMs - 1) }),
    duration: fc.integer({ min: 1, max: Math.max(1, healAtMs) }),
    nodeCount: nodes.length,
    // The first f nodes are the Byzantine candidates: a plan never names more than f of them.
    byzantineNode: byzantineF > 0 ? fc.constantFrom(...nodes.slice(0, byzantineF)) : undefined,
  };
  // Byzantine kinds only for a protocol that opted in (byzantineF > 0), so honest draws are as before.
  // Churn likewise only with the protocol's bounds, and the plan kept within them.
  const kinds = (Object.values(faultKinds) as Array<FaultKind<Fault>>).filter((k) => (!k.byzantine || byzantineF > 0) && (k.kind !== 'churn' || churn !== undefined));
  const fault: fc.Arbitrary<Fault> = fc.oneof(...kinds.map((k) => k.arbitrary(fc, c)));
  if (nodes.length <= 1) return fc.constant([]);
  const plans = fc.array(fault, { maxLength: maxFaults });
  return churn === undefined ? plans : plans.map((fs) => keepWithinChurnBounds(fs, churn));
}

/**
 * Whole run inputs for `protocol`: a seed, explicit client ops and an explicit fault schedule.
 *
 * @example
 * await fc.assert(fc.asyncProperty(scenarioArb(abd, { maxOps: 20 }), async (input) => (await runScenario(abd, input)).status !== 'fail'));
 */
export function scenarioArb(protocol: ProtocolDef, o: ScenarioArbOptions = {}): fc.Arbitrary<RunInput> {
  const { maxOps = 30, maxFaults = 4, ...given } = o;
  const base = resolveOptions(protocol, { ...given, seed: 0 });
  const nodes = nodeIds(base.nodes);
  return fc
    .record({
      seed: fc.nat({ max: 1_000_000 }),
      ops: opsArb(protocol, nodes, base.clients, maxOps, base.thinkMs * 2),
      faults: faultsArb(nodes, base.healAtMs, maxFaults, byzantineFOf(protocol, base.nodes) ?? 0, churnBoundsOf(protocol)),
    })
    .map(({ seed, ops, faults }) => ({ options: { ...base, seed, ops: ops.length }, ops, faults }));
}
