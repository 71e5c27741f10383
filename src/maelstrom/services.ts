/**
 * Maelstrom's built-in services, addressed by name: `lin-kv` (linearizable), `seq-kv`
 * (sequentially consistent: a node's reads of a key never go back, but may lag behind other
 * nodes' writes), `lww-kv` (last-writer-wins: reads may return any recent version, even an older
 * one than before) and `lin-tso` (a linearizable timestamp oracle). One instance per run, shared by
 * every node; answers are computed when the request arrives and travel back with a delay.
 */
import { ErrorCode, errorBody } from './errors.ts';
import type { Body } from './protocol.ts';

export const serviceNames = ['lin-kv', 'seq-kv', 'lww-kv', 'lin-tso'] as const;
export type ServiceName = (typeof serviceNames)[number];

/** How many recent versions of a key `lww-kv` may answer from. */
const LWW_WINDOW = 3;
/** Versions kept per key (older ones can no longer be read by anyone). */
const MAX_VERSIONS = 64;

class Store {
  readonly versions = new Map<string, unknown[]>();
  /** seq-kv: per node and key, the oldest version index it may still read. */
  readonly seen = new Map<string, number>();

  constructor(readonly kind: ServiceName) {}

  handle(node: string, body: Body, random: () => number): Record<string, unknown> {
    const key = JSON.stringify(body.key ?? null);
    const list = this.versions.get(key) ?? [];
    switch (body.type) {
      case 'read': {
        if (list.length === 0) return errorBody(body.msg_id, ErrorCode.keyDoesNotExist, 'key does not exist');
        return { type: 'read_ok', in_reply_to: body.msg_id, value: list[this.readIndex(node, key, list.length, random)] };
      }
      case 'write':
        this.append(node, key, list, body.value);
        return { type: 'write_ok', in_reply_to: body.msg_id };
      case 'cas': {
        if (list.length === 0 && !body.create_if_not_exists) return errorBody(body.msg_id, ErrorCode.keyDoesNotExist, 'key does not exist');
        const current = list.length === 0 ? undefined : list[list.length - 1];
        if (list.length > 0 && JSON.stringify(current) !== JSON.stringify(body.from)) {
          return errorBody(body.msg_id, ErrorCode.preconditionFailed, `expected ${JSON.stringify(body.from)}, but had ${JSON.stringify(current)}`);
        }
        this.append(node, key, list, body.to);
        return { type: 'cas_ok', in_reply_to: body.msg_id };
      }
      default:
        return errorBody(body.msg_id, ErrorCode.notSupported, `${this.kind} does not support ${JSON.stringify(body.type)}`);
    }
  }

  private readIndex(node: string, key: string, length: number, random: () => number): number {
    const last = length - 1;
    if (this.kind === 'lin-kv') return last;
    if (this.kind === 'lww-kv') return Math.max(0, last - Math.floor(random() * LWW_WINDOW));
    const id = `${node}/${key}`;
    const from = Math.min(this.seen.get(id) ?? 0, last);
    const i = from + Math.floor(random() * (last - from + 1));
    this.seen.set(id, i);
    return i;
  }

  private append(node: string, key: string, list: unknown[], value: unknown): void {
    list.push(value);
    if (list.length > MAX_VERSIONS) {
      list.shift();
      for (const [id, i] of this.seen) if (id.endsWith(`/${key}`)) this.seen.set(id, Math.max(0, i - 1));
    }
    this.versions.set(key, list);
    // A writer sees its own write from now on.
    this.seen.set(`${node}/${key}`, list.length - 1);
  }
}

/**
 * Every service of one run.
 *
 * @example
 * const s = new Services();
 * s.handle('n0', 'lin-kv', { type: 'write', msg_id: 1, key: 'x', value: 3 }, Math.random); // { type: 'write_ok', in_reply_to: 1 }
 */
export class Services {
  private readonly stores = new Map<string, Store>();
  private ts = 0;

  handle(node: string, service: ServiceName, body: Body, random: () => number): Record<string, unknown> {
    if (service === 'lin-tso') {
      if (body.type !== 'ts') return errorBody(body.msg_id, ErrorCode.notSupported, `lin-tso does not support ${JSON.stringify(body.type)}`);
      return { type: 'ts_ok', in_reply_to: body.msg_id, ts: this.ts++ };
    }
    let store = this.stores.get(service);
    if (!store) this.stores.set(service, (store = new Store(service)));
    return store.handle(node, body, random);
  }
}

/**
 * Whether a `dest` names one of the services.
 *
 * @example
 * isService('seq-kv'); // true
 */
export function isService(name: string): name is ServiceName {
  return (serviceNames as readonly string[]).includes(name);
}
