import { rateProblem, round2, type FaultKind } from './kind.ts';

/** Every link loses messages at `rate` (at least; a link's own higher rate wins). */
export interface LossFault {
  kind: 'loss';
  atMs: number;
  durationMs: number;
  rate: number;
}

export const loss: FaultKind<LossFault> = {
  kind: 'loss',
  generate: (_name, rng, _nodes, w) => ({ kind: 'loss', ...w, rate: round2(0.2 + rng() * 0.6) }),
  validate: (x) => rateProblem(x, 'rate'),
  describe: (f) => `loss spike ${Math.round(f.rate * 100)}% for ${f.durationMs} ms`,
  applies: () => true,
  apply: (f, world) => world.lossSpike(f.rate, true),
  revert: (f, world) => world.lossSpike(f.rate, false),
  weaken: [],
  renameNodes: (f) => ({ ...f }),
  clone: (f) => ({ ...f }),
  arbitrary: (fcLib, c) =>
    fcLib.record({ kind: fcLib.constant('loss' as const), atMs: c.at, durationMs: c.duration, rate: fcLib.constantFrom(0.2, 0.5, 0.8) }),
};
