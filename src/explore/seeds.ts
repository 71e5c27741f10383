/**
 * Which seeds a sweep runs: an explicit list, or a range `from..to` (`to` absent: endless, for a
 * time budget) sliced into shards. Shard K of N (1-based) takes the seeds s with s mod N = K - 1:
 * shards are disjoint, their union is the whole range, and each stays in seed order.
 */
export type SeedPlan = { list: readonly number[] } | { from: number; to?: number; shard: Shard };

/** `--shard K/N`: this is slice `index` (1..count) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 1, count: 1 };

/**
 * The i-th seed of a plan (0-based), or undefined past its end.
 *
 * @example
 * seedAt({ from: 0, to: 99, shard: { index: 2, count: 4 } }, 0); // 1 (then 5, 9, ...)
 */
export function seedAt(plan: SeedPlan, i: number): number | undefined {
  if ('list' in plan) return plan.list[i];
  const first = firstOfShard(plan.from, plan.shard);
  const seed = first + i * plan.shard.count;
  const last = plan.to ?? Number.MAX_SAFE_INTEGER;
  return seed <= last ? seed : undefined;
}

/**
 * How many seeds a plan holds (Infinity for an endless one).
 *
 * @example
 * planSize({ from: 0, to: 9, shard: { index: 1, count: 3 } }); // 4 (0, 3, 6, 9)
 */
export function planSize(plan: SeedPlan): number {
  if ('list' in plan) return plan.list.length;
  if (plan.to === undefined) return Infinity;
  const first = firstOfShard(plan.from, plan.shard);
  return first > plan.to ? 0 : Math.floor((plan.to - first) / plan.shard.count) + 1;
}

function firstOfShard(from: number, shard: Shard): number {
  const want = shard.index - 1;
  return from + ((((want - from) % shard.count) + shard.count) % shard.count);
}

/**
 * Parses `--shard K/N` (1 <= K <= N), or returns the reason it is wrong.
 *
 * @example
 * parseShard('2/4'); // { index: 2, count: 4 }
 */
export function parseShard(text: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return `--shard takes K/N (this machine's slice K of N, counting from 1), got '${text}'`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 1_000_000) return `--shard ${text}: N must be between 1 and 1000000`;
  if (index < 1 || index > count) return `--shard ${text}: K counts from 1 to N (${count}), e.g. --shard 1/${count}`;
  return { index, count };
}

/**
 * Parses a time budget: `90s`, `10m`, `1h`, `1m30s` (or plain seconds); returns ms or the reason.
 *
 * @example
 * parseDuration('10m'); // 600000
 */
export function parseDuration(text: string): number | string {
  const t = text.trim();
  const whole = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  const ms = /^\d+$/.test(t) ? Number(t) * 1000 : whole && t !== '' ? (Number(whole[1] ?? 0) * 3600 + Number(whole[2] ?? 0) * 60 + Number(whole[3] ?? 0)) * 1000 : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) return `--time takes a duration such as 60s, 10m, 1h or 1m30s, got '${text}'`;
  return ms;
}
