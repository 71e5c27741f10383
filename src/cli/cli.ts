/**
 * The CLI as a function: dispatches a command and turns every error into an exit code and one
 * line on stderr. Bad input (usage, corpus, scenario, history) is exit 2; anything else is an
 * internal error of Faultline, exit 70. `main.ts` calls it for the process; tests call it in
 * process with argv.
 */
import { HistoryError } from '../../checkers/history-error.ts';
import { CorpusError } from '../corpus/corpus.ts';
import { ScenarioError } from '../run/scenario.ts';
import { checkCommand } from './check.ts';
import { demoCommand } from './demo.ts';
import { exploreCommand } from './explore.ts';
import { mergeCommand } from './merge.ts';
import { clip, overviewHelp, UsageError } from './flags.ts';
import { listCommand } from './list.ts';
import { replayCommand } from './replay.ts';
import { runCommand } from './run.ts';
import { shrinkCommand } from './shrink.ts';

const dispatch: Record<string, (argv: string[]) => Promise<number>> = {
  run: runCommand,
  explore: exploreCommand,
  merge: mergeCommand,
  check: checkCommand,
  shrink: shrinkCommand,
  replay: replayCommand,
  list: listCommand,
  demo: demoCommand,
};

/**
 * Runs `faultline <argv>` and returns its exit code; never throws.
 *
 * @example
 * process.exitCode = await cli(['run', 'abd', '--seed', '3']);
 */
export async function cli(argv: string[]): Promise<number> {
  try {
    return await command(argv);
  } catch (e) {
    return reportError(e);
  }
}

async function command(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(overviewHelp());
    return name === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(dispatch, name)) {
    throw new UsageError(`unknown command '${clip(name)}': choose from ${Object.keys(dispatch).join(', ')} (faultline --help)`);
  }
  return dispatch[name](rest);
}

/** Bad input is one line and exit 2; anything else is a bug of ours, exit 70. */
function reportError(e: unknown): number {
  if (e instanceof UsageError || e instanceof CorpusError || e instanceof ScenarioError || e instanceof HistoryError) {
    console.error(`faultline: ${oneLine(e.message)}`);
    return 2;
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  console.error(`faultline: internal error (a bug in faultline; please report it with the command): ${oneLine(message)}${process.env.FAULTLINE_DEBUG ? '' : ' (FAULTLINE_DEBUG=1 prints the stack)'}`);
  if (process.env.FAULTLINE_DEBUG && e instanceof Error) console.error(e.stack);
  return 70;
}

function oneLine(text: string): string {
  const s = text.replace(/\s*\n\s*/g, ' ');
  return s.length > 2000 ? `${s.slice(0, 2000)}...` : s;
}
