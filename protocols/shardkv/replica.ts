import type { NodeId, Storage } from '../../src/index.ts';

/**
 * One node's copies of the shards it holds or held. A copy is `serving` a shard version it
 * installed, or `frozen` once the controller started moving the shard away: a frozen copy answers
 * no reads or writes again, so the data the controller collects from a frozen majority holds every
 * write the old group ever acknowledged.
 */

/** Orders writes: higher counter wins; ties break on the coordinator, then on the client op. */
export interface Ts {
  n: number;
  w: NodeId;
  op: number;
}

export interface Cell {
  ts: Ts;
  value: unknown;
}

/** A shard's keys and their freshest cells. */
export type ShardData = Record<string, Cell>;

export interface ShardCopy {
  /** The map version this copy was installed at (serving) or frozen at. */
  version: number;
  /** The group the shard was installed on at that version (a hint for coordinators with an older map). */
  group: NodeId[];
  serving: boolean;
  data: ShardData;
}

export function newer(a: Ts, b: Ts): boolean {
  return a.n > b.n || (a.n === b.n && (a.w > b.w || (a.w === b.w && a.op > b.op)));
}

/** Per-key freshest cell of both (a pure merge: commutative, idempotent, so duplicates are harmless). */
export function mergeData(a: ShardData, b: ShardData): ShardData {
  const out: ShardData = { ...a };
  for (const [key, cell] of Object.entries(b)) {
    const mine = out[key];
    if (mine === undefined || newer(cell.ts, mine.ts)) out[key] = cell;
  }
  return out;
}

/**
 * A copy's rank: installs of version v come after the freeze of version v (a node in both the old
 * and the new group of a move is frozen, then installed), and every version after the last.
 */
function rank(version: number, serving: boolean): number {
  return version * 2 + (serving ? 1 : 0);
}

export class Replica {
  private readonly copies = new Map<number, ShardCopy>();

  constructor(
    private readonly storage: Storage,
    shards: number,
    initial: (shard: number) => NodeId[] | undefined,
  ) {
    for (let s = 0; s < shards; s++) {
      const saved = storage.get<ShardCopy>(`shard:${s}`);
      if (saved !== undefined) this.copies.set(s, saved);
      // Version 0 needs no install: the initial group of a shard serves it empty from the start.
      else {
        const group = initial(s);
        if (group !== undefined) this.copies.set(s, { version: 0, group, serving: true, data: {} });
      }
    }
  }

  copy(shard: number): ShardCopy | undefined {
    return this.copies.get(shard);
  }

  /** Stores `cell` if it is fresher than the key's; durable before the caller acks. */
  store(shard: number, key: string, cell: Cell): void {
    const c = this.copies.get(shard);
    if (c === undefined) throw new Error(`assertion failed: store into shard ${shard} this node never held`);
    const mine = c.data[key];
    if (mine !== undefined && !newer(cell.ts, mine.ts)) return;
    c.data = { ...c.data, [key]: cell };
    this.persist(shard, c);
  }

  /** Stops serving the shard (if it did at an older version) and returns what it holds. */
  freeze(shard: number, version: number): ShardData {
    const c = this.copies.get(shard) ?? { version: -1, group: [], serving: false, data: {} };
    if (rank(version, false) > rank(c.version, c.serving)) this.persist(shard, { version, group: c.group, serving: false, data: c.data });
    return c.data;
  }

  /** Starts serving the shard at `version` with `data` merged into what it holds; never goes back. */
  install(shard: number, version: number, group: NodeId[], data: ShardData): void {
    const c = this.copies.get(shard) ?? { version: -1, group: [], serving: false, data: {} };
    if (rank(version, true) < rank(c.version, c.serving)) return;
    this.persist(shard, { version, group, serving: true, data: mergeData(c.data, data) });
  }

  private persist(shard: number, c: ShardCopy): void {
    this.copies.set(shard, c);
    this.storage.set(`shard:${shard}`, c);
    this.storage.sync();
  }
}
