// Transitional: the node:util parseArgs form of the scenario flags, still used by `faultline
// explore` until it parses through the flag table (src/cli/flags.ts) like every other command.
import { parseSeed } from '../kernel/rng.ts';
import { parseNemesis } from '../faults/index.ts';
import type { ScenarioOptions } from '../run/scenario.ts';

import { UsageError } from './flags.ts';

export { UsageError };

/** The scenario flags shared by `run`, `shrink` and friends, in `node:util` parseArgs form. */
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

export const scenarioHelp = `Scenario options:
  --variant NAME          protocol variant (see faultline list)
  --nodes N               cluster size
  --clients N             concurrent client processes
  --ops N                 client operations in total
  --nemesis LIST          comma-separated faults, or all | none | partitions | clocks | network | process
                          (partition-halves, partition-random-halves, partition-isolate, partition-ring,
                           partition-bridge, partition-asymmetric, crash, pause, clock-bump, clock-strobe,
                           clock-skew, loss-spike, dup-spike, clog)
  --latency MIN..MAX      message latency in ms, uniform (e.g. 1..10)
  --drop P  --dup P  --reorder P   per-message probabilities in [0, 1]
  --heal-at MS            faults happen before this virtual time, then everything heals
  --quiet MS              how long the run goes on after the heal
  --fault-interval MS  --fault-duration MS   mean gap between faults, mean fault length
  --think MS              mean pause between one client's ops
  --op-timeout MS         a client op with no answer by then completes as info
  --max-steps N           event budget per run`;

/** Turns parsed flag strings into scenario options (only those given), or throws UsageError. */
export function scenarioFromFlags(values: Record<string, string | boolean | undefined>): Partial<ScenarioOptions> {
  const out: Partial<ScenarioOptions> = {};
  const int = (flag: string): number | undefined => {
    const v = values[flag];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`--${flag} takes a whole number >= 0, got '${v}'`);
    return Number(v);
  };
  const prob = (flag: string): number | undefined => {
    const v = values[flag];
    if (v === undefined) return undefined;
    const x = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || !(x >= 0 && x <= 1)) {
      throw new UsageError(`--${flag} takes a probability between 0 and 1, got '${v}'`);
    }
    return x;
  };
  if (typeof values.variant === 'string') out.variant = values.variant;
  out.nodes = int('nodes');
  out.clients = int('clients');
  out.ops = int('ops');
  out.healAtMs = int('heal-at');
  out.quietMs = int('quiet');
  out.faultIntervalMs = int('fault-interval');
  out.faultDurationMs = int('fault-duration');
  out.thinkMs = int('think');
  out.opTimeoutMs = int('op-timeout');
  out.maxSteps = int('max-steps');
  out.dropRate = prob('drop');
  out.dupRate = prob('dup');
  out.reorderRate = prob('reorder');
  if (typeof values.latency === 'string') {
    const m = /^(\d+)(?:\.\.(\d+))?$/.exec(values.latency);
    if (!m) throw new UsageError(`--latency takes MIN..MAX in whole ms (e.g. 1..10), got '${values.latency}'`);
    out.latencyMinMs = Number(m[1]);
    out.latencyMaxMs = Number(m[2] ?? m[1]);
  }
  if (typeof values.nemesis === 'string') {
    try {
      out.nemesis = parseNemesis(values.nemesis);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return out;
}

/** Parses `--seed N` / `--seeds A..B` into a list of seeds (default: seed 0). */
export function seedsFromFlags(seed: unknown, seeds: unknown): number[] {
  if (seed !== undefined && seeds !== undefined) throw new UsageError('give either --seed N or --seeds A..B, not both');
  try {
    if (typeof seeds === 'string') {
      const m = /^(\d+)\.\.(\d+)$/.exec(seeds.trim());
      if (!m) throw new UsageError(`--seeds takes a range A..B of non-negative integers (e.g. 0..99), got '${seeds}'`);
      const a = parseSeed(m[1]);
      const b = parseSeed(m[2]);
      if (b < a) throw new UsageError(`--seeds ${seeds}: the range is empty (B must be >= A)`);
      return Array.from({ length: b - a + 1 }, (_, i) => a + i);
    }
    if (typeof seed === 'string') return [parseSeed(seed)];
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  return [0];
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
