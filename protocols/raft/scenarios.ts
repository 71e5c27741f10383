import type { ScenarioOptions } from '../../src/run/scenario.ts';
import type { RaftVariant } from './variants.ts';

/**
 * Scenario knobs under which each planted bug shows within a small, fixed seed range (the tests
 * and `bench/raft.bench.ts` use them). Empty knobs mean the default scenario already finds it.
 */
export const RAFT_BUG_KNOBS: Record<Exclude<RaftVariant, 'correct'>, Partial<ScenarioOptions>> = {
  'vote-without-log-check': {},
  'no-truncate': {},
  'stale-local-read': {},
  // A forgotten vote matters only if the voter crashes before its next log sync and comes back
  // while the same term's election is still on: three nodes (a single vote decides), frequent
  // short crashes (restart within 20-60 ms) and nothing else.
  'no-persist': { nodes: 3, nemesis: ['crash'], faultIntervalMs: 50, faultDurationMs: 40 },
  // Figure 8 needs an old-term entry committed by counting while a node holding a newer conflicting
  // entry can still win: leaders isolated in turn with overlapping isolations (interval < duration),
  // three nodes, a light load (two clients) so a new leader has no entry of its own term for a
  // while, and faults over 5 s instead of 2 s.
  'figure8-commit': { nodes: 3, clients: 2, thinkMs: 60, nemesis: ['partition-isolate'], faultIntervalMs: 80, faultDurationMs: 250, healAtMs: 5000 },
};
