/**
 * How a corrupt PBFT replica lies (the `corrupt` fault's mutator for this protocol). A Byzantine
 * replica holds its own key, so it re-signs what it changes as itself; what it cannot do is sign
 * as another replica, so certificates and proofs inside its messages stay others' words. The lies
 * are the classic ones: a pre-prepare with a sequence number one window ahead or for the null
 * request, votes for another digest, a wrong checkpoint digest, a view change that hides its
 * prepared certificates, a new view short of a pre-prepare, a wrong reply.
 */
import { mutateJson, type Mutator, type Rng } from '../../src/index.ts';
import { NULL_DIGEST, sign, type Checkpoint, type Commit, type Msg, type NewView, type PrePrepare, type Prepare, type ViewChange } from './messages.ts';
import { WINDOW } from './view-change.ts';

export const pbftLies: Mutator = (msg, rng, info) => {
  const m = msg as Msg;
  if (m === null || typeof m !== 'object') return msg;
  const from = info.from;
  switch (m.t) {
    case 'pp':
      return liePrePrepare(m, rng, from);
    case 'p':
    case 'c':
      return sign<Prepare | Commit>({ ...m, from, d: m.d === NULL_DIGEST ? 1 : NULL_DIGEST });
    case 'cp':
      return sign<Checkpoint>({ ...m, from, sd: m.sd + 1 });
    case 'vc':
      return sign<ViewChange>({ ...m, from, P: [] });
    case 'nv':
      return sign<NewView>({ ...m, from, O: m.O.slice(0, -1) });
    case 'reply':
      return { ...m, result: { ok: true, value: 'lie' } };
    default:
      // Requests carry the client's signature: a change is caught, as any garbage would be.
      return mutateJson(msg, rng);
  }
};

function liePrePrepare(m: PrePrepare, rng: Rng, from: string): PrePrepare {
  const { req: _req, ...rest } = m;
  switch (Math.floor(rng() * 3)) {
    case 0:
      // A number one window ahead: the same ring slot, a different sequence number.
      return sign<PrePrepare>({ ...m, from, n: m.n + WINDOW });
    case 1:
      return sign<PrePrepare>({ ...rest, from, d: NULL_DIGEST });
    default:
      return sign<PrePrepare>({ ...m, from, v: m.v + 1 });
  }
}
