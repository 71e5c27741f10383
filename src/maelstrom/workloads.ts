/**
 * Maelstrom workloads: what clients ask (as history ops and as Maelstrom request bodies), how a
 * reply becomes a history value, what runs in the final phase, and which checkers judge the run.
 * Message shapes follow Maelstrom's workload docs, so existing node programs answer them as is.
 */
import type { HistoryCheckerSpec } from '../../checkers/index.ts';
import type { CheckerResult } from '../../checkers/result.ts';
import { intBelow, type Rng } from '../kernel/rng.ts';
import type { History } from '../history/types.ts';
import type { ClientOp } from '../node/api.ts';
import type { OpRequest } from '../workload/workload.ts';
import { checkEcho, checkFinalCounter, checkFinalSet, checkKafka, FINAL } from './checks.ts';
import type { Body } from './protocol.ts';

export interface CheckOptions {
  /** How long before a final read an acknowledged write must have happened to count. */
  settleMs: number;
  /** Transactional workloads: the consistency model to hold the history to. */
  consistency: string;
}

/** A Faultline custom checker from a history function. */
const custom = (name: string, check: (h: History) => CheckerResult): HistoryCheckerSpec => ({ kind: 'custom', name, check });

/** A reply turned into a history value, or what is wrong with the reply. */
export type Decoded = { value: unknown } | { problem: string };

/** Per-client state a workload keeps across ops (kafka's poll positions). */
export type ClientMemory = Map<string, unknown>;

export interface MaelstromWorkload {
  name: string;
  description: string;
  /** Draws one op of the main phase. */
  op(rng: Rng, opIndex: number): OpRequest;
  /** Ops of the final phase (after the heal and a settle wait), one per node when given. */
  finalOp?: OpRequest;
  /** The request body (no msg_id) for an op; `memory` is the issuing client's state. */
  request(op: ClientOp, memory: ClientMemory): Body;
  /** Turns the `*_ok` reply into the value recorded in the history. */
  decode(op: ClientOp, body: Body, memory: ClientMemory): Decoded;
  /** Ops that change nothing: an error reply means they definitely did not happen. */
  idempotent(f: string): boolean;
  /** The checkers judging a run. */
  checkers(o: CheckOptions): HistoryCheckerSpec[];
  /** Sends `topology` after `init`. */
  usesTopology?: boolean;
}

const expectType = (body: Body, type: string): string | undefined =>
  body.type === type ? undefined : `expected a ${type} reply, got type ${JSON.stringify(body.type)}`;

const readOnly = (f: string) => f === 'read' || f === 'poll' || f === 'list_committed_offsets';

function okField(body: Body, type: string, field: string, valid: (v: unknown) => boolean, what: string): Decoded {
  const bad = expectType(body, type);
  if (bad) return { problem: bad };
  if (!valid(body[field])) return { problem: `${type}.${field} must be ${what}, got ${JSON.stringify(body[field])}` };
  return { value: body[field] };
}

const echo: MaelstromWorkload = {
  name: 'echo',
  description: 'clients send echo requests; nodes answer with the same payload',
  op: (_rng, i) => ({ f: 'echo', value: `Please echo ${i}` }),
  request: (op) => ({ type: 'echo', echo: op.value }),
  decode: (_op, body) => okField(body, 'echo_ok', 'echo', () => true, 'present'),
  idempotent: () => true,
  checkers: () => [custom('echo', checkEcho)],
};

const uniqueIds: MaelstromWorkload = {
  name: 'unique-ids',
  description: 'clients ask for ids; every id handed out must be distinct across nodes',
  op: () => ({ f: 'generate', value: null }),
  request: () => ({ type: 'generate' }),
  decode: (_op, body) => okField(body, 'generate_ok', 'id', (v) => v !== undefined && v !== null, 'a value'),
  idempotent: () => false,
  checkers: () => [{ kind: 'unique-ids' }],
};

const isIntArray = (v: unknown) => Array.isArray(v) && v.every((x) => Number.isInteger(x));

const broadcast: MaelstromWorkload = {
  name: 'broadcast',
  description: 'clients broadcast distinct integers and read; every node must finally hold every acknowledged one',
  op: (rng, i) => (rng() < 0.5 ? { f: 'broadcast', value: i } : { f: 'read', value: null }),
  finalOp: { f: 'read', value: FINAL },
  request: (op) => (op.f === 'broadcast' ? { type: 'broadcast', message: op.value } : { type: 'read' }),
  decode: (op, body) =>
    op.f === 'broadcast' ? (expectType(body, 'broadcast_ok') ? { problem: expectType(body, 'broadcast_ok')! } : { value: op.value }) : okField(body, 'read_ok', 'messages', isIntArray, 'an array of integers'),
  idempotent: readOnly,
  checkers: (o) => [custom('broadcast', (h) => checkFinalSet(h, 'broadcast', 'broadcast', o.settleMs))],
  usesTopology: true,
};

const gSet: MaelstromWorkload = {
  name: 'g-set',
  description: 'a grow-only set: clients add elements and read; final reads must hold every acknowledged add',
  op: (rng, i) => (rng() < 0.5 ? { f: 'add', value: i } : { f: 'read', value: null }),
  finalOp: { f: 'read', value: FINAL },
  request: (op) => (op.f === 'add' ? { type: 'add', element: op.value } : { type: 'read' }),
  decode: (op, body) =>
    op.f === 'add' ? (expectType(body, 'add_ok') ? { problem: expectType(body, 'add_ok')! } : { value: op.value }) : okField(body, 'read_ok', 'value', Array.isArray, 'an array'),
  idempotent: readOnly,
  checkers: (o) => [custom('g-set', (h) => checkFinalSet(h, 'g-set', 'add', o.settleMs))],
};

function counter(name: string, negative: boolean): MaelstromWorkload {
  return {
    name,
    description: negative ? 'a counter that goes up and down; final reads within the bounds of the adds' : 'a grow-only counter; final reads within the bounds of the adds',
    op: (rng) => (rng() < 0.5 ? { f: 'add', value: negative ? intBelow(rng, 11) - 5 : intBelow(rng, 5) } : { f: 'read', value: null }),
    finalOp: { f: 'read', value: FINAL },
    request: (op) => (op.f === 'add' ? { type: 'add', delta: op.value } : { type: 'read' }),
    decode: (op, body) =>
      op.f === 'add' ? (expectType(body, 'add_ok') ? { problem: expectType(body, 'add_ok')! } : { value: op.value }) : okField(body, 'read_ok', 'value', Number.isFinite as (v: unknown) => boolean, 'a number'),
    idempotent: readOnly,
    checkers: (o) => [custom('counter', (h) => checkFinalCounter(h, o.settleMs))],
  };
}

const KV_KEYS = 5;
const KV_VALUES = 5;

const linKv: MaelstromWorkload = {
  name: 'lin-kv',
  description: 'a linearizable key-value store: read, write and cas on a few keys, checked per key as a cas-register',
  op: (rng) => {
    const key = String(intBelow(rng, KV_KEYS));
    const r = rng();
    if (r < 1 / 3) return { f: 'read', value: null, key };
    if (r < 2 / 3) return { f: 'write', value: intBelow(rng, KV_VALUES), key };
    return { f: 'cas', value: [intBelow(rng, KV_VALUES), intBelow(rng, KV_VALUES)], key };
  },
  request: (op) => {
    const key = Number(op.key);
    if (op.f === 'read') return { type: 'read', key };
    if (op.f === 'write') return { type: 'write', key, value: op.value };
    const [from, to] = op.value as [unknown, unknown];
    return { type: 'cas', key, from, to };
  },
  decode: (op, body) => {
    if (op.f === 'read') return okField(body, 'read_ok', 'value', (v) => v !== undefined, 'present');
    const bad = expectType(body, `${op.f}_ok`);
    return bad ? { problem: bad } : { value: op.value };
  },
  idempotent: readOnly,
  checkers: () => [{ kind: 'linearizable', model: 'kv' }],
};

const KAFKA_KEYS = 3;

const kafka: MaelstromWorkload = {
  name: 'kafka',
  description: 'replicated logs: send, poll, commit_offsets, list_committed_offsets; no lost, duplicate, reordered or skipped messages',
  op: (rng, i) => {
    const r = rng();
    if (r < 0.5) return { f: 'send', value: { key: String(intBelow(rng, KAFKA_KEYS)), msg: i } };
    if (r < 0.85) return { f: 'poll', value: null };
    if (r < 0.95) return { f: 'commit_offsets', value: null };
    return { f: 'list_committed_offsets', value: null };
  },
  finalOp: { f: 'poll', value: FINAL },
  request: (op, memory) => kafkaRequest(op, memory),
  decode: (op, body, memory) => kafkaDecode(op, body, memory),
  idempotent: readOnly,
  checkers: () => [custom('kafka', checkKafka)],
};

function positions(memory: ClientMemory): Record<string, number> {
  let p = memory.get('positions') as Record<string, number> | undefined;
  if (!p) {
    p = Object.fromEntries(Array.from({ length: KAFKA_KEYS }, (_, k) => [String(k), 0]));
    memory.set('positions', p);
  }
  return p;
}

function kafkaRequest(op: ClientOp, memory: ClientMemory): Body {
  switch (op.f) {
    case 'send': {
      const v = op.value as { key: string; msg: unknown };
      return { type: 'send', key: v.key, msg: v.msg };
    }
    case 'poll':
      return { type: 'poll', offsets: { ...positions(memory) } };
    case 'commit_offsets': {
      // Commit what this client has consumed: the offset before its next position.
      const offsets = Object.fromEntries(Object.entries(positions(memory)).filter(([, p]) => p > 0).map(([k, p]) => [k, p - 1]));
      return { type: 'commit_offsets', offsets };
    }
    default:
      return { type: 'list_committed_offsets', keys: Object.keys(positions(memory)) };
  }
}

function kafkaDecode(op: ClientOp, body: Body, memory: ClientMemory): Decoded {
  switch (op.f) {
    case 'send': {
      const d = okField(body, 'send_ok', 'offset', Number.isInteger as (v: unknown) => boolean, 'an integer');
      if ('problem' in d) return d;
      const v = op.value as { key: string; msg: unknown };
      return { value: { key: v.key, msg: v.msg, offset: d.value } };
    }
    case 'poll': {
      const d = okField(body, 'poll_ok', 'msgs', (v) => v !== null && typeof v === 'object' && !Array.isArray(v), 'an object');
      if ('problem' in d) return d;
      const msgs = d.value as Record<string, unknown>;
      const pos = positions(memory);
      for (const [key, list] of Object.entries(msgs)) {
        if (!Array.isArray(list) || !list.every((e) => Array.isArray(e) && e.length === 2 && Number.isInteger(e[0]))) {
          return { problem: `poll_ok.msgs.${key} must be a list of [offset, msg] pairs` };
        }
        for (const [offset] of list as Array<[number, unknown]>) pos[key] = Math.max(pos[key] ?? 0, offset + 1);
      }
      return { value: { msgs } };
    }
    case 'commit_offsets': {
      const bad = expectType(body, 'commit_offsets_ok');
      return bad ? { problem: bad } : { value: null };
    }
    default:
      return okField(body, 'list_committed_offsets_ok', 'offsets', (v) => v !== null && typeof v === 'object', 'an object');
  }
}

const TXN_KEYS = 5;
const TXN_MAX_MOPS = 4;

function txn(name: 'txn-list-append' | 'txn-rw-register'): MaelstromWorkload {
  const listAppend = name === 'txn-list-append';
  const write = listAppend ? 'append' : 'w';
  return {
    name,
    description: listAppend ? 'transactions of appends to and reads of lists, checked for isolation anomalies (Elle-style)' : 'transactions of writes and reads of registers, checked for isolation anomalies (Elle-style)',
    op: (rng, i) => {
      const n = 1 + intBelow(rng, TXN_MAX_MOPS);
      // Written values are unique per run (op index and position), as the checker needs.
      const mops = Array.from({ length: n }, (_, j) => (rng() < 0.5 ? ['r', intBelow(rng, TXN_KEYS), null] : [write, intBelow(rng, TXN_KEYS), i * TXN_MAX_MOPS + j + 1]));
      return { f: 'txn', value: mops };
    },
    request: (op) => ({ type: 'txn', txn: op.value }),
    decode: (op, body) => {
      const d = okField(body, 'txn_ok', 'txn', Array.isArray, 'a list of micro-ops');
      if ('problem' in d) return d;
      const sent = op.value as unknown[][];
      const got = d.value as unknown[];
      if (got.length !== sent.length) return { problem: `txn_ok.txn has ${got.length} micro-ops, the request had ${sent.length}` };
      for (const [i, m] of got.entries()) {
        if (!Array.isArray(m) || m.length !== 3 || m[0] !== sent[i][0] || m[1] !== sent[i][1]) return { problem: `txn_ok.txn[${i}] is ${JSON.stringify(m)}, expected [${JSON.stringify(sent[i][0])}, ${JSON.stringify(sent[i][1])}, ...]` };
      }
      return { value: got };
    },
    idempotent: () => false,
    checkers: (o) => [{ kind: 'transactional', workload: listAppend ? 'list-append' : 'rw-register', consistency: o.consistency }],
  };
}

/** Every workload Faultline runs, by Maelstrom's name. */
export const workloads: Record<string, MaelstromWorkload> = {
  echo,
  'unique-ids': uniqueIds,
  broadcast,
  'g-set': gSet,
  'g-counter': counter('g-counter', false),
  'pn-counter': counter('pn-counter', true),
  'lin-kv': linKv,
  kafka,
  'txn-list-append': txn('txn-list-append'),
  'txn-rw-register': txn('txn-rw-register'),
};

/** Maelstrom workloads Faultline knows but cannot check yet, with the reason. */
export const refusedWorkloads: Record<string, string> = {};

/**
 * Looks a workload up by name, or throws a message listing the valid choices.
 *
 * @example
 * workloadByName('broadcast').usesTopology; // true
 */
export function workloadByName(name: string): MaelstromWorkload {
  const w = workloads[name];
  if (w) return w;
  if (name in refusedWorkloads) throw new Error(`workload '${name}' is not supported: it ${refusedWorkloads[name]}; choose from ${Object.keys(workloads).join(', ')}`);
  throw new Error(`unknown workload '${name}': choose from ${Object.keys(workloads).join(', ')}`);
}
