/**
 * A Maelstrom test as a Faultline protocol: `maelstromProtocol` wraps a node program (in-process
 * or as processes) and a workload into a `ProtocolDef`; `maelstromScenario` turns Maelstrom's
 * knobs (node count, rate, concurrency, time limit, latency, nemesis) into Faultline's scenario and
 * op plan, final phase included.
 */
import type { CheckerResult } from '../../checkers/result.ts';
import { nemesisGroups, nemesisNames, type NemesisName } from '../faults/index.ts';
import type { CheckingObserver, ProtocolDef } from '../run/protocol.ts';
import { defaultScenario, planFor, type RunInput, type ScenarioOptions } from '../run/scenario.ts';
import type { WorldView } from '../sim/simulator.ts';
import type { PlannedOp } from '../workload/workload.ts';
import { MaelstromHost, type ProgramFactory } from './host.ts';
import type { RunState } from './runstate.ts';
import { makeTopology } from './topology.ts';
import { workloadByName, type MaelstromWorkload } from './workloads.ts';

/** A Maelstrom test, in Maelstrom's terms. */
export interface MaelstromTest {
  workload: string;
  nodeCount: number;
  /** Seconds of main phase (Maelstrom's `--time-limit`). */
  timeLimitS: number;
  /** Client ops per second, all clients together. */
  rate: number;
  /** Client count (Maelstrom's `--concurrency`, `2n` already resolved). */
  concurrency: number;
  /** Mean one-way latency between nodes. */
  latencyMs: number;
  latencyDist: 'constant' | 'uniform';
  nemesis: NemesisName[];
  /** Mean seconds between nemesis faults. */
  nemesisIntervalS: number;
  topology: string;
  seed: number;
  /** A client gives up on an op after this long (recorded as `info`). */
  opTimeoutMs: number;
  /** Wait after the heal before the final reads, so the nodes can converge. */
  finalWaitMs: number;
  /** Transactional workloads: the consistency model (Maelstrom's `--consistency-models`). */
  consistency: string;
}

export const defaultTest: Omit<MaelstromTest, 'workload'> = {
  nodeCount: 5,
  timeLimitS: 10,
  rate: 10,
  concurrency: 10,
  latencyMs: 0,
  latencyDist: 'uniform',
  nemesis: [],
  nemesisIntervalS: 10,
  topology: 'grid',
  seed: 0,
  opTimeoutMs: 5000,
  finalWaitMs: 10_000,
  consistency: 'strict-serializable',
};

/** Maelstrom's nemesis names (and Faultline's extras) to Faultline's fault kinds. */
export const maelstromNemeses: Record<string, readonly NemesisName[]> = {
  // Two kinds, so that in a mix like partition,kill,pause each of the three comes up about as often.
  partition: ['partition-random-halves', 'partition-isolate'],
  kill: ['crash'],
  pause: ['pause'],
  clock: nemesisGroups.clocks,
  loss: ['loss-spike'],
  duplicate: ['dup-spike'],
  clog: ['clog'],
};

/**
 * Parses a `--nemesis` list (Maelstrom's names, or Faultline's), or throws listing the choices.
 *
 * @example
 * parseMaelstromNemesis('partition,kill'); // ['partition-halves', ..., 'crash']
 */
export function parseMaelstromNemesis(text: string): NemesisName[] {
  const out = new Set<NemesisName>();
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (raw in maelstromNemeses) maelstromNemeses[raw].forEach((n) => out.add(n));
    else if ((nemesisNames as readonly string[]).includes(raw)) out.add(raw as NemesisName);
    else throw new Error(`unknown nemesis '${raw}': choose from ${[...Object.keys(maelstromNemeses), ...nemesisNames].join(', ')}`);
  }
  return [...out];
}

/**
 * Scenario options for a test (Faultline's knobs, from Maelstrom's).
 *
 * @example
 * scenarioOf({ ...defaultTest, workload: 'echo' }).healAtMs; // 10000
 */
export function scenarioOf(t: MaelstromTest): ScenarioOptions {
  const ops = Math.max(1, Math.round(t.rate * t.timeLimitS));
  const thinkMs = Math.max(0, Math.round((t.concurrency / t.rate) * 1000));
  const [latencyMinMs, latencyMaxMs] = t.latencyDist === 'constant' ? [t.latencyMs, t.latencyMs] : [0, 2 * t.latencyMs];
  return {
    ...defaultScenario,
    protocol: 'maelstrom',
    variant: t.workload,
    seed: t.seed,
    nodes: t.nodeCount,
    clients: t.concurrency,
    ops,
    nemesis: t.nemesis,
    healAtMs: Math.round(t.timeLimitS * 1000),
    quietMs: 0,
    faultIntervalMs: Math.max(1, Math.round(t.nemesisIntervalS * 1000)),
    faultDurationMs: Math.max(1, Math.round(t.nemesisIntervalS * 1000)),
    thinkMs,
    opTimeoutMs: t.opTimeoutMs,
    latencyMinMs,
    latencyMaxMs,
    dropRate: 0,
    dupRate: 0,
    reorderRate: 0,
  };
}

/**
 * The op plan: the main phase drawn from the seed, then one final op per node (after the heal
 * and `finalWaitMs`) for workloads that have a final phase.
 *
 * @example
 * planOf(def, workloadByName('broadcast'), scenarioOf(test), 1000).at(-1); // a final read
 */
export function planOf(def: ProtocolDef, w: MaelstromWorkload, o: ScenarioOptions, finalWaitMs: number): PlannedOp[] {
  const ops = planFor(def, o);
  if (!w.finalOp) return ops;
  // A client's main-phase ops take at least the sum of its think times; its first final op waits
  // out the rest of the main phase (so it starts after the heal) plus the settle wait.
  const thinkSum = new Map<number, number>();
  for (const op of ops) thinkSum.set(op.client, (thinkSum.get(op.client) ?? 0) + op.thinkMs);
  const started = new Set<number>();
  for (let i = 0; i < o.nodes; i++) {
    const client = i % o.clients;
    const thinkMs = started.has(client) ? 0 : Math.max(0, o.healAtMs - (thinkSum.get(client) ?? 0)) + finalWaitMs;
    started.add(client);
    ops.push({ ...w.finalOp, client, node: `n${i + 1}`, thinkMs });
  }
  return ops;
}

/**
 * Judges the nodes' protocol conduct: malformed output, exits, and nodes that never answered init.
 *
 * @example
 * const conduct = new ProtocolConductObserver(); // an observer of the run; conduct.result() after it
 */
export class ProtocolConductObserver implements CheckingObserver {
  private view: WorldView | undefined;
  private run: RunState | undefined;

  observe(view: WorldView): void {
    this.view = view;
    if (this.run) return;
    for (const n of view.nodes) if (n.state instanceof MaelstromHost) this.run = n.state.run;
  }

  /** The run's shared state (messages, problems), once a node has been seen. */
  runState(): RunState | undefined {
    return this.run;
  }

  result(): CheckerResult {
    const run = this.run;
    const problems = run ? [...run.problems] : [];
    let count = run?.problemCount ?? 0;
    for (const n of this.view?.nodes ?? []) {
      const h = n.state;
      if (!(h instanceof MaelstromHost)) continue;
      if (!h.initOk) {
        count++;
        problems.push({ node: h.id, timeMs: this.view!.timeMs, line: '', problem: 'never answered init (no init_ok)' });
      }
      const partial = h.unterminatedOutput();
      if (partial !== undefined) {
        count++;
        problems.push({ node: h.id, timeMs: this.view!.timeMs, line: partial.slice(0, 300), problem: 'output without a final newline (never sent: a line ends with \\n)' });
      }
    }
    if (count === 0) return { checker: 'maelstrom-protocol', verdict: 'ok', summary: 'every node answered init and spoke the protocol' };
    const p = problems[0];
    const tail = run?.stderrTail.get(p.node)?.slice(-1)[0];
    return {
      checker: 'maelstrom-protocol',
      verdict: 'illegal',
      summary: `${count} protocol problem(s); first: ${p.node} at ${p.timeMs} ms: ${p.problem}${p.line ? ` in line ${JSON.stringify(p.line.slice(0, 120))}` : ''}${tail ? ` (last stderr: ${tail.slice(0, 160)})` : ''}`,
      details: { problems, count },
    };
  }
}

export interface ProtocolParts {
  workload: MaelstromWorkload;
  program: ProgramFactory;
  test: MaelstromTest;
  /** Extra observers (process mode: the one that kills and pauses processes). */
  observers?: () => CheckingObserver[];
  /** Told when the simulation is over and the history checks begin. */
  onChecking?: () => void;
}

/**
 * A Maelstrom test as a ProtocolDef: every Faultline node hosts the node program.
 *
 * @example
 * const def = maelstromProtocol({ workload: workloadByName('echo'), program: jsProgram('echo.js', []), test });
 * await runScenario(def, maelstromInput(def, test));
 */
export function maelstromProtocol(parts: ProtocolParts): ProtocolDef & { conduct: () => ProtocolConductObserver | undefined } {
  const { workload, program, test } = parts;
  const topology = workload.usesTopology ? makeTopology(test.topology, test.nodeCount) : undefined;
  let lastConduct: ProtocolConductObserver | undefined;
  return {
    name: 'maelstrom',
    description: `a Maelstrom node program under the ${workload.name} workload`,
    variants: { [workload.name]: { kind: 'correct', description: workload.description } },
    defaultVariant: workload.name,
    create: (ctx) => new MaelstromHost(ctx, { workload, program, topology, clients: test.concurrency, serviceLatencyMs: Math.max(1, test.latencyMs) }),
    workload: (rng, info) => workload.op(rng, info.opIndex),
    // Called once the simulation is over, just before the history checks.
    checkers: () => {
      parts.onChecking?.();
      return workload.checkers({ settleMs: test.finalWaitMs, consistency: test.consistency });
    },
    observers: () => {
      lastConduct = new ProtocolConductObserver();
      return [lastConduct, ...(parts.observers?.() ?? [])];
    },
    conduct: () => lastConduct,
  };
}

/**
 * The run input for a test: scenario options and the op plan with its final phase.
 *
 * @example
 * await runScenario(def, maelstromInput(def, test));
 */
export function maelstromInput(def: ProtocolDef, test: MaelstromTest): RunInput {
  const options = scenarioOf(test);
  return { options, ops: planOf(def, workloadByName(test.workload), options, test.finalWaitMs) };
}

