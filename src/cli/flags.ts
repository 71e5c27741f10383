/**
 * The one table of every command-line flag of every command: its type, bounds and help text.
 * Every command parses its argv through `parseFlags`, and `commandHelp` / `overviewHelp` are
 * generated from the table, so a flag, its limits and its documentation are written once.
 * Bad input is one `UsageError` line naming the flag, what it takes and what it got.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { historyFormats } from '../../checkers/formats/index.ts';
import { DEFAULT_MAX_STATES } from '../../checkers/linearizability.ts';
import { consistencyModels } from '../../checkers/transactional/index.ts';
import { modelNames } from '../../models/index.ts';
import { everyNemesisName, nemesisGroups, parseNemesis, type NemesisName } from '../faults/index.ts';
import { DEFAULT_WORKER_MEMORY_MB } from '../explore/pool.ts';
import { parseDuration, parseShard, type Shard } from '../explore/seeds.ts';
import { DEFAULT_STRATEGY, strategyNames } from '../explore/strategies/index.ts';
import { describeBound, optionBounds, type OptionBound } from '../run/options-schema.ts';
import { defaultShrinkBudget, shrinkBudgetCeiling } from '../shrink/budget.ts';

/** Bad command-line input: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What a flag takes. */
export type FlagSpec =
  | { type: 'boolean'; help: string; short?: string }
  /** A whole number (`integer`) or a decimal number, within [min, max]. */
  | { type: 'number'; integer: boolean; min: number; max: number; arg: string; help: string }
  /** `A..B` (or `A`, meaning `A..A`) of whole numbers within [min, max], spanning at most `maxSpan` + 1 values. */
  | { type: 'range'; min: number; max: number; maxSpan: number; arg: string; help: string }
  | { type: 'string'; arg: string; help: string; short?: string }
  /** One of a list of names (looked up with Object.hasOwn semantics: a plain list, no prototype). */
  | { type: 'choice'; choices: () => readonly string[]; arg: string; help: string }
  /** A directory to write into: created when missing, never a file. */
  | { type: 'dir'; arg: string; help: string }
  /** A JSON value, at most 16 deep. */
  | { type: 'json'; arg: string; help: string }
  /** A comma-separated nemesis list. */
  | { type: 'nemesis'; arg: string; help: string }
  /** A time budget such as 90s, 10m, 1h or 1m30s (in ms once parsed), at most `maxMs`. */
  | { type: 'duration'; maxMs: number; arg: string; help: string }
  /** `K/N`: slice K of N of a seed space. */
  | { type: 'shard'; arg: string; help: string };

export interface Range {
  min: number;
  max: number;
}

type ValueOf<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'number' }
    ? number
    : S extends { type: 'range' }
      ? Range
      : S extends { type: 'json' }
        ? unknown
        : S extends { type: 'nemesis' }
          ? NemesisName[]
          : S extends { type: 'duration' }
            ? number
            : S extends { type: 'shard' }
              ? Shard
              : string;

/** The transactional workloads `check --txn` reads (kept here: the checker's list is a type). */
const txnWorkloads = ['list-append', 'rw-register'] as const;

/** Timers take at most 2^31-1 ms; a longer one fires at once (Node's TimeoutOverflowWarning). */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

const bounded = (b: OptionBound, arg: string, help: string) => ({ type: 'number', integer: b.integer, min: b.min, max: b.max, arg, help }) as const;

const help = { type: 'boolean', short: 'h', help: 'print this help' } as const;

/** The scenario flags shared by `run` and `shrink`; bounds come from the scenario option table. */
const scenarioFlags = {
  variant: { type: 'string', arg: 'NAME', help: 'protocol variant (see faultline list)' },
  nodes: bounded(optionBounds.nodes, 'N', 'cluster size'),
  clients: bounded(optionBounds.clients, 'N', 'concurrent client processes'),
  ops: bounded(optionBounds.ops, 'N', 'client operations in total'),
  nemesis: {
    type: 'nemesis',
    arg: 'LIST',
    help: `comma-separated faults, or ${Object.keys(nemesisGroups).join(' | ')} (${everyNemesisName.join(', ')}; Byzantine ones and churn only for a protocol that opts in)`,
  },
  latency: {
    type: 'range',
    min: optionBounds.latencyMinMs.min,
    max: optionBounds.latencyMaxMs.max,
    maxSpan: optionBounds.latencyMaxMs.max,
    arg: 'MIN..MAX',
    help: 'message latency in ms, uniform (e.g. 1..10)',
  },
  drop: bounded(optionBounds.dropRate, 'P', 'probability that a message is lost'),
  dup: bounded(optionBounds.dupRate, 'P', 'probability that a message is delivered twice'),
  reorder: bounded(optionBounds.reorderRate, 'P', 'probability that a message is held back and overtaken'),
  'heal-at': bounded(optionBounds.healAtMs, 'MS', 'faults happen before this virtual time, then everything heals'),
  quiet: bounded(optionBounds.quietMs, 'MS', 'how long the run goes on after the heal'),
  'fault-interval': bounded(optionBounds.faultIntervalMs, 'MS', 'mean gap between fault starts'),
  'fault-duration': bounded(optionBounds.faultDurationMs, 'MS', 'mean fault length'),
  think: bounded(optionBounds.thinkMs, 'MS', "mean pause between one client's ops"),
  'op-timeout': bounded(optionBounds.opTimeoutMs, 'MS', 'a client op with no answer by then completes as info'),
  'max-steps': bounded(optionBounds.maxSteps, 'N', 'event budget per run'),
  'pct-depth': bounded(optionBounds.pctDepth, 'D', 'schedule deliveries by PCT: sender priorities with D-1 random change points instead of uniform latencies (explore --strategy pct: default 3)'),
} as const;


const seed = { type: 'number', integer: true, min: 0, max: Number.MAX_SAFE_INTEGER, arg: 'N', help: 'one seed (default 0)' } as const;

/** How commands take a protocol (in `run` and `shrink` help, and the overview). */
const protocolArgHelp =
  "<protocol>: a bundled protocol's name (faultline list), a name your faultline.config.ts lists,\nor your module: ./path/to/protocol.ts (also .js, .mjs; #exportName picks an export).";

/** The history-check budget of every seed, shared by `run` and `explore` (model steps: the same verdict on any machine). */
const checkBudgetFlag = {
  type: 'number',
  integer: true,
  min: 1,
  max: Number.MAX_SAFE_INTEGER,
  arg: 'N',
  help: `history-check budget per seed in model steps (default ${DEFAULT_MAX_STATES}); exhausted -> unknown. Counted, not timed`,
} as const;

/** The shrink budget, shared by `shrink`, `run --save` (deterministic: runs and events, not time). */
const shrinkBudgetFlags = {
  'shrink-runs': {
    type: 'number',
    integer: true,
    min: 1,
    max: shrinkBudgetCeiling.maxRuns,
    arg: 'N',
    help: `stop shrinking after N runs (default ${defaultShrinkBudget.maxRuns})`,
  },
  'shrink-events': {
    type: 'number',
    integer: true,
    min: 1,
    max: shrinkBudgetCeiling.maxEvents,
    arg: 'N',
    help: `stop after N simulated events over all runs (default ${defaultShrinkBudget.maxEvents})`,
  },
  'shrink-wall-seconds': {
    type: 'number',
    integer: true,
    min: 1,
    max: shrinkBudgetCeiling.wallLimitMs / 1000,
    arg: 'S',
    help: `safety net only: stop after S seconds of wall time (default ${defaultShrinkBudget.wallLimitMs / 1000}); a result it cuts short says so, and is not reproducible`,
  },
} as const;

/** Flags shown under their own heading in help. */
const groups: Array<[heading: string, flags: Record<string, unknown>]> = [
  ['Shrink budget (deterministic: the same failure shrinks to the same result at any machine load):', shrinkBudgetFlags],
  ['Scenario options:', scenarioFlags],
];

/** One command: how it is called, what it does, its flags, and its exit codes. */
export interface CommandSpec {
  usage: string[];
  summary: string;
  /** Paragraphs after the usage lines. */
  about?: string;
  positionals: { min: number; max: number; name: string };
  flags: Record<string, FlagSpec>;
  exit?: string;
}

/**
 * Every command and its flags: the single table.
 *
 * @example
 * commands.run.flags.nodes; // { type: 'number', integer: true, min: 1, max: 100, arg: 'N', help: 'cluster size' }
 */
export const commands = {
  init: {
    usage: ['faultline init [--dir DIR] [--force]'],
    summary: 'start testing your own protocol in this npm project',
    about:
      'Writes faultline.config.ts (the project config: its protocols, scenario defaults, corpus dir),\nDIR/my-register.ts (a small replicated register with a correct and a planted-bug variant) and\nDIR/my-register.test.ts (a vitest test using faultline/vitest), then prints the next commands.',
    positionals: { min: 0, max: 0, name: '' },
    flags: {
      dir: { type: 'string', arg: 'DIR', help: 'the folder for the protocol and its test (default faultline)' },
      force: { type: 'boolean', help: 'overwrite files that exist' },
      help,
    },
    exit: 'Exit code: 0 written, 2 not in an npm project, or a file exists (without --force).',
  },
  run: {
    usage: ['faultline run <protocol> [--variant V] [--seed N | --seeds A..B] [options]'],
    summary: 'run a protocol under faults, check it, print a summary',
    about: `Runs a protocol under the seeded scheduler and nemesis, checks the history, prints a summary.\n${protocolArgHelp}`,
    positionals: { min: 1, max: 1, name: 'protocol' },
    flags: {
      seed,
      seeds: { type: 'range', min: 0, max: Number.MAX_SAFE_INTEGER, maxSpan: 999_999, arg: 'A..B', help: 'every seed from A to B (at most 1,000,000 seeds)' },
      out: { type: 'dir', arg: 'DIR', help: 'write summary, history, faults, checks and trace of each run here (failing runs are always written, to out/ unless --out says otherwise)' },
      'stop-on-fail': { type: 'boolean', help: 'stop at the first failing seed' },
      'check-determinism': { type: 'boolean', help: 'run every seed twice and compare fingerprints' },
      'quiet-pass': { type: 'boolean', help: 'with --seeds: print nothing for passing seeds' },
      workers: { type: 'number', integer: true, min: 0, max: 256, arg: 'N', help: 'worker threads (default: one per core, at most one per seed; 0 = this thread, without the watchdog)' },
      'seed-timeout': {
        type: 'number',
        integer: true,
        min: 1,
        max: MAX_TIMER_SECONDS,
        arg: 'S',
        help: "with workers: a seed with no verdict after S seconds of wall time ends as 'hung' (a handler that never returns); default 60",
      },
      json: { type: 'boolean', help: 'one JSON summary per seed instead of text' },
      save: { type: 'boolean', help: 'shrink the first failing seed and write it to the corpus (corpus/<protocol>/<variant>-<seed>.json); prints the replay command' },
      corpus: { type: 'dir', arg: 'DIR', help: "corpus root for --save (default: the project config's corpus, else corpus)" },
      report: { type: 'boolean', help: "write an HTML report (report.html) into each saved failing run's directory, and of the shrunk run with --save" },
      'max-states': checkBudgetFlag,
      help,
      ...shrinkBudgetFlags,
      ...scenarioFlags,
    },
    exit: 'Exit code: 0 every check held, 1 a violation was found, 2 bad usage, 3 a checker ran out of budget.',
  },
  explore: {
    usage: ['faultline explore <protocol | ./module.ts[#export]> [--seeds A..B | --time 10m] [--keep-going] [--strategy S] [--shard K/N] [options]'],
    summary: 'many seeds on worker threads; failures shrunk and saved, grouped by check',
    about:
      'Runs many seeds on worker threads, stops at the first failure (or goes on), shrinks each distinct\nfailure (one per violated check) and saves it to the corpus, and prints a summary table.',
    positionals: { min: 1, max: 1, name: 'protocol' },
    flags: {
      seeds: { type: 'range', min: 0, max: Number.MAX_SAFE_INTEGER, maxSpan: Number.MAX_SAFE_INTEGER, arg: 'A..B', help: 'the seeds to run (default 0..999)' },
      time: {
        type: 'duration',
        maxMs: 365 * 24 * 3_600_000,
        arg: 'D',
        help: "a time budget (60s, 10m, 1h): seeds run in order from A (or 0) until it is spent. How many seeds fit depends on the machine and its load; each seed's verdict does not.",
      },
      'keep-going': { type: 'boolean', help: 'do not stop at the first failure' },
      strategy: {
        type: 'choice',
        choices: () => strategyNames,
        arg: 'S',
        help: `how a seed becomes a scenario (default ${DEFAULT_STRATEGY}). random: the same scenario, only the seed changes; swarm: each seed also draws its cluster size, clients, fault kinds, cadence, latency and rates (flags given explicitly stay as given); pct: swarm's draws, with deliveries ordered by PCT (random sender priorities, --pct-depth minus 1 random change points). The corpus entry stores the options, so a replay needs no flag.`,
      },
      shard: { type: 'shard', arg: 'K/N', help: 'run only slice K of N (seeds s with s mod N = K-1; under --strategy coverage, whole campaigns of 250 seeds); each shard gets the whole --time budget. Join the --json summaries with faultline merge.' },
      workers: { type: 'number', integer: true, min: 0, max: 256, arg: 'N', help: 'worker threads (default: one per core; 0 = this thread, no watchdog)' },
      'seed-timeout': { type: 'number', integer: true, min: 1, max: 86_400, arg: 'S', help: "a seed with no verdict after S seconds of wall time ends 'hung' (default 60)" },
      'worker-memory': { type: 'number', integer: true, min: 16, max: 1_048_576, arg: 'MB', help: `heap limit per worker; a seed past it ends 'crashed: out of memory' (default ${DEFAULT_WORKER_MEMORY_MB})` },
      'check-determinism': { type: 'boolean', help: 'run every seed twice and compare fingerprints' },
      corpus: { type: 'dir', arg: 'DIR', help: 'where shrunk failures are saved (default corpus)' },
      'no-shrink': { type: 'boolean', help: 'report failures without shrinking or saving them' },
      'shrink-runs': { ...shrinkBudgetFlags['shrink-runs'], help: `run budget per shrink (default ${defaultShrinkBudget.maxRuns}); past it the best so far is saved` },
      'max-states': checkBudgetFlag,
      json: { type: 'boolean', help: 'print the summary as JSON on stdout (the input of faultline merge)' },
      report: { type: 'boolean', help: 'write an HTML report of each saved failure (out/<protocol>-<variant>-<seed>-shrunk.html)' },
      help,
      ...scenarioFlags,
    },
    exit: 'Exit code: 0 every seed passed, 1 a failure was found, 2 bad usage, 3 a checker ran out of budget.',
  },
  merge: {
    usage: ['faultline merge <summary.json>... [--json]'],
    summary: "join the --json summaries of explore's shards",
    about:
      "Joins the --json summaries of the shards of one sweep (faultline explore --shard K/N --json):\ntotals added, failures joined by violated check (seeds and corpus entries de-duplicated),\n'sometimes' counts added. Summaries of different protocols, variants, strategies or options,\nor one shard given twice, are refused.",
    positionals: { min: 1, max: 100_000, name: 'summary.json' },
    flags: {
      json: { type: 'boolean', help: 'print the merged summary as JSON (default: a table)' },
      help,
    },
    exit: 'Exit code: 0 no shard found a failure, 1 one did, 2 bad usage or input, 3 only undecided seeds.',
  },
  check: {
    usage: ['faultline check <file>... [--model NAME] [--format F] [options]', 'faultline check <file>... --txn list-append|rw-register [--consistency MODEL]'],
    summary: 'check recorded histories for linearizability or isolation anomalies',
    about:
      'Checks each history file for linearizability against a model, or (--txn) a transactional\nhistory for the isolation anomalies a consistency model forbids, in one process.\nPrints "<file>\\t<ok|illegal|unknown>\\t<milliseconds>" per file, then each counterexample.',
    positionals: { min: 1, max: 100_000, name: 'file' },
    flags: {
      model: {
        type: 'choice',
        choices: () => [...modelNames, ...txnWorkloads],
        arg: 'NAME',
        help: 'the model (default: implied by the format: porcupine-etcd -> cas-register, porcupine-kv -> kv; list-append and rw-register mean --txn)',
      },
      txn: { type: 'choice', choices: () => txnWorkloads, arg: 'WORKLOAD', help: 'check transactions (micro-ops [append k v], [r k v], [w k v]) for isolation anomalies, Elle-style' },
      consistency: { type: 'choice', choices: () => consistencyModels, arg: 'MODEL', help: 'with --txn: the consistency model (default serializable)' },
      format: { type: 'choice', choices: () => historyFormats, arg: 'FORMAT', help: 'the history format (detected when omitted)' },
      initial: { type: 'json', arg: 'JSON', help: 'initial register value / value of a missing kv key (default null; "" for porcupine-kv)' },
      'max-states': {
        type: 'number',
        integer: true,
        min: 1,
        max: 1_000_000_000_000,
        arg: 'N',
        help: `search budget per file in model steps (default ${DEFAULT_MAX_STATES}); exhausted -> unknown. Counted, not timed: the same file gets the same verdict on any machine`,
      },
      timeout: { type: 'number', integer: false, min: 0.001, max: MAX_TIMER_SECONDS, arg: 'S', help: 'wall-clock safety net per file in seconds (default none); exhausted -> unknown (wall-time)' },
      'max-memory': { type: 'number', integer: false, min: 1, max: 1_048_576, arg: 'MB', help: 'search-cache budget per file (default 1024); exhausted -> unknown' },
      'no-partition': { type: 'boolean', help: 'check each history whole instead of per key' },
      json: { type: 'boolean', help: 'one JSON document on stdout instead of text' },
      help,
    },
    exit: 'Exit code: 0 all ok, 1 some file illegal, 2 bad usage or bad input, 3 some file unknown (budget ran out);\nthe worst file decides (2 > 1 > 3 > 0).',
  },
  shrink: {
    usage: ['faultline shrink <entry.json> [options]', 'faultline shrink <protocol> --variant V --seed N [scenario options] [options]'],
    summary: 'shrink a failing run to a minimal counterexample and tell its story',
    about: 'Shrinks a failing run to a minimal one that fails the same way (same first failing checker),\nprints its story, and with --save writes it to the corpus.',
    positionals: { min: 1, max: 1, name: 'entry.json | protocol' },
    flags: {
      seed,
      save: { type: 'boolean', help: 'write the run as corpus/<protocol>/<variant>-<seed>.json: the original failure before shrinking starts, then the shrunk one' },
      corpus: { type: 'dir', arg: 'DIR', help: 'corpus root (default corpus)' },
      report: { type: 'boolean', help: 'write an HTML report of the shrunk run (out/<protocol>-<variant>-<seed>-shrunk.html)' },
      'max-states': {
        type: 'number',
        integer: true,
        min: 1,
        max: Number.MAX_SAFE_INTEGER,
        arg: 'N',
        help: `search budget of each candidate's history check in model steps (default ${DEFAULT_MAX_STATES}); deterministic, like the shrink budget`,
      },
      help,
      ...shrinkBudgetFlags,
      ...scenarioFlags,
    },
    exit: 'Exit code: 0 done (or the input does not fail: nothing to shrink), 2 bad usage or input.',
  },
  replay: {
    usage: ['faultline replay <entry.json> [--quiet]', 'faultline replay <dir | entry.json>... [--json | --reporter junit] [--output FILE] [--strict]'],
    summary: 'replay a corpus entry (story, fingerprint), or every entry under a directory (the CI step)',
    about:
      'One entry: replays it bit for bit, prints its story and fingerprint, and whether the fingerprint\nmatches the recorded one; exit 1 while it still fails.\n' +
      'A directory (or several files): replays every entry under it, a line each, then a summary.\n' +
      'An entry of a correct-kind variant must pass: one that fails is a REGRESSION (exit 1). An entry\n' +
      'of a planted-bug variant must still fail as recorded (same first failing check): one that now\n' +
      'passes or fails differently is reported as STALE (exit 1 with --strict).',
    positionals: { min: 1, max: 100_000, name: 'entry.json | dir' },
    flags: {
      quiet: { type: 'boolean', help: 'one entry: print only the verdict line and the fingerprint (no story)' },
      json: { type: 'boolean', help: "one JSON document: every entry's result and the summary" },
      reporter: { type: 'choice', choices: () => ['junit'], arg: 'NAME', help: 'junit: JUnit XML, a testcase per entry, for CI dashboards' },
      output: { type: 'string', arg: 'FILE', help: 'write the --json / junit report to FILE (the lines still go to stdout)' },
      strict: { type: 'boolean', help: 'planted-bug entries that no longer fail as recorded also exit 1' },
      report: { type: 'boolean', help: 'one entry: also write an HTML report of the replay (out/<entry>.html)' },
      help,
    },
    exit: 'Exit code: one entry: 1 it still fails, 0 it now passes. A directory: 1 a regression, 2 an\nunreadable entry, 3 a check ran out of budget, 0 otherwise. 2 bad usage or a bad corpus file.',
  },
  report: {
    usage: ['faultline report <run dir | summary.json | entry.json> [-o report.html]'],
    summary: 'one self-contained HTML report: message diagram, client timeline, what broke',
    about:
      "Writes one self-contained HTML file (no network, opens from disk): the message diagram, the\nclient timeline, what went wrong (the op that cannot be linearized and the longest linearizable\nprefix, or the causal past of a broken invariant), the run's summary and figures. A run directory\nis what 'faultline run --out DIR' (or any failing run) writes; a corpus entry is replayed with a\ntrace first. 'run', 'replay', 'shrink' and 'explore' also take --report.",
    positionals: { min: 1, max: 1, name: 'run dir | summary.json | entry.json' },
    flags: {
      out: { type: 'string', short: 'o', arg: 'FILE', help: 'where to write it (default: report.html in the run directory, or out/<entry>.html for a corpus entry)' },
      help,
    },
    exit: 'Exit code: 0 written, 2 bad usage or input.',
  },
  list: {
    usage: ['faultline list [<protocol>]'],
    summary: 'every protocol (the project config\'s and the bundled ones) and variant: <protocol> <variant> <correct|bug>',
    positionals: { min: 0, max: 1, name: 'protocol' },
    flags: { help },
  },
  demo: {
    usage: ['faultline demo'],
    summary: 'explore a planted bug until it is found',
    about: 'Explores raft/stale-local-read over seeds 0..199, shrinks the first failure,\nsaves it under out/corpus/ and prints its story and replay command.',
    positionals: { min: 0, max: 0, name: '' },
    flags: { help },
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof commands;

/** What `parseFlags` gives: each flag given, typed by the table, and the positionals. */
export interface Parsed<C extends CommandName> {
  values: { -readonly [K in keyof (typeof commands)[C]['flags']]?: ValueOf<(typeof commands)[C]['flags'][K]> };
  positionals: string[];
}

/**
 * Parses a command's argv against the table; throws `UsageError` (one line) for an unknown flag,
 * a missing or malformed value, a value out of bounds, a flag given twice, or the wrong number of
 * positionals. `--help` skips the positional count.
 *
 * @example
 * parseFlags('run', ['abd', '--nodes', '3']).values.nodes; // 3
 * parseFlags('run', ['abd', '--nodes', '-1']); // throws: --nodes takes a whole number from 1 to 100, got '-1'
 */
export function parseFlags<C extends CommandName>(command: C, argv: readonly string[]): Parsed<C> {
  const spec: CommandSpec = commands[command];
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = lookupFlag(spec, command, eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg);
    const flag = spec.flags[name];
    if (Object.hasOwn(values, name)) throw new UsageError(`--${name} is given twice: give it once (faultline ${command} --help)`);
    if (flag.type === 'boolean') {
      if (eq > 0 && arg.startsWith('--')) throw new UsageError(`--${name} takes no value, got '${clip(arg.slice(eq + 1))}'`);
      values[name] = true;
      continue;
    }
    let text: string;
    if (eq > 0 && arg.startsWith('--')) text = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value: ${takes(flag)}`);
      // `--nodes -1` is a bad value for --nodes; `--out --json` is a forgotten value (`--out=--x` says it is meant).
      if (next.startsWith('--')) throw new UsageError(`--${name} needs a value (${takes(flag)}), got the option ${clip(next)}`);
      text = next;
      i++;
    }
    values[name] = convert(name, flag, text);
  }
  if (!values.help) {
    const p = spec.positionals;
    if (positionals.length < p.min || positionals.length > p.max) throw new UsageError(positionalProblem(command, spec, positionals));
  }
  return { values, positionals } as Parsed<C>;
}

function lookupFlag(spec: CommandSpec, command: string, given: string): string {
  if (given.startsWith('--')) {
    const name = given.slice(2);
    if (Object.hasOwn(spec.flags, name)) return name;
  } else {
    const short = given.slice(1);
    const hit = Object.entries(spec.flags).find(([, f]) => 'short' in f && f.short === short);
    if (hit && given.length === 2) return hit[0];
  }
  const near = nearest(given.replace(/^-+/, ''), Object.keys(spec.flags));
  throw new UsageError(`unknown option ${clip(given)} for faultline ${command}${near ? `: did you mean --${near}?` : ''} (faultline ${command} --help lists the options)`);
}

function positionalProblem(command: string, spec: CommandSpec, got: string[]): string {
  const p = spec.positionals;
  const shown = got.length ? got.slice(0, 3).map(clip).join(' ') + (got.length > 3 ? ' ...' : '') : 'none';
  if (p.max === 0) return `faultline ${command} takes no arguments, got ${shown} (faultline ${command} --help)`;
  if (got.length < p.min) return `faultline ${command} needs ${p.min === 1 && p.max === 1 ? 'one' : `at least ${p.min}`} <${p.name}> (usage: ${spec.usage[0]})`;
  return `faultline ${command} takes ${p.max === 1 ? 'one' : `at most ${p.max}`} <${p.name}>, got ${got.length}: ${shown} (usage: ${spec.usage[0]})`;
}

/** What a flag takes, for messages: "a whole number from 1 to 100". */
function takes(f: FlagSpec): string {
  switch (f.type) {
    case 'boolean':
      return 'no value';
    case 'number':
      return describeBound({ flag: '', min: f.min, max: f.max, integer: f.integer });
    case 'range':
      return `a range ${f.arg} of whole numbers from ${f.min} to ${f.max}`;
    case 'choice':
      return `one of ${f.choices().join(', ')}`;
    case 'dir':
      return 'a directory path';
    case 'json':
      return 'a JSON value';
    case 'nemesis':
      return `a comma-separated list of ${[...Object.keys(nemesisGroups), ...everyNemesisName].join(', ')}`;
    case 'duration':
      return 'a duration such as 60s, 10m, 1h or 1m30s';
    case 'shard':
      return "K/N (this machine's slice K of N, counting from 1)";
    case 'string':
      return `a ${f.arg.toLowerCase()}`;
  }
}

function convert(name: string, f: FlagSpec, text: string): unknown {
  const bad = (extra = ''): never => {
    throw new UsageError(`--${name} takes ${takes(f)}, got '${clip(text)}'${extra}`);
  };
  switch (f.type) {
    case 'number': {
      const ok = f.integer ? /^\d+$/.test(text) : /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text);
      const x = Number(text);
      if (!ok || !Number.isFinite(x) || x < f.min || x > f.max) bad();
      return x;
    }
    case 'range': {
      const m = /^(\d+)(?:\.\.(\d+))?$/.exec(text);
      if (!m) return bad(` (e.g. ${f.arg === 'A..B' ? '0..99' : '1..10'})`);
      const lo = Number(m[1]);
      const hi = Number(m[2] ?? m[1]);
      if (lo < f.min || hi > f.max) return bad();
      if (hi < lo) throw new UsageError(`--${name} ${clip(text)}: the range is empty (the second number must be >= the first)`);
      if (hi - lo > f.maxSpan) throw new UsageError(`--${name} ${clip(text)} spans ${hi - lo + 1} values, more than ${f.maxSpan + 1} (run it in parts)`);
      return { min: lo, max: hi };
    }
    case 'choice':
      if (!f.choices().includes(text)) bad();
      return text;
    case 'dir':
      return checkDir(name, text);
    case 'json':
      return parseJsonFlag(name, text);
    case 'nemesis':
      try {
        return parseNemesis(text);
      } catch (e) {
        throw new UsageError(`--${name}: ${(e as Error).message}`);
      }
    case 'duration': {
      const ms = parseDuration(text);
      if (typeof ms === 'string') throw new UsageError(ms);
      if (ms > f.maxMs) throw new UsageError(`--${name} ${clip(text)} is longer than ${f.maxMs / 3_600_000} h: give a shorter budget`);
      return ms;
    }
    case 'shard': {
      const shard = parseShard(text);
      if (typeof shard === 'string') throw new UsageError(shard);
      return shard;
    }
    case 'string':
      if (text.length === 0 || text.length > 1000) bad();
      return text;
    case 'boolean':
      return true;
  }
}

/**
 * A directory to write into: the path and its nearest existing ancestor must be directories.
 *
 * @example
 * checkDir('out', 'out'); // 'out', or throws when ./out is a file
 */
export function checkDir(name: string, text: string): string {
  if (text.length === 0 || text.includes('\0')) throw new UsageError(`--${name} takes a directory path, got '${clip(text)}'`);
  let p = resolve(text);
  for (let depth = 0; depth < 4096; depth++) {
    if (existsSync(p)) {
      if (!statSync(p).isDirectory()) {
        const what = p === resolve(text) ? `'${clip(text)}' is a file` : `'${clip(p)}' (in ${clip(text)}) is a file`;
        throw new UsageError(`--${name} takes a directory, but ${what} (give a directory path; a missing one is created)`);
      }
      return text;
    }
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return text;
}

function parseJsonFlag(name: string, text: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UsageError(`--${name} takes a JSON value (e.g. --${name} 0 or --${name} '""'), got '${clip(text)}'`);
  }
  let depth = 0;
  for (const ch of text) {
    if (ch === '[' || ch === '{') depth++;
    if (depth > 16) throw new UsageError(`--${name} takes a JSON value nested at most 16 deep`);
    if (ch === ']' || ch === '}') depth--;
  }
  return v;
}

/** A piece of user input fit for a one-line message. */
export function clip(text: string): string {
  const s = text.replace(/[\r\n\t]+/g, ' ');
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
}

function nearest(name: string, names: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const n of names) {
    const d = distance(name, n);
    if (d < bestD) [best, bestD] = [n, d];
  }
  return best;
}

/** Edit distance, for "did you mean" (names are short: the quadratic table is fine). */
function distance(a: string, b: string): number {
  if (a.length > 64) return Infinity;
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/**
 * The help of one command, generated from the table.
 *
 * @example
 * console.log(commandHelp('replay'));
 */
export function commandHelp(command: CommandName): string {
  const spec: CommandSpec = commands[command];
  const out = [...spec.usage.map((u, i) => (i === 0 ? `usage: ${u}` : `       ${u}`)), ''];
  if (spec.about) out.push(spec.about, '');
  const rows = Object.entries(spec.flags).map(([name, f]) => {
    const left = `--${name}${f.type === 'boolean' ? '' : ` ${f.arg}`}${'short' in f && f.short ? `, -${f.short}` : ''}`;
    const bounds =
      f.type === 'number' && f.max < Number.MAX_SAFE_INTEGER ? ` [${f.min}..${f.max}]` : f.type === 'choice' ? `: ${f.choices().join(' | ')}` : '';
    return [left, f.help + bounds, groups.find(([, g]) => Object.hasOwn(g, name) && g[name] === f)?.[0]] as const;
  });
  const width = Math.min(26, Math.max(...rows.map(([l]) => l.length)) + 2);
  let heading: string | undefined;
  for (const [left, text, group] of rows) {
    if (group !== undefined && group !== heading) out.push('', group);
    heading = group;
    const lines = wrap(text, 100 - width - 2);
    out.push(`  ${left.padEnd(width)}${left.length >= width ? `\n  ${' '.repeat(width)}` : ''}${lines[0]}`);
    for (const l of lines.slice(1)) out.push(`  ${' '.repeat(width)}${l}`);
  }
  if (spec.exit) out.push('', spec.exit);
  return out.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines;
}

/**
 * `faultline --help`: every command's usage and summary, from the table.
 *
 * @example
 * console.log(overviewHelp());
 */
export function overviewHelp(): string {
  const out = ['faultline: deterministic simulation testing for distributed protocols', '', 'Usage:'];
  for (const spec of Object.values(commands) as CommandSpec[]) {
    out.push(`  ${spec.usage[0]}`, `${' '.repeat(33)}${spec.summary}`);
  }
  // Maelstrom keeps Maelstrom's own flag names (so a Gossip Glomers command line works), so it parses them itself.
  out.push('  faultline maelstrom test -w WORKLOAD --bin PROGRAM [options] [-- ARGS...]', `${' '.repeat(33)}run an unmodified Maelstrom node program (any language; JavaScript in-process and deterministic)`);
  out.push('  faultline <command> --help     the options of one command', '  faultline --version            the version of faultline', '', protocolArgHelp, '');
  out.push('Exit codes: 0 every check held, 1 a violation was found, 2 bad usage or input, 3 undecided (budget), 70 internal error.');
  return out.join('\n');
}
