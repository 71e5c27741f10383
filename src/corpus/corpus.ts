/**
 * The regression corpus: one versioned JSON file per counterexample (or once-failing scenario),
 * under `corpus/<protocol>/<variant>-<seed>.json`. An entry is plain data (options, ops, faults,
 * the choice tape) plus what replaying it is expected to give. Loading one parses JSON and checks
 * every field; it never evaluates code.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ChoiceKind, type ChoiceTape } from '../kernel/choices.ts';
import { validateFaultPlan, type Fault } from '../faults/index.ts';
import { byzantineFOf, churnBoundsOf, type ProtocolDef } from '../run/protocol.ts';
import { writeAtomic } from '../run/output.ts';
import type { RunResult } from '../run/run.ts';
import { show } from '../run/options-schema.ts';
import { nodeIds, validateOptions, type RunInput, type ScenarioOptions } from '../run/scenario.ts';
import { CORPUS_VERSION, entryProblem, type StrategyRecord } from './schema.ts';
import type { PlannedOp } from '../workload/workload.ts';

export { CORPUS_VERSION };
export type { StrategyRecord };

/** What replaying an entry should give. */
export type Expected = { status: 'fail'; failing: string[] } | { status: 'pass' };

/** A corpus entry as stored (the tape in its compact text form). */
export interface CorpusEntry {
  version: typeof CORPUS_VERSION;
  protocol: string;
  variant: string;
  seed: number;
  options: ScenarioOptions;
  ops: PlannedOp[];
  faults: Fault[];
  /** `length` choices, encoded by `encodeTape`. */
  tape: { length: number; choices: string };
  expected: Expected;
  fingerprint: string;
  /** Which tool and command made it, for people. */
  createdBy: string;
  /**
   * The history-check budget the run was judged under, when not the default (`--max-states`):
   * a verdict can depend on it (`unknown` under a small one), so a replay uses it too.
   */
  check?: EntryCheck;
  /**
   * For a user's protocol (absent for bundled ones): its module relative to the project root
   * (the directory of `faultline.config.*`, else of `package.json`, above the entry), and export.
   */
  module?: EntryModule;
  /**
   * The exploration strategy that drew `options` and its parameters (absent in entries made before
   * it was recorded, and by `faultline run`/`shrink`). Informative: the options are stored whole.
   */
  strategy?: StrategyRecord;
}

/** The check settings an entry was judged under. */
export interface EntryCheck {
  /** History-check budget in model steps. */
  maxStates: number;
}

/** Where a user's protocol lives, as a corpus entry records it. */
export interface EntryModule {
  /** Forward slashes, relative to the project root, e.g. `./src/kv.ts`. */
  path: string;
  /** The export to take; absent: the default export, else the only protocol export. */
  export?: string;
}

/** A corpus file that cannot be used: names the file, the problem and how to fix it. */
export class CorpusError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${file}: ${problem} (${fix})`);
    this.name = 'CorpusError';
  }
}

const KIND_LETTER: Record<number, string> = { [ChoiceKind.drop]: 'd', [ChoiceKind.dup]: 'u', [ChoiceKind.latency]: 'l', [ChoiceKind.reorder]: 'r' };
const LETTER_KIND: Record<string, ChoiceKind> = { d: ChoiceKind.drop, u: ChoiceKind.dup, l: ChoiceKind.latency, r: ChoiceKind.reorder };

/**
 * A tape as compact text: one token per choice, `<kind letter><value>@<cause>` (d drop, u dup,
 * l latency, r reorder; value left out when 0; `@cause`, the op-plan index the decision belongs
 * to, left out for background decisions), runs of equal tokens written `<token>*<count>`, tokens
 * separated by spaces.
 *
 * @example
 * encodeTape({ values: [0, 0, 3, 1], kinds: [2, 2, 2, 0], causes: [-1, -1, 4, 4] }); // 'l*2 l3@4 d1@4'
 */
export function encodeTape(tape: ChoiceTape): string {
  const out: string[] = [];
  let i = 0;
  while (i < tape.values.length) {
    const cause = tape.causes?.[i] ?? -1;
    const tok = KIND_LETTER[tape.kinds[i]] + (tape.values[i] === 0 ? '' : String(tape.values[i])) + (cause < 0 ? '' : `@${cause}`);
    let j = i + 1;
    while (
      j < tape.values.length &&
      tape.kinds[j] === tape.kinds[i] &&
      tape.values[j] === tape.values[i] &&
      (tape.causes?.[j] ?? -1) === cause
    ) {
      j++;
    }
    out.push(j - i > 1 ? `${tok}*${j - i}` : tok);
    i = j;
  }
  return out.join(' ');
}

/** Parses `encodeTape` text, at most `maxLength` choices; throws a plain Error naming the bad token. */
export function decodeTape(text: string, maxLength = Number.MAX_SAFE_INTEGER): ChoiceTape {
  const values: number[] = [];
  const kinds: ChoiceKind[] = [];
  const causes: number[] = [];
  for (const tok of text.split(' ').filter((t) => t.length > 0)) {
    const m = /^([dulr])(\d*)(?:@(\d+))?(?:\*(\d+))?$/.exec(tok);
    if (!m) throw new Error(`bad tape token '${tok.slice(0, 20)}'`);
    const kind = LETTER_KIND[m[1]];
    const value = m[2] === '' ? 0 : Number(m[2]);
    const cause = m[3] === undefined ? -1 : Number(m[3]);
    const count = m[4] === undefined ? 1 : Number(m[4]);
    if (!Number.isSafeInteger(value) || !Number.isSafeInteger(cause) || !Number.isSafeInteger(count) || count < 1 || count > 10_000_000) {
      throw new Error(`bad tape token '${tok.slice(0, 20)}'`);
    }
    if (values.length + count > maxLength) throw new Error(`more than the ${maxLength} choices the entry says it has`);
    for (let k = 0; k < count; k++) {
      values.push(value);
      kinds.push(kind);
      causes.push(cause);
    }
  }
  return { values, kinds, causes };
}

/** Where an entry lives under a corpus root. */
export function entryPath(root: string, protocol: string, variant: string, seed: number): string {
  return join(root, protocol, `${variant}-${seed}.json`);
}

/** Builds an entry from a run input and the run it gave. */
export function makeEntry(
  input: RunInput & { ops: PlannedOp[]; faults: Fault[]; tape: ChoiceTape },
  r: RunResult,
  createdBy: string,
  module?: EntryModule,
  check?: EntryCheck,
  strategy?: StrategyRecord,
): CorpusEntry {
  const o = input.options;
  return {
    version: CORPUS_VERSION,
    protocol: o.protocol,
    variant: o.variant,
    seed: o.seed,
    options: o,
    ops: input.ops,
    faults: input.faults,
    tape: { length: input.tape.values.length, choices: encodeTape(input.tape) },
    expected: r.status === 'pass' ? { status: 'pass' } : { status: 'fail', failing: r.failing },
    fingerprint: r.sim.fingerprint,
    createdBy,
    ...(module ? { module } : {}),
    ...(check ? { check } : {}),
    ...(strategy ? { strategy } : {}),
  };
}

/** The entry as JSON text: one op / fault per line keeps diffs readable. */
export function entryJson(e: CorpusEntry): string {
  const lines = JSON.stringify({ ...e, ops: '@ops', faults: '@faults' }, null, 2).split('\n');
  const list = (xs: unknown[]) => (xs.length === 0 ? '[]' : `[\n${xs.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`);
  return (
    lines
      .join('\n')
      .replace('"@ops"', list(e.ops))
      .replace('"@faults"', list(e.faults)) + '\n'
  );
}

/** Writes an entry atomically (temp file, then rename); returns its path. */
export function saveEntry(root: string, e: CorpusEntry): string {
  const path = entryPath(root, e.protocol, e.variant, e.seed);
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, entryJson(e));
  return path;
}

/** A loaded, validated entry, ready to replay. */
export interface LoadedEntry {
  file: string;
  entry: CorpusEntry;
  protocol: ProtocolDef;
  input: RunInput & { ops: PlannedOp[]; faults: Fault[]; tape: ChoiceTape };
  /** The run settings to replay it under (its recorded check budget), for `runScenario`. */
  settings: { checkMaxStates?: number };
}

/**
 * Reads and validates a corpus file against the known protocols; throws CorpusError naming the
 * file and the problem.
 *
 * @example
 * const { protocol, input, entry } = loadEntry('corpus/abd/no-write-back-7.json', protocols);
 */
export function loadEntry(file: string, protocols: readonly ProtocolDef[]): LoadedEntry {
  return parseEntry(file, readEntryJson(file), protocols);
}

/** Reads a corpus file as JSON (not yet validated); throws CorpusError naming the file. */
export function readEntryJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CorpusError(file, `cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'check the path');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CorpusError(file, `not valid JSON: ${(e as Error).message}`, 'restore it from git or regenerate it with faultline shrink --save');
  }
  return raw;
}

/**
 * The `module` field of a raw entry, checked (undefined for a bundled protocol's entry).
 *
 * @example
 * entryModule('corpus/kv/lost-write-3.json', raw); // { path: './src/kv.ts', export: 'kv' }
 */
export function entryModule(file: string, raw: unknown): EntryModule | undefined {
  const m = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { module?: unknown }).module : undefined;
  if (m === undefined) return undefined;
  const mod = (m !== null && typeof m === 'object' ? m : {}) as { path?: unknown; export?: unknown };
  if (typeof mod.path !== 'string' || mod.path === '' || (mod.export !== undefined && (typeof mod.export !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(mod.export)))) {
    throw new CorpusError(file, 'field "module" must be { path: "./src/kv.ts", export?: "kv" }', 'regenerate the entry with faultline shrink --save');
  }
  return { path: mod.path, ...(mod.export !== undefined ? { export: mod.export as string } : {}) };
}

/** Validates already-parsed JSON as an entry (see `loadEntry`): the one schema, then the protocol and tape. */
export function parseEntry(file: string, raw: unknown, protocols: readonly ProtocolDef[]): LoadedEntry {
  const bad = (problem: string, fix = 'regenerate the entry with faultline shrink --save'): never => {
    throw new CorpusError(file, problem, fix);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) bad('not a corpus entry: expected a JSON object');
  const version = (raw as Record<string, unknown>).version;
  if (version !== CORPUS_VERSION) {
    bad(
      `unknown corpus version ${show(version)}: this faultline reads version ${CORPUS_VERSION}`,
      typeof version === 'number' && version > CORPUS_VERSION ? 'upgrade faultline' : 'regenerate the entry with faultline shrink --save',
    );
  }
  // The protocol and variant first: an entry for a protocol this project lacks says so, whatever else it holds.
  const named = raw as { protocol?: unknown; variant?: unknown };
  const protocol = typeof named.protocol === 'string' ? protocols.find((p) => p.name === named.protocol) : undefined;
  if (protocol === undefined) {
    return bad(`unknown protocol '${String(named.protocol).slice(0, 80)}'`, `choose from ${protocols.map((p) => p.name).join(', ')}, or register it in protocols/index.ts`);
  }
  if (typeof named.variant !== 'string' || !Object.hasOwn(protocol.variants, named.variant)) {
    bad(`unknown variant ${show(named.variant)} of ${protocol.name}`, `choose from ${Object.keys(protocol.variants).join(', ')}`);
  }
  const problem = entryProblem(raw);
  if (problem !== undefined) bad(problem, 'fix the field, or regenerate the entry with faultline shrink --save; the format is corpus/schema.json');
  const e = raw as CorpusEntry;
  const options = e.options;
  try {
    validateOptions(protocol, options);
  } catch (err) {
    bad(`bad options: ${(err as Error).message}`);
  }
  // Each fault kind's own check (its table entry) on top of the schema: the kind knows its rules.
  const nodes = new Set(nodeIds(options.nodes));
  const faultProblem = validateFaultPlan(e.faults, nodes, byzantineFOf(protocol, options.nodes), churnBoundsOf(protocol));
  if (faultProblem !== undefined) bad(faultProblem);
  if (e.tape.length > options.maxSteps * 4) bad(`tape has ${e.tape.length} choices, more than a run of ${options.maxSteps} steps can make`);
  let tape: ChoiceTape;
  try {
    tape = decodeTape(e.tape.choices, e.tape.length);
  } catch (err) {
    return bad(`tape does not parse: ${(err as Error).message}`);
  }
  if (tape.values.length !== e.tape.length) bad(`tape is truncated or padded: ${tape.values.length} choices, the entry says ${e.tape.length}`);
  const causes = tape.causes ?? [];
  for (let i = 0; i < causes.length; i++) {
    if (causes[i] >= e.ops.length) bad(`tape choice ${i} belongs to op ${causes[i]}, but the entry has ${e.ops.length} ops`);
  }
  const spread = Math.max(
    options.latencyMaxMs - options.latencyMinMs,
    ...(options.links ?? []).map((l) => (l.latencyMaxMs ?? options.latencyMaxMs) - (l.latencyMinMs ?? options.latencyMinMs)),
  );
  for (let i = 0; i < tape.values.length; i++) {
    const v = tape.values[i];
    const bound = tape.kinds[i] === ChoiceKind.latency ? spread + 1 : 2;
    if (v >= bound) bad(`tape choice ${i} (${KIND_LETTER[tape.kinds[i]]}${v}) is out of range (< ${bound})`);
  }
  entryModule(file, e);
  const settings = e.check === undefined ? {} : { checkMaxStates: e.check.maxStates };
  return { file, entry: e, protocol, input: { options, ops: e.ops, faults: e.faults, tape }, settings };
}

/** Every `*.json` entry under a corpus root, sorted (empty when the root does not exist); `schema.json` is the format, not an entry. */
export function listEntries(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.json') && n !== 'schema.json') out.push(p);
    }
  };
  walk(root);
  return out;
}
