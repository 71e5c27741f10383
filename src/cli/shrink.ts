import { parseArgs } from 'node:util';
import { getProtocol, protocols } from '../../protocols/index.ts';
import { CorpusError, loadEntry } from '../corpus/corpus.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { resolveOptions, ScenarioError, type RunInput } from '../run/scenario.ts';
import { defaultShrinkBudget, shrinkBudgetCeiling, type ShrinkBudgetLimits } from '../shrink/budget.ts';
import { describeShrink, shrinkAndSave, type Counterexample } from '../shrink/counterexample.ts';
import type { ShrinkProgress } from '../shrink/session.ts';
import { DEFAULT_MAX_STATES } from '../../checkers/index.ts';
import type { RunSettings } from '../run/run.ts';
import { scenarioFlags, scenarioFromFlags, scenarioHelp, UsageError } from './options.ts';

/** The shrink budget flags, shared by `shrink` and `run --save` (node:util parseArgs form). */
export const shrinkFlags = {
  'shrink-runs': { type: 'string' },
  'shrink-events': { type: 'string' },
  'shrink-wall-seconds': { type: 'string' },
} as const;

export const shrinkFlagsHelp = `Shrink budget (deterministic: the same failure shrinks to the same result at any machine load):
  --shrink-runs N         stop shrinking after N runs (default ${defaultShrinkBudget.maxRuns})
  --shrink-events N       stop after N simulated events over all runs (default ${defaultShrinkBudget.maxEvents})
  --shrink-wall-seconds S safety net only: stop after S seconds of wall time (default ${defaultShrinkBudget.wallLimitMs / 1000});
                          a result it cuts short says so, and is not reproducible`;

export const shrinkHelp = `faultline shrink <entry.json> [options]
faultline shrink <protocol> --variant V --seed N [scenario options] [options]

Shrinks a failing run to a minimal one that fails the same way (same first failing checker),
prints its story, and with --save writes it to the corpus.

  --save                  write the run as corpus/<protocol>/<variant>-<seed>.json: the original
                          failure before shrinking starts, then the shrunk one
  --corpus DIR            corpus root (default corpus)
  --max-states N          search budget of each candidate's history check, in model steps
                          (default ${DEFAULT_MAX_STATES}); deterministic, like the shrink budget

${shrinkFlagsHelp}

${scenarioHelp}

Exit code: 0 done (or the input does not fail: nothing to shrink), 2 bad usage or input.`;

/**
 * The budget the shrink flags ask for (only the limits given), or UsageError naming the flag.
 *
 * @example
 * shrinkBudgetFromFlags({ 'shrink-runs': '500' }); // { maxRuns: 500 }
 */
export function shrinkBudgetFromFlags(values: Record<string, unknown>): Partial<ShrinkBudgetLimits> {
  const whole = (flag: keyof typeof shrinkFlags, max: number): number | undefined => {
    const v = values[flag];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !/^\d{1,16}$/.test(v) || Number(v) < 1 || Number(v) > max) {
      throw new UsageError(`--${flag} takes a whole number from 1 to ${max}, got '${String(v)}'`);
    }
    return Number(v);
  };
  const out: Partial<ShrinkBudgetLimits> = {};
  const runs = whole('shrink-runs', shrinkBudgetCeiling.maxRuns);
  const events = whole('shrink-events', shrinkBudgetCeiling.maxEvents);
  const seconds = whole('shrink-wall-seconds', shrinkBudgetCeiling.wallLimitMs / 1000);
  if (runs !== undefined) out.maxRuns = runs;
  if (events !== undefined) out.maxEvents = events;
  if (seconds !== undefined) out.wallLimitMs = seconds * 1000;
  return out;
}

/**
 * Shrinks `input` with a progress line on a terminal, saves it (with `corpusDir`), tells its story.
 *
 * @example
 * const cx = await shrinkWithProgress(abd, { options }, { corpusDir: 'corpus', createdBy: 'faultline shrink' });
 */
export async function shrinkWithProgress(
  protocol: ProtocolDef,
  input: RunInput,
  opts: { corpusDir: string | false; budget?: Partial<ShrinkBudgetLimits>; check?: Omit<RunSettings, 'recordTrace'>; createdBy: string; progress?: boolean },
): Promise<Counterexample> {
  const tty = opts.progress ?? process.stderr.isTTY;
  let lastMs = 0;
  const onProgress = (p: ShrinkProgress) => {
    if (!tty || p.elapsedMs - lastMs < 250) return;
    lastMs = p.elapsedMs;
    process.stderr.write(
      `\r\x1b[K  shrinking: ${p.runs} runs, ${(p.elapsedMs / 1000).toFixed(1)} s, pass ${p.pass}: ${p.ops} ops, ${p.faults} faults, ${p.flags} drops/dups/reorders, tape ${p.tapeLength}`,
    );
  };
  try {
    return await shrinkAndSave(protocol, input, { ...opts.budget, check: opts.check, corpusDir: opts.corpusDir, createdBy: opts.createdBy, onProgress });
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
  }
}

/** `faultline shrink`: returns the exit code. */
export async function shrinkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...scenarioFlags,
      ...shrinkFlags,
      seed: { type: 'string' },
      save: { type: 'boolean' },
      corpus: { type: 'string' },
      'max-states': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(shrinkHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('shrink takes one corpus file or one protocol name (faultline shrink --help)');
  const budget = shrinkBudgetFromFlags(values);
  const maxStates = values['max-states'];
  if (maxStates !== undefined && !(/^\d{1,16}$/.test(maxStates) && Number(maxStates) >= 1 && Number.isSafeInteger(Number(maxStates)))) {
    throw new UsageError(`--max-states takes a whole number of model steps >= 1, got '${maxStates}'`);
  }
  const { protocol, input } = shrinkInput(positionals[0], values);
  const o = input.options;
  const cx = await shrinkWithProgress(protocol, input, {
    corpusDir: values.save ? (values.corpus ?? 'corpus') : false,
    budget,
    check: maxStates === undefined ? {} : { checkMaxStates: Number(maxStates) },
    createdBy: `faultline shrink ${argv.join(' ')}`.trim(),
  });
  if (!cx.shrunk.reproduced) {
    console.log(`${o.protocol}/${o.variant} seed ${o.seed}: does not fail (status ${cx.shrunk.result.status}): nothing to shrink, nothing written`);
    return 0;
  }
  console.log(cx.story.text);
  console.log('');
  console.log(describeShrink(cx.shrunk));
  console.log(`fingerprint ${cx.shrunk.result.sim.fingerprint}`);
  if (cx.saved) {
    console.log(`saved  ${cx.saved}`);
    console.log(`replay ${cx.replay}`);
  }
  return 0;
}

/** The protocol and run a `shrink` command line names: a corpus entry, or a protocol and seed. */
function shrinkInput(target: string, values: Record<string, string | boolean | undefined>): { protocol: ProtocolDef; input: RunInput } {
  if (target.endsWith('.json')) {
    const loaded = loadEntry(target, protocols);
    return { protocol: loaded.protocol, input: loaded.input };
  }
  let protocol: ProtocolDef;
  try {
    protocol = getProtocol(target);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const seedText = values.seed ?? '0';
  if (typeof seedText !== 'string' || !/^\d+$/.test(seedText)) throw new UsageError(`--seed takes a non-negative integer, got '${String(values.seed)}'`);
  try {
    return { protocol, input: { options: resolveOptions(protocol, { ...scenarioFromFlags(values), seed: Number(seedText) }) } };
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

export { CorpusError };
