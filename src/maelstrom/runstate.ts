/**
 * What the node hosts of one run share: the services, each client's workload memory, the
 * protocol problems found in nodes' output, message counts and recent stderr. Keyed by the run's
 * node list (one array per simulator), so concurrent runs never share one.
 */
import type { ClientOp, ClientResult, NodeId } from '../node/api.ts';
import type { ClientMemory } from './workloads.ts';
import { Services } from './services.ts';

/** One thing a node did wrong: its Maelstrom id, the offending line, and what is wrong. */
export interface Problem {
  node: string;
  timeMs: number;
  line: string;
  problem: string;
}

/** Problems kept in full; past this they are only counted. */
const MAX_PROBLEMS_KEPT = 50;
/** Recent stderr lines kept per node (for messages about a node that died). */
const STDERR_TAIL = 10;

/**
 * @example
 * runStateOf(ctx.nodes).serverMsgs++;
 */
/** A client request in flight: any node may answer it (a node may forward a client's request). */
export interface PendingClient {
  op: ClientOp;
  reply: (r: ClientResult) => void;
}

export class RunState {
  readonly services = new Services();
  /** Client requests in flight, by `client#msg_id`. */
  readonly pending = new Map<string, PendingClient>();
  private readonly nextMsgId = new Map<string, number>();
  readonly memory = new Map<number, ClientMemory>();
  readonly problems: Problem[] = [];
  problemCount = 0;
  /** Messages between nodes, between clients and nodes, and between nodes and services. */
  serverMsgs = 0;
  clientMsgs = 0;
  serviceMsgs = 0;
  readonly stderrTail = new Map<string, string[]>();

  /** The next msg_id of a client (each client numbers its own requests, whichever node it asks). */
  clientMsgId(client: string): number {
    const id = (this.nextMsgId.get(client) ?? 0) + 1;
    this.nextMsgId.set(client, id);
    return id;
  }

  report(p: Problem): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS_KEPT) this.problems.push({ ...p, line: p.line.length > 300 ? `${p.line.slice(0, 300)}...` : p.line });
  }

  clientMemory(process: number): ClientMemory {
    // A retired process's successor keeps the client's memory (its consumed offsets).
    let m = this.memory.get(process);
    if (!m) this.memory.set(process, (m = new Map()));
    return m;
  }

  stderr(node: string, line: string): void {
    const tail = this.stderrTail.get(node) ?? [];
    tail.push(line.length > 300 ? `${line.slice(0, 300)}...` : line);
    if (tail.length > STDERR_TAIL) tail.shift();
    this.stderrTail.set(node, tail);
  }
}

const states = new WeakMap<readonly NodeId[], RunState>();

/**
 * The state of the run whose node list is `nodes` (created on first use).
 *
 * @example
 * const run = runStateOf(ctx.nodes); // shared by every node of this run
 */
export function runStateOf(nodes: readonly NodeId[]): RunState {
  let s = states.get(nodes);
  if (!s) states.set(nodes, (s = new RunState()));
  return s;
}
