import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/index.ts';
import { Controller, type ControllerRequest, type MoveAnswer } from './controller.ts';
import { Replica, newer, type Cell, type ShardData, type Ts } from './replica.ts';
import { SHARDS, shardOf } from './ring.ts';
import { initialMap, type ShardAssignment, type ShardMap } from './shard-map.ts';

/**
 * A sharded key-value store. Keys hash onto a ring of SHARDS shards (ring.ts); each shard lives on
 * a replica group of three nodes, as an ABD register per key: every node coordinates the client
 * ops it receives, reads ask a majority of the group for the freshest cell and write it back to a
 * majority, writes pick a higher timestamp and store it at a majority. The controller on the first
 * node moves shards between groups when an operator asks (controller.ts). Replicas serve a shard
 * only at the version they installed and only until frozen, so a coordinator with a stale map is
 * turned away (with the newer assignment, when the replica has one) or asks the controller.
 */
export type ShardKvVariant = 'correct' | 'non-overlapping-quorums' | 'stale-shard-map' | 'copy-before-freeze';

/** How long a coordinator waits for one replica's answer. Swarm's slowest links take 100 ms each way. */
const CALL_TIMEOUT_MS = 300;
/** How long a coordinator waits for one answer of the controller to a move request, and how often it asks. */
const MOVE_TIMEOUT_MS = 700;
const MOVE_TRIES = 5;
/** Sends of one request to one replica within a phase before counting it as unreachable. */
const CALL_TRIES = 3;
/** Tries per client op (each after a map refresh and a pause): a move blocks a shard for a few round trips. */
const MAX_ATTEMPTS = 8;
/** Base pause between tries, grown per try and jittered so coordinators do not retry in step. */
const RETRY_MS = 20;

type OpRequest = { t: 'get'; shard: number; version: number; key: string } | { t: 'set'; shard: number; version: number; key: string; cell: Cell };
type Request = OpRequest | ControllerRequest | { t: 'map' } | { t: 'move'; shard: number; opId: number };
/**
 * A replica's answer to a get or set: refused when it does not serve that shard version, with the
 * newer assignment it serves, if any, so the coordinator need not ask the controller.
 */
type OpAnswer = { ok: true; cell?: Cell } | { ok: false; hint?: ShardAssignment };

export class ShardKvNode implements NodeHandlers<never> {
  readonly replica: Replica;
  /** Present on the first node only. */
  readonly controller: Controller | undefined;
  /** This node's cached assignment of each shard (volatile: a restarted node starts from version 0). */
  private readonly cached: ShardAssignment[];

  constructor(
    private readonly ctx: NodeCtx<never>,
    private readonly variant: ShardKvVariant,
  ) {
    const start = initialMap(ctx.nodes);
    this.cached = start.shards.slice();
    this.replica = new Replica(ctx.storage, SHARDS, (s) => (start.shards[s].group.includes(ctx.id) ? start.shards[s].group : undefined));
    this.controller = ctx.id === ctx.nodes[0] ? new Controller(ctx, variant === 'copy-before-freeze') : undefined;
  }

  onStart(): void {
    if (this.controller !== undefined) void this.controller.resume();
  }

  onCall(_from: NodeId, req: Request): unknown {
    switch (req.t) {
      case 'move':
        return this.controller?.requestMove(req.shard, req.opId) ?? 'busy';
      case 'get':
        return this.serves(req.shard, req.version) ? { ok: true, cell: this.replica.copy(req.shard)!.data[req.key] } : this.refusal(req.shard, req.version);
      case 'set':
        if (!this.serves(req.shard, req.version)) return this.refusal(req.shard, req.version);
        this.replica.store(req.shard, req.key, req.cell);
        return { ok: true };
      case 'freeze':
        return { data: this.replica.freeze(req.shard, req.version) };
      case 'snapshot':
        return { data: this.replica.copy(req.shard)?.data ?? {} };
      case 'install':
        this.replica.install(req.shard, req.version, req.group, req.data);
        return { ok: true };
      case 'map':
        return { map: this.controller?.map ?? null };
    }
  }

  /**
   * Whether this replica answers ops on `shard` at `version`: only while it serves exactly that
   * version. The stale-shard-map bug checks only that it holds data for the shard, not that it
   * still owns it: a frozen copy, whose shard has moved on, keeps answering coordinators whose map
   * is as old as its own.
   */
  private serves(shard: number, version: number): boolean {
    const c = this.replica.copy(shard);
    if (c === undefined) return false;
    if (this.variant === 'stale-shard-map') return true;
    return c.serving && c.version === version;
  }

  private refusal(shard: number, version: number): OpAnswer {
    const c = this.replica.copy(shard);
    return c !== undefined && c.serving && c.version > version ? { ok: false, hint: { group: c.group, version: c.version } } : { ok: false };
  }

  async onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): Promise<void> {
    if (typeof op.key !== 'string') return reply({ type: 'fail', error: 'op without a key' });
    const shard = shardOf(op.key);
    if (op.f === 'read') return reply(await this.read(shard, op.key));
    if (op.f === 'write') return reply(await this.write(shard, op.key, op));
    if (op.f === 'move') return reply(await this.move(shard, op.id));
    reply({ type: 'fail', error: `unknown op ${op.f}` });
  }

  /** Read the freshest cell from a read quorum, write it back to a majority, answer its value. */
  private async read(shard: number, key: string): Promise<ClientResult> {
    const readQuorum = this.variant === 'non-overlapping-quorums' ? 1 : undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const at = this.cached[shard];
      const seen = await this.freshest(at, shard, key, readQuorum);
      // The write-back makes the value as durable as a write, so no later read sees an older one.
      if (seen !== undefined && (seen.cell === undefined || (await this.store(at, shard, key, seen.cell)))) {
        return { type: 'ok', value: seen.cell?.value ?? null };
      }
      await this.retryPause(attempt);
    }
    return { type: 'fail', error: `no quorum for shard ${shard}` };
  }

  /**
   * Write: learn the key's freshest timestamp, then store the value one higher at a majority. Once
   * the store has gone out the timestamp is fixed: a retry (at the shard's new group after a move)
   * resends the same cell, like a late message of the first try, so a write never lands twice.
   */
  private async write(shard: number, key: string, op: ClientOp): Promise<ClientResult> {
    let cell: Cell | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const at = this.cached[shard];
      if (cell === undefined) {
        const seen = await this.freshest(at, shard, key, undefined);
        if (seen !== undefined) cell = { ts: { n: (seen.cell?.ts.n ?? 0) + 1, w: this.ctx.id, op: op.id }, value: op.value };
      }
      if (cell !== undefined && (await this.store(at, shard, key, cell))) return { type: 'ok' };
      await this.retryPause(attempt);
    }
    // Some replicas may hold the cell already: the write may or may not have happened.
    return cell === undefined ? { type: 'fail', error: `no quorum for shard ${shard}` } : { type: 'info', error: `no quorum for shard ${shard}` };
  }

  /**
   * An operator's move of the shard: handed to the controller, which answers when the move is
   * done. Busy (another move under way) is a definite no; no answer leaves it unknown.
   */
  private async move(shard: number, opId: number): Promise<ClientResult> {
    // Asking again is safe: the controller knows the op id and answers a repeat with the same outcome.
    for (let i = 0; i < MOVE_TRIES; i++) {
      try {
        const answer = await this.ctx.call<MoveAnswer>(this.ctx.nodes[0], { t: 'move', shard, opId }, MOVE_TIMEOUT_MS);
        return answer === 'done' ? { type: 'ok' } : { type: 'fail', error: 'another move is under way' };
      } catch {
        // no answer yet: the request or the answer was lost, or the move is slow
      }
    }
    return { type: 'info', error: 'the controller did not answer' };
  }

  /** The freshest cell of `key` among `needed` (default a majority) serving replicas, or undefined. */
  private async freshest(at: ShardAssignment, shard: number, key: string, needed: number | undefined): Promise<{ cell: Cell | undefined } | undefined> {
    const answers = await this.quorum(at, { t: 'get', shard, version: at.version, key }, needed);
    if (answers === undefined) return undefined;
    let best: Cell | undefined;
    for (const a of answers) if (a.ok && a.cell !== undefined && (best === undefined || newer(a.cell.ts, best.ts))) best = a.cell;
    return { cell: best };
  }

  private async store(at: ShardAssignment, shard: number, key: string, cell: Cell): Promise<boolean> {
    return (await this.quorum(at, { t: 'set', shard, version: at.version, key, cell }, undefined)) !== undefined;
  }

  /** Asks the whole group; resolves with the first `needed` accepting answers, or undefined when that cannot happen. */
  private quorum(at: ShardAssignment, req: OpRequest, needed: number | undefined): Promise<OpAnswer[] | undefined> {
    const group = at.group;
    const need = needed ?? Math.floor(group.length / 2) + 1;
    return new Promise((resolve) => {
      const accepted: OpAnswer[] = [];
      let settled = 0;
      // Give up as soon as too few replicas are left to make a quorum: refusals come fast.
      const settle = () => {
        if (group.length - ++settled + accepted.length < need) resolve(undefined);
      };
      for (const to of group) {
        void this.callPersistently(to, req).then((r) => {
          if (r?.ok) accepted.push(r);
          else if (r?.hint !== undefined) this.learn(req.shard, r.hint);
          if (r?.ok && accepted.length === need) resolve(accepted.slice());
          settle();
        });
      }
    });
  }

  /**
   * One replica's answer, asking again after each timeout (up to CALL_TRIES times): on a lossy or
   * reordering network a single lost message should cost a resend, not the whole phase.
   */
  private async callPersistently(to: NodeId, req: OpRequest): Promise<OpAnswer | undefined> {
    for (let i = 0; i < CALL_TRIES; i++) {
      try {
        return await this.ctx.call<OpAnswer>(to, req, CALL_TIMEOUT_MS);
      } catch {
        // timed out: the request or the answer was lost or is late; ask again
      }
    }
    return undefined;
  }

  /** After a refused or unanswered try: fetch the current map, then pause (longer each try). */
  private async retryPause(attempt: number): Promise<void> {
    await this.refreshMap();
    await this.ctx.sleep(RETRY_MS * (attempt + 1) + this.ctx.randomInt(RETRY_MS));
  }

  private async refreshMap(): Promise<void> {
    const controllerId = this.ctx.nodes[0];
    let fresh: ShardMap | null = null;
    if (this.controller !== undefined) fresh = this.controller.map;
    else {
      try {
        fresh = (await this.ctx.call<{ map: ShardMap | null }>(controllerId, { t: 'map' }, CALL_TIMEOUT_MS)).map;
      } catch {
        return; // the controller is unreachable: keep the cached map and try again later
      }
    }
    if (fresh !== null) fresh.shards.forEach((a, s) => this.learn(s, a));
  }

  /** Takes a shard's assignment if it is newer than the cached one (versions only grow). */
  private learn(shard: number, at: ShardAssignment): void {
    if (at.version > this.cached[shard].version) this.cached[shard] = { group: at.group.slice(), version: at.version };
  }
}

export type { ShardData, Ts };
