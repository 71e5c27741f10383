/**
 * A Faultline node that hosts one Maelstrom node program. Faultline node `n{i+1}` hosts Maelstrom
 * node `n{i}`. The host writes `init` (and `topology`) to the program, turns client ops into
 * client messages and their replies into history results, carries node-to-node messages over the
 * simulated network (so drops, duplicates, partitions and latency apply), answers service
 * requests, and reports malformed output without stopping the run.
 */
import type { ClientOp, ClientResult, NodeCtx, NodeHandlers } from '../node/api.ts';
import { classifyError } from './errors.ts';
import { clientIdOf, isClientId, isNodeId, parseLine, type Body, type Envelope } from './protocol.ts';
import { runStateOf, type RunState } from './runstate.ts';
import { isService, serviceNames } from './services.ts';
import type { MaelstromWorkload } from './workloads.ts';

/** Where a program's output goes. */
export interface ProgramSink {
  stdout(line: string): void;
  stderr(line: string): void;
  /** The program ended by itself (exit, uncaught error). */
  exited(reason: string): void;
}

/** A running node program, in-process or as a child process. */
export interface Program {
  /** Writes one line (without its newline) to the program's stdin. */
  write(line: string): void;
  /** Stops it for good. */
  stop(): void;
  /** In-process programs: runs the program's timer `id` (scheduled through the ctx). */
  fireTimer?(id: number): void;
  /** Output written without its final newline (never delivered as a line), if any. */
  unterminated?(): string | undefined;
}

/** Starts one program instance for one node incarnation. */
export type ProgramFactory = (ctx: NodeCtx, nodeId: string, sink: ProgramSink) => Program;

export interface HostConfig {
  workload: MaelstromWorkload;
  program: ProgramFactory;
  /** Neighbours per node (Maelstrom ids), sent as `topology` when the workload uses one. */
  topology?: Record<string, string[]>;
  /** Client count: a client's memory survives its process being retired. */
  clients: number;
  /** One-way delay of a service's answer. */
  serviceLatencyMs: number;
}

/** Timer names the host uses on its ctx. */
export const TIMER_JS = 'js';
const TIMER_SERVICE = 'service-reply';

/**
 * Maelstrom id of a Faultline node id (`n1` -> `n0`).
 *
 * @example
 * toMaelstromId('n1'); // 'n0'
 */
export function toMaelstromId(faultlineId: string): string {
  return `n${Number(faultlineId.slice(1)) - 1}`;
}

/**
 * Faultline id of a Maelstrom node id (`n0` -> `n1`).
 *
 * @example
 * toFaultlineId('n0'); // 'n1'
 */
export function toFaultlineId(maelstromId: string): string {
  return `n${Number(maelstromId.slice(1)) + 1}`;
}

const settled = Promise.resolve();

/**
 * The NodeHandlers of one node incarnation.
 *
 * @example
 * create: (ctx) => new MaelstromHost(ctx, { workload: workloads.echo, program: jsProgram('./echo.js'), clients: 2, serviceLatencyMs: 1 })
 */
export class MaelstromHost implements NodeHandlers {
  readonly id: string;
  readonly run: RunState;
  /** Whether this incarnation's program answered `init`. */
  initOk = false;
  private program: Program | undefined;
  private nextMsgId = 1;
  private readonly setupPending = new Map<number, string>();
  private readonly nodeCount: number;

  constructor(
    private readonly ctx: NodeCtx,
    private readonly cfg: HostConfig,
  ) {
    this.id = toMaelstromId(ctx.id);
    this.run = runStateOf(ctx.nodes);
    this.nodeCount = ctx.nodes.length;
  }

  onStart(): Promise<void> {
    const sink: ProgramSink = {
      stdout: (line) => this.onOutput(line),
      stderr: (line) => this.onStderr(line),
      exited: (reason) => this.problem('', `program exited: ${reason}`),
    };
    this.program = this.cfg.program(this.ctx, this.id, sink);
    const nodeIds = this.ctx.nodes.map(toMaelstromId);
    this.setup({ type: 'init', node_id: this.id, node_ids: nodeIds }, 'init');
    return settled;
  }

  onMessage(_from: string, msg: unknown): Promise<void> {
    this.program?.write(JSON.stringify(msg));
    return settled;
  }

  onTimer(name: string, data: unknown): Promise<void> {
    if (name === TIMER_JS) this.program?.fireTimer?.(data as number);
    else if (name === TIMER_SERVICE) this.program?.write(data as string);
    return settled;
  }

  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): Promise<void> {
    const client = clientIdOf(op.process);
    const msgId = this.run.clientMsgId(client);
    const body = { ...this.cfg.workload.request(op, this.run.clientMemory(op.process % this.cfg.clients)), msg_id: msgId };
    this.run.pending.set(`${client}#${msgId}`, { op, reply });
    this.run.clientMsgs++;
    this.program?.write(JSON.stringify({ src: client, dest: this.id, body }));
    return settled;
  }

  /** Output the program left without a final newline (so never sent), if any. */
  unterminatedOutput(): string | undefined {
    return this.program?.unterminated?.();
  }

  /** Stops this incarnation's program (the simulator dropped the node: crash or end of run). */
  stop(): void {
    this.program?.stop();
    this.program = undefined;
  }

  private setup(body: Record<string, unknown>, what: string): void {
    const msgId = this.nextMsgId++;
    this.setupPending.set(msgId, what);
    this.program?.write(JSON.stringify({ src: 'c0', dest: this.id, body: { ...body, msg_id: msgId } }));
  }

  private onStderr(line: string): void {
    this.run.stderr(this.id, line);
    this.ctx.log(`[${this.id} stderr] ${line}`);
  }

  private problem(line: string, what: string): void {
    this.run.report({ node: this.id, timeMs: this.ctx.now(), line, problem: what });
    this.ctx.log(`[${this.id}] protocol problem: ${what}${line ? `: ${line.slice(0, 120)}` : ''}`);
  }

  /** One line of the program's stdout. */
  onOutput(line: string): void {
    if (line.trim() === '') return;
    const parsed = parseLine(line);
    if (!parsed.ok) return this.problem(line, parsed.problem);
    const env = parsed.env;
    const dest = env.dest;
    if (isNodeId(dest) && Number(dest.slice(1)) < this.nodeCount && dest === `n${Number(dest.slice(1))}`) {
      this.run.serverMsgs++;
      // `src` travels as written: a node may forward a client's request under the client's id.
      this.ctx.send(toFaultlineId(dest), { src: env.src, dest, body: env.body });
    } else if (isService(dest)) {
      this.run.serviceMsgs += 2;
      const answer = this.run.services.handle(this.id, dest, env.body, () => this.ctx.random());
      this.ctx.setTimer(this.cfg.serviceLatencyMs * 2, TIMER_SERVICE, JSON.stringify({ src: dest, dest: this.id, body: answer }));
    } else if (dest === 'c0') {
      this.onSetupReply(line, env.body);
    } else if (isClientId(dest)) {
      this.onClientReply(line, env);
    } else {
      this.problem(line, `unknown dest ${JSON.stringify(dest)}: nodes are n0..n${this.nodeCount - 1}, clients c1.., services ${serviceNames.join(', ')}`);
    }
  }

  private onSetupReply(line: string, body: Body): void {
    const what = body.in_reply_to === undefined ? undefined : this.setupPending.get(body.in_reply_to);
    if (what === undefined) return this.problem(line, `reply to nothing: no setup message has msg_id ${JSON.stringify(body.in_reply_to)}`);
    this.setupPending.delete(body.in_reply_to!);
    if (body.type !== `${what}_ok`) return this.problem(line, `expected ${what}_ok, got ${JSON.stringify(body.type)}`);
    if (what === 'init') {
      this.initOk = true;
      if (this.cfg.workload.usesTopology && this.cfg.topology) this.setup({ type: 'topology', topology: this.cfg.topology }, 'topology');
    }
  }

  private onClientReply(line: string, env: Envelope): void {
    const body = env.body;
    const key = `${env.dest}#${body.in_reply_to}`;
    const p = body.in_reply_to === undefined ? undefined : this.run.pending.get(key);
    if (p === undefined) {
      return this.problem(line, `reply to nothing: ${env.dest} has no request with msg_id ${JSON.stringify(body.in_reply_to)} in flight`);
    }
    this.run.pending.delete(key);
    this.run.clientMsgs++;
    if (body.type === 'error') return p.reply(classifyError(body.code, this.cfg.workload.idempotent(p.op.f), body.text));
    const decoded = this.cfg.workload.decode(p.op, body, this.run.clientMemory(p.op.process % this.cfg.clients));
    if ('problem' in decoded) {
      this.problem(line, decoded.problem);
      return p.reply({ type: 'info', error: `malformed reply: ${decoded.problem}` });
    }
    p.reply({ type: 'ok', value: decoded.value });
  }
}

