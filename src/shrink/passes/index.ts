/**
 * The passes, in the order one round runs them: cheap, big cuts first (the tape's tail, the
 * drops and duplicates, whole ops and faults), then finer simplifications. Rounds repeat until
 * one changes nothing: then no single op, fault or drop / dup / reorder can be removed (1-minimal).
 */
import type { ShrinkPass } from '../pass.ts';
import { fewerClients } from './clients.ts';
import { shorterRun } from './duration.ts';
import { weakenFaults } from './fault-weaken.ts';
import { removeFaults } from './faults.ts';
import { cutsToLosses } from './cuts-to-losses.ts';
import { lowerLatencies } from './latency.ts';
import { plainerNetwork } from './network-options.ts';
import { fewerNodes } from './nodes.ts';
import { removeOps } from './ops.ts';
import { tapeFlags } from './tape-flags.ts';
import { tapeTruncate } from './tape-truncate.ts';
import { lessThinking } from './think.ts';

export const passes: readonly ShrinkPass[] = [
  tapeTruncate,
  tapeFlags,
  removeOps,
  removeFaults,
  cutsToLosses,
  fewerNodes,
  fewerClients,
  weakenFaults,
  shorterRun,
  lowerLatencies,
  plainerNetwork,
  lessThinking,
];
