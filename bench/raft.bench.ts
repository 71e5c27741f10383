/**
 * Raft figures: seeds per second of the correct variant (5 nodes, 200 client ops, every nemesis,
 * all checks), the same without checks (simulation only), and for every planted bug under its
 * knobs (`RAFT_BUG_KNOBS`): how often a seed fails, the first failing seed, the median number of
 * seeds from a start point to the next failure, and which checkers fail. Prints, never asserts.
 *
 *   npx tsx bench/raft.bench.ts [seedsForSpeed=200] [seedsPerBug=1000]
 */
import { raft, RAFT_BUG_KNOBS } from '../protocols/raft/index.ts';
import type { ProtocolDef } from '../src/run/protocol.ts';
import { runScenario } from '../src/run/run.ts';
import { resolveOptions, type ScenarioOptions } from '../src/run/scenario.ts';

const speedSeeds = Number(process.argv[2] ?? 200);
const bugSeeds = Number(process.argv[3] ?? 1000);

async function speed(protocol: ProtocolDef, label: string): Promise<void> {
  const t0 = performance.now();
  let steps = 0;
  for (let seed = 0; seed < speedSeeds; seed++) {
    const r = await runScenario(protocol, { options: resolveOptions(protocol, { seed }) });
    steps += r.sim.stats.steps;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`${label}: ${speedSeeds} seeds in ${s.toFixed(2)} s = ${(speedSeeds / s).toFixed(1)} seeds/s (${Math.round(steps / speedSeeds)} events/seed)`);
}

async function bug(variant: string, knobs: Partial<ScenarioOptions>): Promise<void> {
  const failing: number[] = [];
  const checkers = new Map<string, number>();
  const t0 = performance.now();
  for (let seed = 0; seed < bugSeeds; seed++) {
    const r = await runScenario(raft, { options: resolveOptions(raft, { seed, variant, ...knobs }) });
    if (r.status !== 'fail') continue;
    failing.push(seed);
    for (const c of r.failing) checkers.set(c, (checkers.get(c) ?? 0) + 1);
  }
  // Seeds to the first failure from each start 0, 1, ..., counting the failing seed itself
  // (starts past the last failure are left out): its median is the typical search length.
  const gaps: number[] = [];
  let next = 0;
  for (let start = 0; start < bugSeeds && next < failing.length; start++) {
    while (next < failing.length && failing[next] < start) next++;
    if (next < failing.length) gaps.push(failing[next] - start + 1);
  }
  gaps.sort((a, b) => a - b);
  const median = gaps.length ? gaps[Math.floor(gaps.length / 2)] : undefined;
  const s = (performance.now() - t0) / 1000;
  console.log(
    `${variant.padEnd(24)} knobs ${JSON.stringify(knobs)}\n${''.padEnd(24)} ${failing.length}/${bugSeeds} seeds fail; first ${failing[0] ?? 'none'}; ` +
      `median seeds to first failure ${median ?? '-'}; checkers ${JSON.stringify(Object.fromEntries(checkers))} (${(bugSeeds / s).toFixed(0)} seeds/s)`,
  );
}

const bare: ProtocolDef = { ...raft, checkers: () => [], observers: undefined, liveness: undefined };
await speed(raft, 'raft correct, all checks     ');
await speed(bare, 'raft correct, simulation only');
for (const [variant, knobs] of Object.entries(RAFT_BUG_KNOBS)) await bug(variant, knobs);
