/**
 * Maelstrom throughput (`npm run bench:maelstrom`): messages per second (node-to-node plus
 * client-to-node, counted both ways) through 5 nodes of Faultline's example programs: broadcast
 * (tree4; each node gossips its whole set every 50 ms of its own clock, so messages grow) and echo
 * (small messages, clients only), in three settings measured in the same run:
 *
 * - in-process: the node in a `node:vm` context, fully simulated (virtual time costs nothing);
 * - process, unpaced: one child per node, virtual time moves as soon as the processes are quiet
 *   (timeScale = Infinity), so the figure is the harness's pipe-and-pace throughput (a node's own
 *   real-time gossip timer falls behind virtual time here, so broadcast may fail: not a test);
 * - process, real time: the default (virtual time never ahead of real time), as a user runs it.
 *
 * Wall-clock figures, best of 3; asserts nothing.
 */
import path from 'node:path';
import { defaultTest, type MaelstromTest } from '../src/maelstrom/def.ts';
import { runMaelstrom, type HostMode } from '../src/maelstrom/runner.ts';

const fixtures = path.resolve(import.meta.dirname, '../test/fixtures/maelstrom');
const base: MaelstromTest = { ...defaultTest, workload: 'broadcast', nodeCount: 5, timeLimitS: 5, rate: 100, concurrency: 10, latencyMs: 5, topology: 'tree4', finalWaitMs: 500, seed: 1 };

async function measure(mode: HostMode, timeScale: number, t: MaelstromTest): Promise<{ msgsPerS: number; msgs: number; seconds: number; status: string }> {
  const bin = path.join(fixtures, t.workload === 'echo' ? 'echo.js' : 'broadcast.js');
  let best = { msgsPerS: 0, msgs: 0, seconds: 0, status: '' };
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = await runMaelstrom(t, { bin, args: [], mode }, { process: { timeScale } });
    const seconds = (performance.now() - t0) / 1000;
    const msgs = r.net.serverMsgs + r.net.clientMsgs;
    if (msgs / seconds > best.msgsPerS) best = { msgsPerS: msgs / seconds, msgs, seconds, status: r.result.status };
  }
  return best;
}

console.log('| workload | mode | msgs | wall s | msgs/s | verdict |');
console.log('| --- | --- | ---: | ---: | ---: | --- |');
for (const workload of ['broadcast', 'echo']) {
  const test = { ...base, workload };
  const rows: Array<[string, Awaited<ReturnType<typeof measure>>]> = [];
  rows.push(['in-process', await measure('in-process', 1, { ...test, timeLimitS: 20 })]);
  rows.push(['process, unpaced', await measure('process', Infinity, { ...test, timeLimitS: 20 })]);
  rows.push(['process, real time', await measure('process', 1, { ...test, timeLimitS: 2 })]);
  for (const [name, m] of rows) console.log(`| ${workload} | ${name} | ${m.msgs} | ${m.seconds.toFixed(2)} | ${Math.round(m.msgsPerS)} | ${m.status} |`);
  console.log(`| ${workload} | in-process / process-unpaced | | | ${(rows[0][1].msgsPerS / rows[1][1].msgsPerS).toFixed(1)}x | |`);
}
