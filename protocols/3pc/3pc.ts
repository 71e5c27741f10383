import { defineProtocol, nemesisNames, type NemesisName, type NodeCtx, type Workload } from '../../src/index.ts';
import { threePcObservers } from './checks.ts';
import { ThreePcNode, type Msg } from './node.ts';

/** Every op is a new transaction; its value is its id (unique in the plan). */
export const txnWorkload: Workload = (_rng, info) => ({ f: 'txn', value: info.opIndex });

/**
 * The faults 3PC is designed for: nodes crash (and restart from their log), and the network stays
 * timely apart from its usual loss, duplication and reordering, which retries and generous
 * timeouts absorb. Partitions, pauses, clock faults, loss spikes and clogs all make a live node
 * look crashed, which 3PC cannot tell apart from a crash.
 */
export const CRASH_STOP_FAULTS: NemesisName[] = ['crash', 'dup-spike'];

const PARTITIONS = nemesisNames.filter((n) => n.startsWith('partition-'));

export const threePc = defineProtocol({
  name: '3pc',
  description: 'three-phase commit with a termination protocol: n1 coordinates; non-blocking under crash-stop (its default faults: crashes only), unsafe under partitions',
  variants: {
    correct: {
      kind: 'correct',
      description: 'pre-commit before commit; on silence the lowest-ranked node up terminates (any pre-commit: commit, all uncertain: abort); restarted nodes only learn the outcome. Crash faults only: no partitions',
    },
    'under-partitions': {
      kind: 'bug',
      description: 'the correct protocol with partitions on: a cut-off coordinator looks crashed, both sides terminate, one commits and one aborts',
      nemesis: [...CRASH_STOP_FAULTS, ...PARTITIONS],
    },
    'commit-on-timeout': { kind: 'bug', description: 'an uncertain participant that hears nothing for a while commits on its own instead of running the termination protocol' },
    'recovery-ignores-precommit': {
      kind: 'bug',
      description: 'a restarted node recovers its vote but not its pre-commit: the coordinator presumes abort, as in 2PC',
    },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new ThreePcNode(ctx as NodeCtx<Msg>, variant),
  workload: txnWorkload,
  // Outcomes are judged on node states (observers); clients see ok = committed, fail = aborted.
  checkers: () => [],
  observers: (_variant, scenario) => threePcObservers(
    Array.from({ length: scenario.nodes }, (_, i) => `n${i + 1}`),
    scenario.quietMs - 1000,
  ),
  // Timeouts scale with the slowest delay seen (up to 600 ms on swarm's slowest networks), so a
  // client waits long and the run goes on long enough after the heal for a termination round.
  liveness: { opsCompleteWithinMs: 4000 },
  defaults: { nemesis: CRASH_STOP_FAULTS, quietMs: 12000, opTimeoutMs: 4000 },
  minNodes: 2,
});
