/**
 * Which seeds a sweep runs: an explicit list, or a range `from..to` (`to` absent: endless, for a
 * time budget) sliced into shards. Shard K of N (1-based) takes the blocks of `blockSeeds`
 * consecutive seeds (default 1; blocks aligned at multiples of it) whose block number b = floor(s /
 * blockSeeds) has b mod N = K - 1: shards are disjoint, their union is the whole range, and each
 * stays in seed order. With blocks of one seed that is s mod N = K - 1; a feedback strategy
 * (`coverage`) slices by its campaigns, since a seed's scenario depends on its campaign's earlier seeds.
 */
export type SeedPlan = { list: readonly number[] } | { from: number; to?: number; shard: Shard; blockSeeds?: number };

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
 * seedAt({ from: 0, to: 99, shard: { index: 2, count: 4 }, blockSeeds: 10 }, 0); // 10 (then 11, ... 19, 50, ...)
 */
export function seedAt(plan: SeedPlan, i: number): number | undefined {
  if ('list' in plan) return plan.list[i];
  const block = plan.blockSeeds ?? 1;
  const first = firstOfShard(plan.from, plan.shard, block);
  // The first block may start part-way (at `from`); every later one is whole.
  const inFirst = block - (first % block);
  const seed = i < inFirst ? first + i : firstBlockAfter(first, block, plan.shard.count) + Math.floor((i - inFirst) / block) * block * plan.shard.count + ((i - inFirst) % block);
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
  const block = plan.blockSeeds ?? 1;
  const first = firstOfShard(plan.from, plan.shard, block);
  if (first > plan.to) return 0;
  const inFirst = Math.min(block - (first % block), plan.to - first + 1);
  const next = firstBlockAfter(first, block, plan.shard.count);
  if (next > plan.to) return inFirst;
  const stride = block * plan.shard.count;
  const wholeBlocks = Math.floor((plan.to - next) / stride);
  return inFirst + wholeBlocks * block + Math.min(block, plan.to - (next + wholeBlocks * stride) + 1);
}

/** The shard's first seed at or after `from`: in the first of its blocks that ends at or after `from`. */
function firstOfShard(from: number, shard: Shard, block: number): number {
  const want = shard.index - 1;
  const b = Math.floor(from / block);
  const mine = b + ((((want - b) % shard.count) + shard.count) % shard.count);
  return Math.max(from, mine * block);
}

/** The start of the shard's next block after the one holding `seed`. */
function firstBlockAfter(seed: number, block: number, count: number): number {
  return (Math.floor(seed / block) + count) * block;
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
