import { clonePlain } from '../kernel/clone.ts';
import type { HistoryOp } from '../history/types.ts';
import type { ClientOp, ClientResult, NodeHandlers } from '../node/api.ts';
import type { PlannedOp } from '../workload/workload.ts';
import { clientEvent, EventKind, type SimEvent } from './events.ts';
import type { NodeRuntime } from './node-runtime.ts';
import type { Recorder } from './recorder.ts';

/** What the clients need from the simulator. */
export interface ClientHost {
  readonly recorder: Recorder;
  nowMs(): number;
  push(atMs: number, ev: SimEvent): void;
  node(index: number): NodeRuntime;
  nodeOf(id: string, what: string): number;
  /** Runs protocol code of node `n`; a throw ends the run with a verdict. */
  invoke<T>(n: NodeRuntime, what: string, fn: () => T): T | undefined;
  /** Ends the run as `crashed`: node `n` did something no protocol may do. */
  crashed(message: string, n: NodeRuntime): void;
}

interface ClientState {
  process: number;
  ops: PlannedOp[];
  /** Each op's index in the run's op plan (its cause id). */
  planIndex: number[];
  next: number;
  /** The op in flight: its id, or -1. */
  opId: number;
  invoke?: HistoryOp;
}

/**
 * The workload's clients: each runs its planned ops one at a time against the node the plan
 * names, records invoke and completion in the history, and times out to `info` (Jepsen's
 * indeterminate op, after which the process is retired and the client goes on as a fresh one).
 */
export class Clients {
  private readonly clients: ClientState[] = [];
  private nextOpId = 0;
  /** Clients that still have an op to issue or to see completed: the run waits for them. */
  active = 0;

  constructor(
    private readonly host: ClientHost,
    count: number,
    ops: readonly PlannedOp[],
    private readonly latencyMs: number,
    private readonly opTimeoutMs: number,
  ) {
    for (let c = 0; c < count; c++) this.clients.push({ process: c, ops: [], planIndex: [], next: 0, opId: -1 });
    for (const [i, op] of ops.entries()) {
      if (!(Number.isInteger(op.client) && op.client >= 0 && op.client < count)) {
        throw new Error(`assertion failed: op for client ${op.client} but only ${count} clients`);
      }
      host.nodeOf(op.node, 'a planned op');
      this.clients[op.client].ops.push(op);
      this.clients[op.client].planIndex.push(i);
    }
  }

  /** Schedules every client's first op. */
  start(): void {
    for (const c of this.clients) {
      if (c.ops.length === 0) continue;
      this.active++;
      this.host.push(c.ops[0].thinkMs, clientEvent(EventKind.ClientNext, -1, c.process, -1, undefined, -1, -1));
    }
  }

  /** The next op of the client running as `process`: invoke, then send the request. */
  next(process: number): void {
    const client = this.byProcess(process);
    if (client === undefined || client.opId !== -1) throw new Error(`assertion failed: client process ${process} asked to start an op while retired or busy`);
    const op = client.ops[client.next++];
    const planIndex = client.planIndex[client.next - 1];
    const opId = this.nextOpId++;
    const rec = this.host.recorder;
    const invoke: HistoryOp = { index: rec.history.length, time: this.host.nowMs(), type: 'invoke', process, f: op.f, value: clonePlain(op.value), node: op.node };
    if (op.key !== undefined) invoke.key = op.key;
    rec.historyOp(invoke);
    client.opId = opId;
    client.invoke = invoke;
    const invoked = !rec.traceOn ? -1 : rec.record('invoke', { node: op.node, clientOp: planIndex, historyIndex: invoke.index, body: clonePlain({ f: op.f, value: op.value, key: op.key }) }, -1);
    const dst = this.host.nodeOf(op.node, 'a client op');
    const req: ClientOp = { id: opId, process, f: op.f, value: clonePlain(op.value) };
    if (op.key !== undefined) req.key = op.key;
    const now = this.host.nowMs();
    this.host.push(now + this.latencyMs, clientEvent(EventKind.ClientArrive, dst, process, opId, req, planIndex, invoked));
    this.host.push(now + this.opTimeoutMs, clientEvent(EventKind.ClientTimeout, -1, process, opId, undefined, planIndex, invoked));
  }

  /** A request reaches its node (deferred by the caller while the node is paused). */
  arrive(ev: SimEvent, n: NodeRuntime): void {
    const client = this.byProcess(ev.subject);
    if (client?.opId !== ev.opId) return;
    if (!n.up || n.handlers === undefined) {
      // Connection refused: the op definitely did not happen.
      this.complete(ev.subject, ev.opId, { type: 'fail', error: 'node-down' }, ev.traceCause);
      return;
    }
    const req = ev.payload as ClientOp;
    if (this.host.recorder.traceOn) this.host.recorder.begin('arrive', { node: n.id, clientOp: ev.clientOp, body: clonePlain({ f: req.f, value: req.value, key: req.key }) }, ev.traceCause);
    const handlers: NodeHandlers = n.handlers;
    if (!handlers.onClientRequest) {
      this.host.crashed('received a client op but has no onClientRequest handler', n);
      return;
    }
    const reply = this.replyFor(ev, n);
    this.host.invoke(n, 'onClientRequest', () => handlers.onClientRequest!(req, reply));
  }

  /** The `reply` callback of one request: the first call counts, from the same incarnation. */
  private replyFor(ev: SimEvent, n: NodeRuntime): (result: ClientResult) => void {
    const inc = n.incarnation;
    let replied = false;
    return (result: ClientResult) => {
      if (replied || n.incarnation !== inc || !n.up) return;
      replied = true;
      assertResult(result);
      let copy: ClientResult;
      try {
        copy = clonePlain(result);
      } catch (e) {
        throw new Error(`reply(): ${(e as Error).message}`);
      }
      const rec = this.host.recorder;
      const replyIndex = rec.traceOn ? rec.record('reply', { node: n.id, clientOp: ev.clientOp, body: clonePlain(copy) }) : -1;
      this.host.push(this.host.nowMs() + this.latencyMs, clientEvent(EventKind.ClientReply, -1, ev.subject, ev.opId, copy, ev.clientOp, replyIndex));
    };
  }

  /** An op completes (a reply, a timeout or a refused connection): record it and go on. */
  complete(process: number, opId: number, result: ClientResult, cause: number): void {
    const client = this.byProcess(process);
    if (client === undefined || client.opId !== opId) return;
    const invoke = client.invoke!;
    const ok = result.type === 'ok' && 'value' in result && result.value !== undefined;
    const rec = this.host.recorder;
    const done: HistoryOp = { index: rec.history.length, time: this.host.nowMs(), type: result.type, process, f: invoke.f, value: ok ? result.value : clonePlain(invoke.value), node: invoke.node };
    if (invoke.key !== undefined) done.key = invoke.key;
    if (result.type !== 'ok' && result.error !== undefined) done.error = result.error;
    rec.historyOp(done);
    rec.stats[result.type]++;
    const clientOp = client.planIndex[client.next - 1];
    if (rec.traceOn) rec.begin('complete', { node: invoke.node, clientOp, historyIndex: done.index, body: clonePlain({ type: done.type, value: done.value }), detail: done.error }, cause);
    client.opId = -1;
    client.invoke = undefined;
    // Jepsen: a process whose op may or may not have happened is retired; the client goes on fresh.
    if (result.type === 'info') client.process += this.clients.length;
    if (client.next < client.ops.length) {
      const at = this.host.nowMs() + client.ops[client.next].thinkMs;
      this.host.push(at, clientEvent(EventKind.ClientNext, -1, client.process, -1, undefined, -1, -1));
    } else {
      this.active--;
    }
  }

  /** The client currently running as `process`; undefined once that process is retired. */
  private byProcess(process: number): ClientState | undefined {
    const client = this.clients[process % this.clients.length];
    return client.process === process ? client : undefined;
  }
}

/** Replies are plain data `{ type, value?, error? }`; anything else ends the run as `crashed`. */
function assertResult(r: ClientResult): void {
  if (r === null || typeof r !== 'object' || !['ok', 'fail', 'info'].includes((r as { type: string }).type)) {
    let shown: string;
    try {
      shown = JSON.stringify(r) ?? String(r);
    } catch {
      shown = typeof r;
    }
    throw new Error(`reply() takes { type: 'ok' | 'fail' | 'info', value?, error? }, got ${shown}`);
  }
}
