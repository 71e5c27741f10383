/**
 * The regression corpus: one versioned JSON file per counterexample (or once-failing scenario),
 * under `corpus/<protocol>/<variant>-<seed>.json`. An entry is plain data (options, ops, faults,
 * the choice tape) plus what replaying it is expected to give. Loading one parses JSON and checks
 * every field; it never evaluates code.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ChoiceKind, type ChoiceTape } from '../kernel/choices.ts';
import { nemesisNames, type Fault } from '../nemesis/faults.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { writeAtomic } from '../run/output.ts';
import type { RunResult } from '../run/run.ts';
import { defaultScenario, nodeIds, validateOptions, type RunInput, type ScenarioOptions } from '../run/scenario.ts';
import type { PlannedOp } from '../workload/workload.ts';

export const CORPUS_VERSION = 2;

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
   * For a user's protocol (absent for bundled ones): its module, relative to the project root
   * (the directory of `faultline.config.*`, else of `package.json`, above the entry), and export.
   */
  module?: EntryModule;
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

/** Parses `encodeTape` text; throws a plain Error naming the bad token. */
export function decodeTape(text: string): ChoiceTape {
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
      throw new Error(`bad tape token '${tok}'`);
    }
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
 * entryModule('corpus/kv/lost-write-3.json', raw); // { path: './src/kv.ts' }
 */
export function entryModule(file: string, raw: unknown): EntryModule | undefined {
  const m = isObject(raw) ? raw.module : undefined;
  if (m === undefined) return undefined;
  const bad = () => {
    throw new CorpusError(file, 'field "module" must be { path: string, export?: string }', 'regenerate the entry with faultline shrink --save');
  };
  if (!isObject(m) || typeof m.path !== 'string' || m.path === '' || (m.export !== undefined && typeof m.export !== 'string')) bad();
  const mod = m as Record<string, unknown>;
  return { path: mod.path as string, ...(mod.export !== undefined ? { export: mod.export as string } : {}) };
}

/** Validates already-parsed JSON as an entry (see `loadEntry`). */
export function parseEntry(file: string, raw: unknown, protocols: readonly ProtocolDef[]): LoadedEntry {
  const bad = (problem: string, fix = 'regenerate the entry with faultline shrink --save'): never => {
    throw new CorpusError(file, problem, fix);
  };
  if (!isObject(raw)) bad('not a corpus entry: expected a JSON object');
  const e = raw as Record<string, unknown>;
  if (e.version !== CORPUS_VERSION) {
    bad(
      `unknown corpus version ${JSON.stringify(e.version)}: this faultline reads version ${CORPUS_VERSION}`,
      typeof e.version === 'number' && e.version > CORPUS_VERSION ? 'upgrade faultline' : 'regenerate the entry with faultline shrink --save',
    );
  }
  if (typeof e.protocol !== 'string') bad('field "protocol" must be a string');
  const protocol = protocols.find((p) => p.name === e.protocol);
  if (protocol === undefined) bad(`unknown protocol '${e.protocol}'`, `choose from ${protocols.map((p) => p.name).join(', ')}, or register it in protocols/index.ts`);
  if (typeof e.variant !== 'string' || !(e.variant in protocol!.variants)) {
    bad(`unknown variant ${JSON.stringify(e.variant)} of ${protocol!.name}`, `choose from ${Object.keys(protocol!.variants).join(', ')}`);
  }
  if (!Number.isSafeInteger(e.seed) || (e.seed as number) < 0) bad('field "seed" must be a non-negative integer');
  if (!isObject(e.options)) bad('field "options" must be an object');
  const o = e.options as Record<string, unknown>;
  for (const [k, v] of Object.entries(defaultScenario)) {
    if (Array.isArray(v) ? !Array.isArray(o[k]) : typeof o[k] !== typeof v) bad(`options.${k} is missing or not a ${Array.isArray(v) ? 'list' : typeof v}`);
  }
  if (o.protocol !== e.protocol || o.variant !== e.variant || o.seed !== e.seed) bad('options.protocol / variant / seed disagree with the entry');
  for (const n of o.nemesis as unknown[]) if (!(nemesisNames as readonly unknown[]).includes(n)) bad(`options.nemesis names an unknown nemesis ${JSON.stringify(n)}`);
  const options = o as unknown as ScenarioOptions;
  try {
    validateOptions(protocol!, options);
  } catch (err) {
    bad(`bad options: ${(err as Error).message}`);
  }
  const nodes = new Set(nodeIds(options.nodes));
  const ops = checkOps(e.ops, options, nodes, bad);
  const faults = checkFaults(e.faults, nodes, bad);
  if (!isObject(e.tape)) bad('field "tape" must be { length, choices }');
  const t = e.tape as Record<string, unknown>;
  if (!Number.isSafeInteger(t.length) || (t.length as number) < 0 || typeof t.choices !== 'string') bad('field "tape" must be { length: integer, choices: string }');
  let tape: ChoiceTape;
  try {
    tape = decodeTape(t.choices as string);
  } catch (err) {
    return bad(`tape does not parse: ${(err as Error).message}`);
  }
  if (tape.values.length !== t.length) bad(`tape is truncated or padded: ${tape.values.length} choices, the entry says ${t.length}`);
  tape.causes?.forEach((cause, i) => {
    if (cause >= ops.length) bad(`tape choice ${i} belongs to op ${cause}, but the entry has ${ops.length} ops`);
  });
  const spread = options.latencyMaxMs - options.latencyMinMs;
  tape.values.forEach((v, i) => {
    const bound = tape.kinds[i] === ChoiceKind.latency ? spread + 1 : 2;
    if (v >= bound) bad(`tape choice ${i} (${KIND_LETTER[tape.kinds[i]]}${v}) is out of range (< ${bound})`);
  });
  if (!isObject(e.expected)) bad('field "expected" must be { status, failing? }');
  const x = e.expected as Record<string, unknown>;
  if (x.status === 'fail') {
    if (!Array.isArray(x.failing) || x.failing.length === 0 || !x.failing.every((f) => typeof f === 'string')) bad('expected.failing must be a non-empty list of checker names');
  } else if (x.status !== 'pass') bad(`expected.status must be 'fail' or 'pass', got ${JSON.stringify(x.status)}`);
  if (typeof e.fingerprint !== 'string' || !/^[0-9a-f]{16}$/.test(e.fingerprint)) bad('field "fingerprint" must be 16 hex digits');
  if (typeof e.createdBy !== 'string') bad('field "createdBy" must be a string');
  entryModule(file, e);
  const entry = e as unknown as CorpusEntry;
  return { file, entry, protocol: protocol!, input: { options, ops, faults, tape: tape! } };
}

/** Every `*.json` file under a corpus root, sorted (empty when the root does not exist). */
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
      else if (n.endsWith('.json')) out.push(p);
    }
  };
  walk(root);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkOps(v: unknown, o: ScenarioOptions, nodes: Set<string>, bad: (p: string) => never): PlannedOp[] {
  if (!Array.isArray(v)) bad('field "ops" must be a list');
  (v as unknown[]).forEach((op, i) => {
    if (!isObject(op)) bad(`ops[${i}] must be an object`);
    const p = op as Record<string, unknown>;
    if (!Number.isInteger(p.client) || (p.client as number) < 0 || (p.client as number) >= o.clients) bad(`ops[${i}].client must be an integer in [0, ${o.clients})`);
    if (typeof p.node !== 'string' || !nodes.has(p.node)) bad(`ops[${i}].node must name one of ${[...nodes].join(', ')}`);
    if (!Number.isInteger(p.thinkMs) || (p.thinkMs as number) < 0) bad(`ops[${i}].thinkMs must be a whole number >= 0`);
    if (typeof p.f !== 'string') bad(`ops[${i}].f must be a string`);
    if (!('value' in p)) bad(`ops[${i}].value is missing`);
    if (p.key !== undefined && typeof p.key !== 'string') bad(`ops[${i}].key must be a string`);
  });
  return v as PlannedOp[];
}

function checkFaults(v: unknown, nodes: Set<string>, bad: (p: string) => never): Fault[] {
  if (!Array.isArray(v)) bad('field "faults" must be a list');
  (v as unknown[]).forEach((f, i) => {
    if (!isObject(f)) bad(`faults[${i}] must be an object`);
    const x = f as Record<string, unknown>;
    const node = (k: string) => {
      if (typeof x[k] !== 'string' || !nodes.has(x[k] as string)) bad(`faults[${i}].${k} must name one of ${[...nodes].join(', ')}`);
    };
    const num = (k: string, min = 0) => {
      if (typeof x[k] !== 'number' || !Number.isFinite(x[k]) || (x[k] as number) < min) bad(`faults[${i}].${k} must be a number >= ${min}`);
    };
    num('atMs');
    num('durationMs');
    switch (x.kind) {
      case 'partition':
        if (typeof x.label !== 'string') bad(`faults[${i}].label must be a string`);
        if (!Array.isArray(x.cut) || !x.cut.every((l) => Array.isArray(l) && l.length === 2 && l.every((n) => typeof n === 'string' && nodes.has(n)))) {
          bad(`faults[${i}].cut must be a list of [from, to] node pairs`);
        }
        break;
      case 'crash':
      case 'pause':
        node('node');
        break;
      case 'clock':
        node('node');
        if (typeof x.offsetMs !== 'number' || !Number.isFinite(x.offsetMs)) bad(`faults[${i}].offsetMs must be a number`);
        if (typeof x.rate !== 'number' || !((x.rate as number) > 0)) bad(`faults[${i}].rate must be a number > 0`);
        if (x.strobeMs !== undefined) num('strobeMs', 1);
        break;
      case 'loss':
      case 'dup':
        if (typeof x.rate !== 'number' || !((x.rate as number) >= 0 && (x.rate as number) <= 1)) bad(`faults[${i}].rate must be a probability`);
        break;
      case 'clog':
        node('from');
        node('to');
        break;
      default:
        bad(`faults[${i}].kind ${JSON.stringify(x.kind)} is not a known fault kind`);
    }
  });
  return v as Fault[];
}
