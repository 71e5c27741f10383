/**
 * HTML report cost (`npm run bench:report`). Prints figures; asserts nothing about time.
 * For a 200-op raft run under the full nemesis and a 100,000-op ping-pong run: the trace size,
 * the report's size, and the CPU time to build its data and render it (best of 3).
 */
import { getProtocol } from '../protocols/index.ts';
import { buildReportData } from '../src/report/data.ts';
import { renderReportHtml } from '../src/report/html.ts';
import { sourceFromRun } from '../src/report/source.ts';
import { runScenario } from '../src/run/run.ts';
import { resolveOptions, type ScenarioOptions } from '../src/run/scenario.ts';

async function measure(label: string, protocol: string, given: Partial<ScenarioOptions>): Promise<void> {
  const p = getProtocol(protocol);
  const r = await runScenario(p, { options: resolveOptions(p, given) }, { recordTrace: true });
  const source = sourceFromRun(r, 'bench');
  let bestMs = Infinity;
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    // CPU time, not wall time: the machines are shared.
    const cpu0 = process.cpuUsage();
    bytes = renderReportHtml(buildReportData(source)).length;
    const cpu = process.cpuUsage(cpu0);
    bestMs = Math.min(bestMs, (cpu.user + cpu.system) / 1000);
  }
  console.log(
    `${label}: ${r.ops.length} ops, ${r.sim.stats.messagesSent} messages, ${r.sim.trace.length} trace events -> report ${(bytes / 1e6).toFixed(2)} MB in ${bestMs.toFixed(0)} ms CPU`,
  );
}

await measure('raft 200 ops, full nemesis', 'raft', { seed: 1 });
await measure('ping-pong 100,000 ops, no faults', 'pingpong', { seed: 1, ops: 100_000, nemesis: [], healAtMs: 0, quietMs: 0, thinkMs: 5, dropRate: 0, dupRate: 0 });
