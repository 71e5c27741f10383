import type { NodeCtx, NodeId } from '../../src/index.ts';
import { mergeData, type ShardData } from './replica.ts';
import { applyMove, initialMap, planMove, type Move, type ShardMap } from './shard-map.ts';

/**
 * The config service, on the first node: it holds the shard map (durably) and, when an operator
 * asks (the workload's `move` ops), moves one shard at a time to another replica group. A move is:
 * record the move (durable), freeze the shard at a majority of the old group and collect their
 * data, install the merged data at a majority of the new group, commit the new map (durable), install at the rest of the new group, and only then
 * drop the move record. A controller that crashes mid-move resumes it on restart: every step is
 * idempotent.
 *
 * Coordinators cache the map and ask the controller again only when a replica turns them away.
 */

/** A bound on map versions (the workload asks for far fewer moves). */
export const MAX_MOVES = 10_000;
/** Move requests remembered, so a duplicated request does not move the shard twice. */
const DONE_OPS_KEPT = 64;

export type MoveAnswer = 'done' | 'busy';
/** How long one freeze or install call may take before the controller asks again. */
const CALL_TIMEOUT_MS = 300;
/** Pause between rounds of a step that did not reach its quorum. */
const ROUND_PAUSE_MS = 50;
/** Rounds per step before giving up the run as wedged (a partition lasts seconds, not this). */
const MAX_ROUNDS = 2_000;

export type ControllerRequest = { t: 'freeze'; shard: number; version: number } | { t: 'snapshot'; shard: number } | { t: 'install'; shard: number; version: number; group: NodeId[]; data: ShardData };

export class Controller {
  map: ShardMap;
  /** The move under way, if any (durable, so a restart finishes it). */
  move: Move | undefined;
  /** Client op ids of the moves carried out since the last restart (the one under way is on disk, in `move`). */
  private readonly doneOps: number[] = [];
  private inFlight: { opId: number; done: Promise<MoveAnswer> } | undefined;

  constructor(
    private readonly ctx: NodeCtx<never>,
    private readonly copyBeforeFreeze: boolean,
  ) {
    this.map = ctx.storage.get<ShardMap>('map') ?? initialMap(ctx.nodes);
    this.move = ctx.storage.get<Move>('move') ?? undefined;
  }

  /** At (re)start: finish a move a crash left half done. */
  resume(): void {
    if (this.move === undefined) return;
    const move = this.move;
    this.inFlight = { opId: move.opId, done: this.finish(move) };
  }

  /**
   * An operator's request to move `shard` (to a group drawn at random): answers once the new map
   * is committed and installed everywhere, `busy` while another move is under way (one at a time),
   * and `done` again for a duplicate of a request it already carried out.
   */
  requestMove(shard: number, opId: number): Promise<MoveAnswer> {
    if (this.doneOps.includes(opId)) return Promise.resolve('done');
    // A duplicate of the request being carried out waits for the same outcome.
    if (this.inFlight?.opId === opId) return this.inFlight.done;
    if (this.move !== undefined || this.map.version >= MAX_MOVES) return Promise.resolve('busy');
    const done = this.moveShard(shard, opId);
    this.inFlight = { opId, done };
    return done;
  }

  private async moveShard(shard: number, opId: number): Promise<MoveAnswer> {
    const move = planMove(this.map, this.ctx.nodes, (bound) => this.ctx.randomInt(bound), shard, opId);
    if (move === undefined) return 'busy';
    this.move = move;
    this.ctx.storage.set('move', move);
    this.ctx.storage.sync();
    return this.finish(move);
  }

  private async finish(move: Move): Promise<MoveAnswer> {
    await this.carryOut(move);
    if (this.map.version !== move.version) throw new Error(`assertion failed: move v${move.version} done but the map is at v${this.map.version}`);
    this.doneOps.push(move.opId);
    if (this.doneOps.length > DONE_OPS_KEPT) this.doneOps.shift();
    this.inFlight = undefined;
    return 'done';
  }

  /**
   * One move, from wherever a crash left it: a move whose map is committed only has installs left,
   * but their data is not on disk, so it is collected again (the old group is frozen: same data).
   */
  private async carryOut(move: Move): Promise<void> {
    this.ctx.log(`move shard ${move.shard} v${move.version}: [${move.from.join(',')}] -> [${move.to.join(',')}]`);
    const committed = this.map.version >= move.version;
    const majorityTo = Math.floor(move.to.length / 2) + 1;
    const freeze: ControllerRequest = { t: 'freeze', shard: move.shard, version: move.version };
    let data: ShardData;
    if (this.copyBeforeFreeze) {
      // The bug: copy while the old group still serves, and retire it only after the switch.
      data = await this.collect(move, committed ? freeze : { t: 'snapshot', shard: move.shard });
      if (!committed) {
        await this.install(move, data, majorityTo);
        this.commit(move);
        await this.collect(move, freeze);
      }
    } else {
      data = await this.collect(move, freeze);
      if (!committed) {
        await this.install(move, data, majorityTo);
        this.commit(move);
      }
    }
    // The rest of the new group, so that after a heal any two of its three can serve.
    await this.install(move, data, move.to.length);
    this.move = undefined;
    this.ctx.storage.delete('move');
    this.ctx.storage.sync();
  }

  /** Switches the map (durable); the move stays recorded until the whole new group installed. */
  private commit(move: Move): void {
    this.map = applyMove(this.map, move);
    this.ctx.storage.set('map', this.map);
    this.ctx.storage.sync();
    this.ctx.log(`committed map v${this.map.version}`);
  }

  /** Sends `req` to the old group until a majority answered; returns their data merged. */
  private async collect(move: Move, req: ControllerRequest): Promise<ShardData> {
    const answered = new Map<NodeId, ShardData>();
    const needed = Math.floor(move.from.length / 2) + 1;
    for (let round = 0; answered.size < needed; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`move v${move.version}: no majority of [${move.from.join(',')}] answered ${req.t} in ${MAX_ROUNDS} rounds`);
      await this.ask(move.from.filter((n) => !answered.has(n)), req, needed - answered.size, (n, r) => answered.set(n, (r as { data: ShardData }).data));
      if (answered.size < needed) await this.ctx.sleep(ROUND_PAUSE_MS);
    }
    let merged: ShardData = {};
    for (const d of answered.values()) merged = mergeData(merged, d);
    return merged;
  }

  /** Installs `data` at the new group until `needed` of its members acknowledged. */
  private async install(move: Move, data: ShardData, needed: number): Promise<void> {
    const acked = new Set<NodeId>();
    const req: ControllerRequest = { t: 'install', shard: move.shard, version: move.version, group: move.to, data };
    for (let round = 0; acked.size < needed; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`move v${move.version}: only ${acked.size} of [${move.to.join(',')}] installed in ${MAX_ROUNDS} rounds`);
      await this.ask(move.to.filter((n) => !acked.has(n)), req, needed - acked.size, (n) => acked.add(n));
      if (acked.size < needed) await this.ctx.sleep(ROUND_PAUSE_MS);
    }
  }

  /**
   * One round: asks every node in `to` at once; ends when `enough` answered or every call settled
   * (a straggler's late answer still counts through `onAnswer`, harmlessly: every step is idempotent).
   */
  private ask(to: NodeId[], req: ControllerRequest, enough: number, onAnswer: (n: NodeId, r: unknown) => void): Promise<void> {
    return new Promise((resolve) => {
      let answered = 0;
      let settled = 0;
      const settle = () => {
        if (++settled === to.length) resolve();
      };
      for (const n of to) {
        this.ctx.call(n, req, CALL_TIMEOUT_MS).then(
          (r) => {
            onAnswer(n, r);
            if (++answered === enough) resolve();
            settle();
          },
          settle,
        );
      }
    });
  }
}
