import { defaultNetConfig, type NetConfig } from '../../src/network/network.ts';
import type { NodeCtx, NodeHandlers } from '../../src/node/api.ts';
import { Simulator, type SimConfig, type SimResult } from '../../src/sim/simulator.ts';

/** A simulator config with quiet defaults: no faults, no loss, no clients, a short run. */
export function simulate(
  create: (ctx: NodeCtx) => NodeHandlers,
  overrides: Partial<Omit<SimConfig, 'net'>> & { net?: Partial<NetConfig> } = {},
): Promise<SimResult> {
  const { net, ...rest } = overrides;
  return new Simulator({
    seed: 1,
    nodeCount: 3,
    create,
    clients: 1,
    ops: [],
    faults: [],
    healAtMs: 1000,
    quietMs: 0,
    opTimeoutMs: 100,
    maxSteps: 1_000_000,
    recordTrace: true,
    ...rest,
    net: { ...defaultNetConfig, ...net },
  }).run();
}
