/**
 * The one schema of a corpus entry (version 2), in TypeBox. A TypeBox schema *is* JSON Schema, so
 * `corpus/schema.json` is this object written out (`npm run corpus:schema`; a test keeps it in
 * sync) and editors and other tools validate entries with the very rules the loader applies.
 * What JSON Schema cannot say (ops' clients and nodes within the cluster, op values as bounded
 * plain data, tape causes within the ops) is checked by `entryProblem` after the schema.
 */
import Type, { type Static, type TSchema } from 'typebox';
import {
  LinkSchema,
  MAX_NAME_LENGTH,
  optionBounds,
  optionsRelationProblem,
  schemaProblem,
  ScenarioOptionsSchema,
  show,
} from '../run/options-schema.ts';

import { MAX_FAULT_SEED } from '../faults/byzantine.ts';
import { MAX_CHURN_MS } from '../faults/churn.ts';
import type { Fault } from '../faults/index.ts';
import type { PlannedOp } from '../workload/workload.ts';

export const CORPUS_VERSION = 2;

const HOUR_MS = 3_600_000;
/** Op values are workload data (a number, a key/value pair): anything deeper is not one. */
export const MAX_VALUE_DEPTH = 16;
/** Elements in one op value, counted over its whole tree. */
export const MAX_VALUE_ELEMENTS = 10_000;
/** Keys that would reach an object's prototype chain when copied: never data. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** A tape holds one choice per network decision; a run makes at most max-steps of them. */
export const MAX_TAPE_LENGTH = 5_000_000;

const nodeId = Type.String({ pattern: '^n[1-9][0-9]{0,5}$', description: 'a node id: n1, n2, ...' });
const timeMs = Type.Number({ minimum: 0, maximum: HOUR_MS });
const rate = Type.Number({ minimum: 0, maximum: 1 });

/** One planned client op. `value` is plain JSON data (see MAX_VALUE_DEPTH). */
export const OpSchema = Type.Object(
  {
    client: Type.Integer({ minimum: 0, maximum: optionBounds.clients.max - 1 }),
    node: nodeId,
    thinkMs: Type.Integer({ minimum: 0, maximum: HOUR_MS }),
    f: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
    key: Type.Optional(Type.String({ maxLength: 10_000 })),
    value: Type.Unknown({
      description: `plain JSON data nested at most ${MAX_VALUE_DEPTH} deep, at most ${MAX_VALUE_ELEMENTS} elements, no "__proto__", "constructor" or "prototype" keys`,
    }),
  },
  { additionalProperties: false },
);

const faultTimes = { atMs: timeMs, durationMs: timeMs };
/** A Byzantine fault's own seed (its misbehaviour is drawn from it). */
const faultSeed = Type.Integer({ minimum: 0, maximum: MAX_FAULT_SEED });

/** Each fault kind's schema, by kind (the discriminant). */
export const FaultSchemas = {
  partition: Type.Object(
    {
      kind: Type.Literal('partition'),
      ...faultTimes,
      label: Type.String({ maxLength: 1000 }),
      cut: Type.Array(Type.Tuple([nodeId, nodeId]), { maxItems: optionBounds.nodes.max * optionBounds.nodes.max }),
    },
    { additionalProperties: false },
  ),
  crash: Type.Object({ kind: Type.Literal('crash'), ...faultTimes, node: nodeId }, { additionalProperties: false }),
  pause: Type.Object({ kind: Type.Literal('pause'), ...faultTimes, node: nodeId }, { additionalProperties: false }),
  clock: Type.Object(
    {
      kind: Type.Literal('clock'),
      ...faultTimes,
      node: nodeId,
      offsetMs: Type.Number({ minimum: -HOUR_MS, maximum: HOUR_MS }),
      rate: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
      strobeMs: Type.Optional(Type.Number({ minimum: 1, maximum: HOUR_MS })),
    },
    { additionalProperties: false },
  ),
  loss: Type.Object({ kind: Type.Literal('loss'), ...faultTimes, rate }, { additionalProperties: false }),
  dup: Type.Object({ kind: Type.Literal('dup'), ...faultTimes, rate }, { additionalProperties: false }),
  clog: Type.Object({ kind: Type.Literal('clog'), ...faultTimes, from: nodeId, to: nodeId }, { additionalProperties: false }),
  equivocate: Type.Object(
    {
      kind: Type.Literal('equivocate'),
      ...faultTimes,
      node: nodeId,
      side: Type.Array(nodeId, { minItems: 1, maxItems: optionBounds.nodes.max }),
      seed: faultSeed,
    },
    { additionalProperties: false },
  ),
  corrupt: Type.Object(
    { kind: Type.Literal('corrupt'), ...faultTimes, node: nodeId, percent: Type.Integer({ minimum: 1, maximum: 100 }), seed: faultSeed },
    { additionalProperties: false },
  ),
  replay: Type.Object(
    { kind: Type.Literal('replay'), ...faultTimes, node: nodeId, perSecond: Type.Integer({ minimum: 1, maximum: 1000 }), seed: faultSeed },
    { additionalProperties: false },
  ),
  silent: Type.Object({ kind: Type.Literal('silent'), ...faultTimes, node: nodeId }, { additionalProperties: false }),
  churn: Type.Union([
    Type.Object({ kind: Type.Literal('churn'), ...faultTimes, node: nodeId, leave: Type.Literal('crash') }, { additionalProperties: false }),
    Type.Object(
      { kind: Type.Literal('churn'), ...faultTimes, node: nodeId, leave: Type.Literal('graceful'), graceMs: Type.Integer({ minimum: 1, maximum: MAX_CHURN_MS }) },
      { additionalProperties: false },
    ),
  ]),
} as const;

const F = FaultSchemas;
export const FaultSchema = Type.Union([F.partition, F.crash, F.pause, F.clock, F.loss, F.dup, F.clog, F.equivocate, F.corrupt, F.replay, F.silent, F.churn]);

/** The choice tape as compact text (see `encodeTape`) and its length in choices. */
export const TapeSchema = Type.Object(
  {
    length: Type.Integer({ minimum: 0, maximum: MAX_TAPE_LENGTH }),
    choices: Type.String({ maxLength: 200_000_000, description: 'tokens <kind letter><value>@<cause>*<count>: see encodeTape' }),
  },
  { additionalProperties: false },
);

const FailSchema = Type.Object(
  {
    status: Type.Literal('fail'),
    failing: Type.Array(Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }), { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);
const PassSchema = Type.Object({ status: Type.Literal('pass') }, { additionalProperties: false });

/**
 * Which exploration strategy drew the run's options, and its parameters (for a `coverage` run:
 * its campaign, the kept run it mutated and how). A record for people and tools: the options are
 * stored whole, so a replay needs neither this nor any flag. Entries from before it lack it.
 */
export const StrategyRecordSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH, description: 'the strategy: random, swarm, coverage, ...' }),
    params: Type.Optional(
      Type.Record(Type.String({ maxLength: MAX_NAME_LENGTH }), Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()]), {
        maxProperties: 32,
        description: "the strategy's parameters for this run, as flat data",
      }),
    ),
  },
  { additionalProperties: false },
);

export type StrategyRecord = Static<typeof StrategyRecordSchema>;

/** A whole corpus entry. */
export const CorpusEntrySchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ maxLength: 1000 })),
    version: Type.Literal(CORPUS_VERSION),
    protocol: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
    /** For a user's protocol: its module, relative to the project root, and the export to take. */
    module: Type.Optional(
      Type.Object(
        {
          path: Type.String({ minLength: 1, maxLength: 4096, description: 'forward slashes, relative to the project root, e.g. ./src/kv.ts' }),
          export: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH })),
        },
        { additionalProperties: false },
      ),
    ),
    variant: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
    seed: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    options: ScenarioOptionsSchema,
    ops: Type.Array(OpSchema, { maxItems: optionBounds.ops.max }),
    faults: Type.Array(FaultSchema, { maxItems: 100_000 }),
    tape: TapeSchema,
    expected: Type.Union([FailSchema, PassSchema]),
    fingerprint: Type.String({ pattern: '^[0-9a-f]{16}$' }),
    createdBy: Type.String({ maxLength: 10_000 }),
    /** The history-check budget the run was judged under, when not the default. */
    check: Type.Optional(Type.Object({ maxStates: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: false })),
    strategy: Type.Optional(StrategyRecordSchema),
  },
  { additionalProperties: false },
);

export type CorpusEntryData = Static<typeof CorpusEntrySchema>;

/**
 * The JSON Schema document of the corpus format, as written to `corpus/schema.json`.
 *
 * @example
 * writeFileSync('corpus/schema.json', corpusJsonSchemaText());
 */
export function corpusJsonSchemaText(): string {
  const doc = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `Faultline corpus entry, version ${CORPUS_VERSION}`,
    description: 'A replayable run: scenario options, planned ops and faults, the choice tape, and what replaying it gives. Generated from src/corpus/schema.ts by npm run corpus:schema.',
    ...CorpusEntrySchema,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/**
 * The first problem of an entry as one line (field path, what is wrong), or undefined when it is
 * a well-formed version-2 entry. Checks the schema, then what the schema cannot say.
 *
 * @example
 * entryProblem({ version: 2, protocol: 'abd' }); // 'entry is missing the field "variant"'
 */
export function entryProblem(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'not a corpus entry: expected a JSON object';
  const e = raw as Record<string, unknown>;
  // Discriminated unions give one clear error when checked by their discriminant.
  if (Array.isArray(e.faults)) {
    for (const [i, f] of e.faults.entries()) {
      const kind = (f as { kind?: unknown } | null)?.kind;
      if (typeof kind !== 'string' || !Object.hasOwn(FaultSchemas, kind)) {
        return `faults[${i}].kind ${show(kind)} is not a fault kind (one of ${Object.keys(FaultSchemas).join(', ')})`;
      }
      const p = unionProblem(FaultSchemas[kind as keyof typeof FaultSchemas], f, `faults[${i}]`);
      if (p) return p;
    }
  }
  const x = e.expected as { status?: unknown } | null;
  if (x !== null && typeof x === 'object' && x.status !== 'fail' && x.status !== 'pass') return `expected.status must be "fail" or "pass", got ${show(x.status)}`;
  const p = x !== null && typeof x === 'object' ? schemaProblem(x.status === 'fail' ? FailSchema : PassSchema, x, 'expected') : undefined;
  if (p) return p;
  const schema = schemaProblem(CorpusEntrySchema, raw, 'entry');
  if (schema) return schema.replace(/^entry\./, '');
  return relationProblem(raw as CorpusEntryData);
}

/**
 * `schemaProblem` for a schema that may be a union of objects told apart by literal fields (churn's
 * `leave`): checked against the branch the value's literals pick, since a union reports the first
 * branch's complaint ("unknown field graceMs" for a churn with a bad `leave`).
 */
function unionProblem(schema: TSchema, value: unknown, where: string): string | undefined {
  const branches = (schema as { anyOf?: TSchema[] }).anyOf;
  if (branches === undefined || value === null || typeof value !== 'object') return schemaProblem(schema, value, where);
  const v = value as Record<string, unknown>;
  const literals = (b: TSchema): Array<[string, unknown]> =>
    Object.entries((b as { properties?: Record<string, { const?: unknown }> }).properties ?? {}).filter(([, p]) => p.const !== undefined).map(([k, p]) => [k, p.const]);
  const picked = branches.filter((b) => literals(b).every(([k, c]) => v[k] === c));
  if (picked.length === 1) return schemaProblem(picked[0], value, where);
  // No branch (or several): name the literal field the branches differ in and its allowed values.
  const field = literals(branches[0]).find(([k, c]) => branches.some((b) => literals(b).some(([k2, c2]) => k2 === k && c2 !== c)))?.[0];
  if (field === undefined) return schemaProblem(schema, value, where);
  const allowed = branches.map((b) => JSON.stringify(literals(b).find(([k]) => k === field)?.[1])).join(' or ');
  return `${where}.${field} must be ${allowed}, got ${show(v[field])}`;
}

function relationProblem(e: CorpusEntryData): string | undefined {
  const o = e.options;
  if (o.protocol !== e.protocol || o.variant !== e.variant || o.seed !== e.seed) return 'options.protocol / variant / seed disagree with the entry';
  const options = optionsRelationProblem(o);
  if (options) return options;
  const known = (id: string) => Number(id.slice(1)) <= o.nodes;
  for (const [i, op] of e.ops.entries()) {
    if (op.client >= o.clients) return `ops[${i}].client ${op.client} is not one of the ${o.clients} clients (0..${o.clients - 1})`;
    if (!known(op.node)) return `ops[${i}].node ${op.node} is not in the cluster of ${o.nodes} nodes`;
    const v = valueProblem(op.value);
    if (v) return `ops[${i}].value${v}`;
  }
  for (const [i, f] of e.faults.entries()) {
    const ids = f.kind === 'partition' ? f.cut.flat() : f.kind === 'clog' ? [f.from, f.to] : 'node' in f ? [f.node] : [];
    const bad = ids.find((id) => !known(id));
    if (bad !== undefined) return `faults[${i}] names node ${bad}, but the cluster has ${o.nodes} nodes (n1..n${o.nodes})`;
  }
  return undefined;
}

/**
 * Why a value is not bounded plain JSON data (a suffix path and the problem), or undefined.
 * Iterative, so a value nested a million deep costs no stack.
 *
 * @example
 * valueProblem(JSON.parse('{"__proto__": 1}')); // ' has the key "__proto__" (...)'
 */
export function valueProblem(value: unknown, maxDepth = MAX_VALUE_DEPTH): string | undefined {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: value, depth: 0, path: '' }];
  let elements = 0;
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (++elements > MAX_VALUE_ELEMENTS) return ` has more than ${MAX_VALUE_ELEMENTS} elements (an op value is workload data: keep it small)`;
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'number' && !Number.isFinite(v)) return `${path} is not a finite number`;
      continue;
    }
    if (depth >= maxDepth) return `${path} is nested deeper than ${maxDepth} levels (an op value is workload data: keep it flat)`;
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, depth: depth + 1, path: `${path}[${i}]` }));
      continue;
    }
    for (const k of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(k)) return `${path} has the key ${JSON.stringify(k)}, which would reach the prototype of a copy (rename it)`;
      stack.push({ v: (v as Record<string, unknown>)[k], depth: depth + 1, path: `${path}.${k.slice(0, 40)}` });
    }
  }
  return undefined;
}

export { LinkSchema, ScenarioOptionsSchema };
export type { TSchema };

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time: the fault schemas describe exactly the `Fault` type the simulator runs. */
export type FaultSchemaMatchesType = Assert<Same<Static<typeof FaultSchema>, Fault>>;
/** Compile-time: a planned op as the schema reads it is a `PlannedOp`. */
export type OpSchemaMatchesType = Assert<Same<Static<typeof OpSchema>, PlannedOp>>;
