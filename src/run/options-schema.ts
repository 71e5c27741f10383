/**
 * The one table of scenario option bounds, and the schema built from it. The CLI's flag table
 * (`src/cli/flags.ts`), `validateOptions` (the API) and the corpus schema (`src/corpus/schema.ts`)
 * all read these bounds, so a limit is stated once. The bounds are sane upper limits: past them a
 * run would not fit in memory or time on one machine (1e23 ops, 100,000 nodes), or a timer would
 * overflow; each one is far above what a useful run needs.
 */
import Type, { type Static, type TInteger, type TNumber, type TSchema } from 'typebox';
import Value from 'typebox/value';
import { everyNemesisName } from '../faults/index.ts';
import type { ScenarioOptions } from './scenario.ts';

/** Inclusive bounds of one numeric scenario option and the CLI flag that sets it. */
export interface OptionBound {
  /** The CLI flag (without `--`) that sets it. */
  flag: string;
  min: number;
  max: number;
  integer: boolean;
}

const HOUR_MS = 3_600_000;

/**
 * Every numeric field of `ScenarioOptions`, with its bounds.
 *
 * @example
 * optionBounds.nodes; // { flag: 'nodes', min: 1, max: 100, integer: true }
 */
export const optionBounds = {
  nodes: { flag: 'nodes', min: 1, max: 100, integer: true },
  clients: { flag: 'clients', min: 1, max: 1000, integer: true },
  ops: { flag: 'ops', min: 0, max: 200_000, integer: true },
  healAtMs: { flag: 'heal-at', min: 0, max: HOUR_MS, integer: true },
  quietMs: { flag: 'quiet', min: 0, max: HOUR_MS, integer: true },
  faultIntervalMs: { flag: 'fault-interval', min: 1, max: HOUR_MS, integer: true },
  faultDurationMs: { flag: 'fault-duration', min: 1, max: HOUR_MS, integer: true },
  thinkMs: { flag: 'think', min: 0, max: HOUR_MS, integer: true },
  opTimeoutMs: { flag: 'op-timeout', min: 1, max: HOUR_MS, integer: true },
  latencyMinMs: { flag: 'latency', min: 0, max: 600_000, integer: true },
  latencyMaxMs: { flag: 'latency', min: 0, max: 600_000, integer: true },
  dropRate: { flag: 'drop', min: 0, max: 1, integer: false },
  dupRate: { flag: 'dup', min: 0, max: 1, integer: false },
  reorderRate: { flag: 'reorder', min: 0, max: 1, integer: false },
  maxSteps: { flag: 'max-steps', min: 1, max: 1_000_000_000, integer: true },
  pctDepth: { flag: 'pct-depth', min: 1, max: 64, integer: true },
} as const satisfies Record<string, OptionBound>;

export type BoundedOption = keyof typeof optionBounds;

/** At most this many faults may be planned (heal-at / fault-interval): a plan is held in memory. */
export const MAX_PLANNED_FAULTS = 100_000;

/** Longest protocol, variant or node name accepted anywhere. */
export const MAX_NAME_LENGTH = 200;

/** The schema of one bound: an integer or a finite number within [min, max]. */
export function boundSchema(b: OptionBound): TInteger | TNumber {
  return b.integer ? Type.Integer({ minimum: b.min, maximum: b.max }) : Type.Number({ minimum: b.min, maximum: b.max });
}

const nodeId = Type.String({ pattern: '^n[1-9][0-9]{0,5}$', description: 'a node id: n1, n2, ...' });

/** A per-link override (directed): latency and rates of the messages from `from` to `to`. */
export const LinkSchema = Type.Object(
  {
    from: nodeId,
    to: nodeId,
    latencyMinMs: Type.Optional(boundSchema(optionBounds.latencyMinMs)),
    latencyMaxMs: Type.Optional(boundSchema(optionBounds.latencyMaxMs)),
    dropRate: Type.Optional(boundSchema(optionBounds.dropRate)),
    dupRate: Type.Optional(boundSchema(optionBounds.dupRate)),
    reorderRate: Type.Optional(boundSchema(optionBounds.reorderRate)),
  },
  { additionalProperties: false },
);

/** Scenario options as plain data (what a corpus entry stores under `options`). */
export const ScenarioOptionsSchema = Type.Object(
  {
    protocol: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
    variant: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }),
    seed: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    nodes: boundSchema(optionBounds.nodes),
    clients: boundSchema(optionBounds.clients),
    ops: boundSchema(optionBounds.ops),
    nemesis: Type.Array(Type.Enum(everyNemesisName), { maxItems: everyNemesisName.length }),
    healAtMs: boundSchema(optionBounds.healAtMs),
    quietMs: boundSchema(optionBounds.quietMs),
    faultIntervalMs: boundSchema(optionBounds.faultIntervalMs),
    faultDurationMs: boundSchema(optionBounds.faultDurationMs),
    thinkMs: boundSchema(optionBounds.thinkMs),
    opTimeoutMs: boundSchema(optionBounds.opTimeoutMs),
    latencyMinMs: boundSchema(optionBounds.latencyMinMs),
    latencyMaxMs: boundSchema(optionBounds.latencyMaxMs),
    dropRate: boundSchema(optionBounds.dropRate),
    dupRate: boundSchema(optionBounds.dupRate),
    reorderRate: boundSchema(optionBounds.reorderRate),
    maxSteps: boundSchema(optionBounds.maxSteps),
    pctDepth: Type.Optional(boundSchema(optionBounds.pctDepth)),
    links: Type.Optional(Type.Array(LinkSchema, { maxItems: optionBounds.nodes.max * optionBounds.nodes.max })),
  },
  { additionalProperties: false },
);

export type ScenarioOptionsData = Static<typeof ScenarioOptionsSchema>;

/** How a bound reads in a message: "a whole number from 1 to 100". */
export function describeBound(b: OptionBound): string {
  if (!b.integer && b.min === 0 && b.max === 1) return 'a probability from 0 to 1';
  return `${b.integer ? 'a whole number' : 'a number'} from ${b.min} to ${b.max}`;
}

/**
 * The first schema violation of `value`, as one line naming the field (`where` prefixes it), or
 * undefined when it conforms. Numeric options are described by their bounds and flag.
 *
 * @example
 * schemaProblem(ScenarioOptionsSchema, { ...o, nodes: 1e23 }, 'options'); // 'options.nodes (--nodes) must be a whole number from 1 to 100, got 1e+23'
 */
export function schemaProblem(schema: TSchema, value: unknown, where: string): string | undefined {
  if (Value.Check(schema, value)) return undefined;
  const errors = [...Value.Errors(schema, value)];
  // The most useful error is the first one that is not a summary of others (anyOf) or a "false" schema.
  const e = errors.find((x) => x.keyword !== 'anyOf' && x.keyword !== 'boolean') ?? errors[0];
  if (e === undefined) return `${where} does not match the schema`;
  const path = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const at = where + path.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  const got = pointer(value, path);
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
    return `${at} has an unknown field ${JSON.stringify(extra[0])} (remove it; see corpus/schema.json)`;
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { requiredProperties?: string[] }).requiredProperties ?? [];
    return `${at} is missing the field ${JSON.stringify(missing[0])}`;
  }
  // A bound's message names its flag, for a scenario option or a link override of one.
  const full = [...where.split('.'), ...path];
  const last = full[full.length - 1];
  const isOption = full.length >= 2 && (full[full.length - 2] === 'options' || (full[full.length - 4] === 'options' && full[full.length - 3] === 'links'));
  const bound = isOption && Object.hasOwn(optionBounds, last) ? optionBounds[last as BoundedOption] : undefined;
  if (bound !== undefined && ['type', 'minimum', 'maximum'].includes(e.keyword)) {
    return `${at} (--${bound.flag}) must be ${describeBound(bound)}, got ${show(got)}`;
  }
  if (e.keyword === 'const' && path.length > 0) return `${at} must be ${JSON.stringify((e.params as { allowedValue?: unknown }).allowedValue)}, got ${show(got)}`;
  return `${at} ${e.message}, got ${show(got)}`;
}

function pointer(value: unknown, path: string[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** A value shown in a one-line message: short, and never a deep walk of it. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return `a ${typeof v}`;
}

/**
 * Checks what the schema cannot say: relations between fields (latency range, link nodes, plan
 * size). Returns the first problem as one line, or undefined.
 */
export function optionsRelationProblem(o: ScenarioOptionsData): string | undefined {
  if (o.latencyMaxMs < o.latencyMinMs) return `latency max (${o.latencyMaxMs} ms) must be >= latency min (${o.latencyMinMs} ms) (--latency MIN..MAX)`;
  const planned = o.nemesis.length === 0 ? 0 : Math.ceil(o.healAtMs / o.faultIntervalMs);
  if (planned > MAX_PLANNED_FAULTS) {
    return `--heal-at ${o.healAtMs} with --fault-interval ${o.faultIntervalMs} plans ${planned} faults, more than ${MAX_PLANNED_FAULTS} (raise --fault-interval or lower --heal-at)`;
  }
  for (const [i, l] of (o.links ?? []).entries()) {
    for (const id of [l.from, l.to]) {
      if (Number(id.slice(1)) > o.nodes) return `options.links[${i}] names node ${id}, but the cluster has ${o.nodes} nodes (n1..n${o.nodes})`;
    }
    const min = l.latencyMinMs ?? o.latencyMinMs;
    const max = l.latencyMaxMs ?? o.latencyMaxMs;
    if (max < min) return `options.links[${i}] latency max (${max} ms) must be >= its latency min (${min} ms)`;
  }
  return undefined;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time: the schema and the `ScenarioOptions` interface describe the same data. */
export type OptionsSchemaMatchesInterface = Assert<Same<ScenarioOptionsData, ScenarioOptions>>;
