import type { ScenarioOptions } from '../run/scenario.ts';
import { UsageError, type Parsed, type Range } from './flags.ts';

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
    pctDepth: v['pct-depth'],
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
  add('pct-depth', o.pctDepth, defaults.pctDepth);
  return out;
}
