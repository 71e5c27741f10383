/**
 * Shrink, save, replay with a trace, tell: the one sequence every caller that found a failure
 * uses (`faultline shrink`, `faultline run --save`, the demo, `exploreSeeds` in vitest). The
 * counterexample is on disk before anything else can fail: the original failing run is saved
 * before shrinking starts, and overwritten by the shrunk run before its story is told.
 */
import { makeEntry, saveEntry, type EntryModule, type StrategyRecord } from '../corpus/corpus.ts';
import { tellStory, type Story } from '../report/story.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { runScenario, type RunResult } from '../run/run.ts';
import type { RunInput } from '../run/scenario.ts';
import type { ExplicitInput } from './input.ts';
import { shrink, type ShrinkResult, type ShrinkSettings } from './shrink.ts';

export interface CounterexampleSettings extends Omit<ShrinkSettings, 'onReproduced'> {
  /** Corpus root to write the entry under, or false to write nothing. */
  corpusDir: string | false;
  /** Recorded in the entry: the command (or test) that found it. */
  createdBy: string;
  /** Recorded in the entry for a user's protocol: its module, relative to the project root. */
  module?: EntryModule;
  /** Recorded in the entry: the exploration strategy that drew the options, and its parameters. */
  strategy?: StrategyRecord;
}

export interface Counterexample {
  shrunk: ShrinkResult;
  /** The story of the shrunk run (of the input itself when it did not fail). */
  story: Story;
  /** Where the entry was written (absent with `corpusDir: false` or when nothing failed). */
  saved?: string;
  /** The command that replays the saved entry. */
  replay?: string;
}

/**
 * Shrinks a failing run, saves it to the corpus, replays it with a trace and tells its story.
 *
 * @example
 * const cx = await shrinkAndSave(abd, { options }, { corpusDir: 'corpus', createdBy: 'my test' });
 * console.log(cx.story.text, cx.replay);
 */
export async function shrinkAndSave(protocol: ProtocolDef, input: RunInput, settings: CounterexampleSettings): Promise<Counterexample> {
  const { corpusDir, createdBy, module, strategy, ...shrinkSettings } = settings;
  const maxStates = shrinkSettings.check?.checkMaxStates;
  const check = maxStates === undefined ? undefined : { maxStates };
  const save = (i: ExplicitInput, r: RunResult): string | undefined =>
    corpusDir === false ? undefined : saveEntry(corpusDir, makeEntry(i, r, createdBy, module, check, strategy));
  let saved: string | undefined;
  const shrunk = await shrink(protocol, input, {
    ...shrinkSettings,
    // The unshrunk failure first: a shrink that dies half-way still leaves a replayable entry.
    onReproduced: (i, r) => {
      saved = save(i, r);
    },
  });
  if (shrunk.reproduced) saved = save(shrunk.input, shrunk.result);
  const story = tellStory(await tracedReplay(protocol, shrunk, maxStates));
  const out: Counterexample = { shrunk, story };
  if (saved !== undefined) {
    out.saved = saved;
    out.replay = `faultline replay ${saved}`;
  }
  return out;
}

/** The shrunk run again, with its trace; the same run, or Faultline has a determinism bug. */
async function tracedReplay(protocol: ProtocolDef, s: ShrinkResult, checkMaxStates: number | undefined): Promise<RunResult> {
  const traced = await runScenario(protocol, s.input, { recordTrace: true, ...(checkMaxStates === undefined ? {} : { checkMaxStates }) });
  if (traced.sim.fingerprint !== s.result.sim.fingerprint) {
    throw new Error(`internal: replaying the shrunk run with a trace gave fingerprint ${traced.sim.fingerprint}, not ${s.result.sim.fingerprint}`);
  }
  return traced;
}

/**
 * One line on what the shrinker did, and whether the result is 1-minimal.
 *
 * @example
 * describeShrink(cx.shrunk); // 'shrunk 200 ops, 9 faults, ... -> 3 ops, ... in 627 runs, 2.4 s - 1-minimal'
 */
export function describeShrink(s: ShrinkResult): string {
  const a = s.original;
  const b = s.shrunk;
  return (
    `shrunk ${a.ops} ops, ${a.faults} faults, ${a.messages} messages, ${a.flags} drops/dups/reorders` +
    ` -> ${b.ops} ops, ${b.faults} faults, ${b.messages} messages, ${b.flags} drops/dups/reorders (${b.nodes} nodes, ${b.clients} clients, ${b.virtualMs} ms)` +
    ` in ${s.runs} runs, ${(s.elapsedMs / 1000).toFixed(1)} s` +
    (s.stoppedBy === 'fixpoint' ? ' - 1-minimal' : ` - ${stopText[s.stoppedBy]}: the best so far, not necessarily minimal`)
  );
}

const stopText: Record<Exclude<ShrinkResult['stoppedBy'], 'fixpoint'>, string> = {
  runs: 'the run budget ran out',
  events: 'the event budget ran out',
  'wall-time': 'stopped by the wall-clock safety net (not reproducible: raise it or use a run budget)',
  'check-safety-net': "stopped because a candidate's history check hit its wall-clock or memory safety net (not reproducible)",
};
