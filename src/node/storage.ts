import { clonePlain } from '../kernel/clone.ts';
import type { Storage } from './api.ts';

/**
 * A node's disk. `set` writes into a volatile buffer; `sync` makes the buffer durable; `crash`
 * throws the buffer away. Values are copied in and out, so a node cannot mutate its "disk" by
 * keeping a reference.
 *
 * @example
 * const disk = new SimStorage();
 * disk.set('term', 3); disk.crash(); disk.get('term'); // undefined: never synced
 */
export class SimStorage implements Storage {
  private readonly durable = new Map<string, unknown>();
  /** Unsynced writes; `DELETED` marks a delete not yet synced. */
  private readonly pending = new Map<string, unknown>();
  /** Count of writes since the last sync (for the trace). */
  unsyncedWrites = 0;

  get<T = unknown>(key: string): T | undefined {
    const v = this.pending.has(key) ? this.pending.get(key) : this.durable.get(key);
    return v === DELETED ? undefined : (clonePlain(v) as T | undefined);
  }

  set(key: string, value: unknown): void {
    this.pending.set(key, clonePlain(value));
    this.unsyncedWrites++;
  }

  delete(key: string): void {
    this.pending.set(key, DELETED);
    this.unsyncedWrites++;
  }

  sync(): void {
    for (const [k, v] of this.pending) {
      if (v === DELETED) this.durable.delete(k);
      else this.durable.set(k, v);
    }
    this.pending.clear();
    this.unsyncedWrites = 0;
  }

  /** Becomes a copy of `other`, synced and unsynced writes alike (a forked process's disk). */
  copyFrom(other: SimStorage): void {
    this.durable.clear();
    this.pending.clear();
    for (const [k, v] of other.durable) this.durable.set(k, clonePlain(v));
    for (const [k, v] of other.pending) this.pending.set(k, v === DELETED ? DELETED : clonePlain(v));
    this.unsyncedWrites = other.unsyncedWrites;
  }

  /** Loses everything, synced or not: the node left for good (churn) and a fresh one takes its name. */
  wipe(): void {
    this.durable.clear();
    this.pending.clear();
    this.unsyncedWrites = 0;
  }

  /** Loses every unsynced write; returns how many were lost. */
  crash(): number {
    const lost = this.unsyncedWrites;
    this.pending.clear();
    this.unsyncedWrites = 0;
    return lost;
  }
}

const DELETED = Symbol('deleted');
