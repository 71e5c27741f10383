import type { ScenarioOptions } from '../run/scenario.ts';
import { commandHelp, parseFlags, UsageError, type Parsed, type Range } from './flags.ts';

export { UsageError };

/**
 * Turns parsed scenario flags (already type- and bound-checked by the flag table) into scenario
 * options: only those given.
 *
 * @example
 * scenarioFromFlags(parseFlags('run', ['abd', '--nodes', '3']).values); // { nodes: 3 }
 */
export function scenarioFromFlags(v: Parsed<'run'>['values'] | Parsed<'shrink'>['values']): Partial<ScenarioOptions> {
  const latency: Range | undefined = v.latency;
  const out: Partial<ScenarioOptions> = {
    variant: v.variant,
    nodes: v.nodes,
    clients: v.clients,
    ops: v.ops,
    nemesis: v.nemesis,
    healAtMs: v['heal-at'],
    quietMs: v.quiet,
    faultIntervalMs: v['fault-interval'],
    faultDurationMs: v['fault-duration'],
    thinkMs: v.think,
    opTimeoutMs: v['op-timeout'],
    maxSteps: v['max-steps'],
    dropRate: v.drop,
    dupRate: v.dup,
    reorderRate: v.reorder,
    latencyMinMs: latency?.min,
    latencyMaxMs: latency?.max,
  };
  return Object.fromEntries(Object.entries(out).filter(([, x]) => x !== undefined));
}

/** The seeds of `--seed N` / `--seeds A..B` (default: seed 0). */
export function seedsFromFlags(seed: number | undefined, seeds: Range | undefined): number[] {
  if (seed !== undefined && seeds !== undefined) throw new UsageError('give either --seed N or --seeds A..B, not both');
  if (seeds !== undefined) return Array.from({ length: seeds.max - seeds.min + 1 }, (_, i) => seeds.min + i);
  return [seed ?? 0];
}

/** The flags that reproduce these options, leaving out those equal to the defaults. */
export function flagsFor(o: ScenarioOptions, defaults: ScenarioOptions): string[] {
  const out: string[] = [];
  const add = (flag: string, v: unknown, d: unknown) => {
    if (JSON.stringify(v) !== JSON.stringify(d)) out.push(`--${flag}`, String(v));
  };
  add('variant', o.variant, defaults.variant);
  add('nodes', o.nodes, defaults.nodes);
  add('clients', o.clients, defaults.clients);
  add('ops', o.ops, defaults.ops);
  if (JSON.stringify(o.nemesis) !== JSON.stringify(defaults.nemesis)) {
    out.push('--nemesis', o.nemesis.length ? o.nemesis.join(',') : 'none');
  }
  if (o.latencyMinMs !== defaults.latencyMinMs || o.latencyMaxMs !== defaults.latencyMaxMs) {
    out.push('--latency', `${o.latencyMinMs}..${o.latencyMaxMs}`);
  }
  add('drop', o.dropRate, defaults.dropRate);
  add('dup', o.dupRate, defaults.dupRate);
  add('reorder', o.reorderRate, defaults.reorderRate);
  add('heal-at', o.healAtMs, defaults.healAtMs);
  add('quiet', o.quietMs, defaults.quietMs);
  add('fault-interval', o.faultIntervalMs, defaults.faultIntervalMs);
  add('fault-duration', o.faultDurationMs, defaults.faultDurationMs);
  add('think', o.thinkMs, defaults.thinkMs);
  add('op-timeout', o.opTimeoutMs, defaults.opTimeoutMs);
  add('max-steps', o.maxSteps, defaults.maxSteps);
  return out;
}

/**
 * The scenario flags in node:util `parseArgs` form, for a command that still parses its own
 * flags (`explore`); `scenarioFromStrings` checks their values through the flag table, so the
 * bounds stay in one place. (Bridge until `explore` has its entry in the table.)
 */
export const scenarioFlags = {
  variant: { type: 'string' },
  nodes: { type: 'string' },
  clients: { type: 'string' },
  ops: { type: 'string' },
  nemesis: { type: 'string' },
  latency: { type: 'string' },
  drop: { type: 'string' },
  dup: { type: 'string' },
  reorder: { type: 'string' },
  'heal-at': { type: 'string' },
  quiet: { type: 'string' },
  'fault-interval': { type: 'string' },
  'fault-duration': { type: 'string' },
  think: { type: 'string' },
  'op-timeout': { type: 'string' },
  'max-steps': { type: 'string' },
} as const;

/** The scenario flags' help, generated from the flag table. */
export const scenarioHelp = `Scenario options:\n${commandHelp('run')
  .split('\n')
  .filter((l) => Object.keys(scenarioFlags).some((k) => l.trimStart().startsWith(`--${k} `)))
  .join('\n')}`;

/**
 * Scenario options from scenario flags given as strings, each checked against the flag table
 * (one `UsageError` line naming the flag when a value is out of bounds).
 *
 * @example
 * scenarioFromStrings({ nodes: '3' }); // { nodes: 3 }
 */
export function scenarioFromStrings(values: Record<string, unknown>): Partial<ScenarioOptions> {
  const argv = ['scenario'];
  for (const k of Object.keys(scenarioFlags)) {
    const v = values[k];
    if (typeof v === 'string') argv.push(`--${k}=${v}`);
  }
  return scenarioFromFlags(parseFlags('shrink', argv).values);
}
