import { rateProblem, round2, type FaultKind } from './kind.ts';

/** Every link duplicates messages at `rate` (at least; a link's own higher rate wins). */
export interface DupFault {
  kind: 'dup';
  atMs: number;
  durationMs: number;
  rate: number;
}

export const dup: FaultKind<DupFault> = {
  kind: 'dup',
  generate: (_name, rng, _nodes, w) => ({ kind: 'dup', ...w, rate: round2(0.2 + rng() * 0.6) }),
  validate: (x) => rateProblem(x, 'rate'),
  describe: (f) => `duplication spike ${Math.round(f.rate * 100)}% for ${f.durationMs} ms`,
  applies: () => true,
  apply: (f, world) => world.dupSpike(f.rate, true),
  revert: (f, world) => world.dupSpike(f.rate, false),
  weaken: [],
  renameNodes: (f) => ({ ...f }),
  clone: (f) => ({ ...f }),
  arbitrary: (fcLib, c) =>
    fcLib.record({ kind: fcLib.constant('dup' as const), atMs: c.at, durationMs: c.duration, rate: fcLib.constantFrom(0.2, 0.5, 0.8) }),
};
