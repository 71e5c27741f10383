import type { VariantDef } from '../../src/run/protocol.ts';

/** The Raft variants: the correct protocol and five classic mistakes, each planted on its own. */
export type RaftVariant = 'correct' | 'vote-without-log-check' | 'figure8-commit' | 'no-persist' | 'stale-local-read' | 'no-truncate';

/** Variant names and what each one does differently. */
export const raftVariants: Record<RaftVariant, VariantDef> = {
  correct: {
    kind: 'correct',
    description: 'elections with PreVote and the log up-to-date check, current-term commit rule, durable term/vote/log, reads through the log',
  },
  'vote-without-log-check': {
    kind: 'bug',
    description: 'a vote is granted without checking that the candidate log is at least as up-to-date as the voter log',
  },
  'figure8-commit': {
    kind: 'bug',
    description: 'the leader commits any entry a majority holds, even one from an earlier term (and so adds no no-op at election, and elects without PreVote, as the paper\'s Figure 8 does)',
  },
  'no-persist': {
    kind: 'bug',
    description: 'currentTerm and votedFor are written but not synced before replying (a crash forgets a vote)',
  },
  'stale-local-read': {
    kind: 'bug',
    description: 'the leader answers get from its local state machine without confirming it is still leader',
  },
  'no-truncate': {
    kind: 'bug',
    description: 'a follower overwrites conflicting entries in place but keeps the rest of the conflicting suffix',
  },
};
