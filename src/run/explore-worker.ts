import { parentPort } from 'node:worker_threads';
import { exploreSeed, type ProtocolRef } from './explore.ts';
import type { ScenarioOptions } from './scenario.ts';

/** One seed per message: run it, answer with its report (or the harness error that stopped it). */
parentPort!.on('message', async (msg: { protocol: ProtocolRef; options: ScenarioOptions; checkDeterminism: boolean }) => {
  try {
    parentPort!.postMessage({ report: await exploreSeed(msg.protocol, msg.options, msg.checkDeterminism) });
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
