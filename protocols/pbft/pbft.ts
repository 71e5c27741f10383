import { allNemesisNames, defineProtocol, type NodeCtx } from '../../src/index.ts';
import { agreementAmongHonest } from './checks.ts';
import { pbftLies } from './lies.ts';
import type { Msg } from './messages.ts';
import { PbftNode } from './node.ts';
// The same key-value mix as raft's (3 keys, get/put/append/cas): appends expose an op executed twice or skipped.
import { raftWorkload as kvWorkload } from '../raft/workload.ts';

export const pbft = defineProtocol({
  name: 'pbft',
  description: 'PBFT (n = 3f + 1): pre-prepare / prepare / commit, checkpoints, view changes; a replicated KV whose clients wait for f + 1 matching replies; under up to f Byzantine replicas',
  variants: {
    correct: { kind: 'correct', description: 'quorums of 2f + 1, view changes carry and check prepared certificates, pre-prepares only within the watermarks' },
    'prepare-quorum-2f': { kind: 'bug', description: 'a request counts as prepared with 2f matching votes instead of 2f + 1 (two prepared certificates for one number can exist: a view change may pick the wrong one)' },
    'view-change-without-certificates': { kind: 'bug', description: 'view changes carry no prepared certificates and the new view is accepted without them (a request committed in the old view loses its number)' },
    'no-watermark-check': { kind: 'bug', description: "backups trust the primary's sequence number without checking it against the watermarks (a number one window ahead lands in a live ring slot)" },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new PbftNode(ctx as NodeCtx<Msg>, variant),
  workload: kvWorkload,
  checkers: () => [{ kind: 'linearizable', model: 'kv', initial: '' }],
  observers: () => [agreementAmongHonest()],
  liveness: { opsCompleteWithinMs: 6000 },
  defaults: { nodes: 4, ops: 60, clients: 3, opTimeoutMs: 3000, quietMs: 8000, nemesis: [...allNemesisNames] },
  minNodes: 4,
  byzantine: { mutate: pbftLies },
});
