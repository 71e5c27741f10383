/**
 * The CLI as a function: dispatches a command and turns every error into an exit code and one
 * line on stderr. Bad input (usage, corpus, scenario, history) is exit 2; anything else is an
 * internal error of Faultline, exit 70. `main.ts` calls it for the process; tests call it in
 * process with argv.
 */
import { HistoryError } from '../../checkers/history-error.ts';
import { CorpusError } from '../corpus/corpus.ts';
import { ProtocolLoadError } from '../run/load.ts';
import { ScenarioError } from '../run/scenario.ts';
import { clip, commands, overviewHelp, UsageError } from './flags.ts';

// Commands load on demand: `faultline --help` or a bad flag need not load the simulator.
const dispatch: Record<string, (argv: string[]) => Promise<number>> = {
  run: async (a) => (await import('./run.ts')).runCommand(a),
  explore: async (a) => (await import('./explore.ts')).exploreCommand(a),
  merge: async (a) => (await import('./merge.ts')).mergeCommand(a),
  check: async (a) => (await import('./check.ts')).checkCommand(a),
  shrink: async (a) => (await import('./shrink.ts')).shrinkCommand(a),
  replay: async (a) => (await import('./replay.ts')).replayCommand(a),
  report: async (a) => (await import('./report.ts')).reportCommand(a),
  list: async (a) => (await import('./list.ts')).listCommand(a),
  demo: async (a) => (await import('./demo.ts')).demoCommand(a),
  maelstrom: async (a) => (await import('../maelstrom/cli.ts')).maelstromCommand(a),
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
    throw new UsageError(`unknown command '${clip(name)}': choose from ${Object.keys(commands).join(', ')} (faultline --help)`);
  }
  return dispatch[name](rest);
}

/** Bad input is one line and exit 2; anything else is a bug of ours, exit 70. */
function reportError(e: unknown): number {
  if (e instanceof UsageError || e instanceof CorpusError || e instanceof ScenarioError || e instanceof HistoryError || e instanceof ProtocolLoadError) {
    console.error(`faultline: ${oneLine(e.message)}`);
    return 2;
  }
  // A path the system refuses (a file where a directory goes, no permission, disk full) is the
  // environment's answer to the user's input, not a bug of ours.
  const io = e as NodeJS.ErrnoException;
  if (e instanceof Error && typeof io.code === 'string' && /^E[A-Z]+$/.test(io.code) && typeof io.path === 'string') {
    console.error(`faultline: cannot ${io.syscall ?? 'use'} ${clip(io.path)}: ${io.code} (check the path and its permissions, or give another --out / --corpus)`);
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
