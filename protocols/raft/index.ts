import type { NodeCtx } from '../../src/node/api.ts';
import type { ProtocolDef } from '../../src/run/protocol.ts';
import { raftCoverageKey } from './coverage.ts';
import { raftObservers } from './invariants.ts';
import { RaftNode, type RaftMsg } from './raft.ts';
import { RAFT_BUG_KNOBS } from './scenarios.ts';
import { raftVariants, type RaftVariant } from './variants.ts';
import { raftWorkload } from './workload.ts';

/** After the final heal, a leader followed by a majority must emerge within this bound. */
export const LEADER_AFTER_HEAL_MS = 800;
/** After the final heal, every client op must be answered within this bound. */
export const OPS_COMPLETE_WITHIN_MS = 900;

/**
 * Raft replicating a key-value store (get / put / append / cas on three keys), with planted bugs.
 * Checked for linearizability (kv model, a missing key reads as ""), the four Raft safety
 * invariants after every event, and liveness after the heal.
 */
export const raft: ProtocolDef = {
  name: 'raft',
  description: 'Raft replicated key-value store (elections, log replication, forwarding, exactly-once, reads through the log)',
  variants: Object.fromEntries(
    Object.entries(raftVariants).map(([name, v]) => {
      const knobs = RAFT_BUG_KNOBS[name as keyof typeof RAFT_BUG_KNOBS];
      return [name, knobs && Object.keys(knobs).length > 0 ? { ...v, scenario: knobs } : v];
    }),
  ),
  defaultVariant: 'correct',
  create: (ctx, variant) => new RaftNode(ctx as NodeCtx<RaftMsg>, variant as RaftVariant),
  workload: raftWorkload,
  checkers: () => [{ kind: 'linearizable', model: 'kv', initial: '' }],
  observers: () => raftObservers(LEADER_AFTER_HEAL_MS),
  liveness: { opsCompleteWithinMs: OPS_COMPLETE_WITHIN_MS },
  minNodes: 1,
  coverage: raftCoverageKey,
};

export { RaftNode } from './raft.ts';
export { RAFT_BUG_KNOBS } from './scenarios.ts';
export type { RaftVariant } from './variants.ts';
