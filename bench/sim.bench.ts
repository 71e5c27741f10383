/**
 * Simulator throughput (`npm run bench`). Prints figures; asserts nothing about time.
 * (a) ping-pong on 5 nodes, no faults: delivered messages per second of wall time, one core.
 * (b) the bundled ABD register under the full nemesis: events and seeds per second.
 */
import { abd } from '../protocols/abd/abd.ts';
import { PingPongNode, type Ball } from '../protocols/pingpong/pingpong.ts';
import { defaultNetConfig } from '../src/network/network.ts';
import type { NodeCtx } from '../src/node/api.ts';
import { runScenario } from '../src/run/run.ts';
import { resolveOptions } from '../src/run/scenario.ts';
import { Simulator } from '../src/sim/simulator.ts';

async function pingPong(virtualMs: number): Promise<{ delivered: number; ms: number; fingerprint: string }> {
  const sim = new Simulator({
    seed: 1,
    nodeCount: 5,
    create: (ctx) => new PingPongNode(ctx as NodeCtx<Ball>, 4),
    net: defaultNetConfig,
    clients: 1,
    ops: [],
    faults: [],
    healAtMs: virtualMs,
    quietMs: 0,
    opTimeoutMs: 100,
    maxSteps: 100_000_000,
  });
  // CPU time, not wall time: the machines are shared, and other processes' load should not count.
  const cpu0 = process.cpuUsage();
  const r = await sim.run();
  const cpu = process.cpuUsage(cpu0);
  return { delivered: r.stats.delivered, ms: (cpu.user + cpu.system) / 1000, fingerprint: r.fingerprint };
}

function best<T extends { ms: number }>(xs: T[]): T {
  return xs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

const warm = await pingPong(20_000);
const runs = [];
for (let i = 0; i < 7; i++) runs.push(await pingPong(1_000_000));
const pp = best(runs);
const fps = new Set(runs.map((r) => r.fingerprint));
console.log(`(a) ping-pong, 5 nodes, 20 balls in play, latency 1..10 ms, no faults`);
console.log(
  `    ${(pp.delivered / 1e6).toFixed(2)} M messages delivered in ${pp.ms.toFixed(0)} ms of CPU (best of 7; warm-up ${warm.delivered} msgs) = ` +
    `${((pp.delivered / pp.ms) * 1000 / 1e6).toFixed(2)} M delivered msgs per CPU-second; median ${(
      (runs.map((r) => (r.delivered / r.ms) * 1000).sort((a, b) => a - b)[3]) / 1e6
    ).toFixed(2)} M/s; fingerprints identical: ${fps.size === 1}`,
);

const seeds = 200;
let events = 0;
let messages = 0;
let faults = 0;
let failing = 0;
const cpu0 = process.cpuUsage();
for (let seed = 0; seed < seeds; seed++) {
  const r = await runScenario(abd, { options: resolveOptions(abd, { seed, nodes: 5 }) });
  events += r.sim.stats.steps;
  messages += r.sim.stats.messagesSent;
  faults += r.sim.stats.faults;
  if (r.status !== 'pass') failing++;
}
const cpu = process.cpuUsage(cpu0);
const s = (cpu.user + cpu.system) / 1e6;
console.log(`(b) abd/correct, 5 nodes, 5 clients, 200 ops, full nemesis, 1% loss/dup/reorder, with the linearizability check`);
console.log(
  `    ${seeds} seeds in ${s.toFixed(2)} CPU-seconds = ${(seeds / s).toFixed(1)} seeds/s, ${((events / s) / 1e3).toFixed(0)} k events/s, ` +
    `${((messages / s) / 1e3).toFixed(0)} k messages/s; ${(faults / seeds).toFixed(1)} faults/seed; ${failing} failing seeds`,
);
