import type { ProtocolDef } from '../src/run/protocol.ts';
import { abd } from './abd/abd.ts';
import { lock } from './lock/lock.ts';
import { pingpong } from './pingpong/pingpong.ts';
import { paxos } from './paxos/paxos.ts';
import { twoPc } from './2pc/2pc.ts';
import { raft } from './raft/index.ts';
import { primaryBackup } from './primary-backup/primary-backup.ts';
import { crdtCounter, crdtOrSet } from './crdt/index.ts';
import { election } from './election/index.ts';
import { causal } from './causal/index.ts';
import { threePc } from './3pc/index.ts';
import { shardKv } from './shardkv/index.ts';
import { mapreduce } from './mapreduce/index.ts';
import { tob } from './tob/index.ts';
import { saga } from './saga/index.ts';
import { pbft } from './pbft/index.ts';
import { chord } from './chord/index.ts';

/** Every bundled protocol, in the order `faultline list` shows them. */
export const protocols: readonly ProtocolDef[] = [
  abd,
  pingpong,
  primaryBackup,
  raft,
  paxos,
  twoPc,
  lock,
  crdtCounter,
  crdtOrSet,
  election,
  causal,
  threePc,
  shardKv,
  mapreduce,
  tob,
  saga,
  pbft,
  chord,
];

/**
 * Finds a bundled protocol by name, or throws a message listing the names there are.
 *
 * @example
 * getProtocol('abd').variants; // { correct: ..., 'no-write-back': ... }
 */
export function getProtocol(name: string): ProtocolDef {
  const p = protocols.find((x) => x.name === name);
  if (p === undefined) {
    throw new Error(`unknown protocol '${name}': choose from ${protocols.map((x) => x.name).join(', ')} (see faultline list)`);
  }
  return p;
}
