import { describe, expect, it } from 'vitest';
import { protocols } from '../../protocols/index.ts';
import { runScenario } from '../../src/run/run.ts';
import { resolveOptions } from '../../src/run/scenario.ts';

/** Every bundled protocol and variant, replayed: same seed, same fingerprint, same history. */
describe('determinism of every bundled protocol', () => {
  for (const p of protocols) {
    for (const [variant, v] of Object.entries(p.variants)) {
      it(`${p.name}/${variant}: each seed gives one fingerprint, and the tape re-drives it`, async () => {
        for (const seed of [0, 1, 2, 3]) {
          const options = resolveOptions(p, { ...v.scenario, variant, seed, ops: 60 });
          const a = await runScenario(p, { options });
          const b = await runScenario(p, { options });
          expect(b.sim.fingerprint, `${p.name}/${variant} seed ${seed}`).toBe(a.sim.fingerprint);
          expect(b.status).toBe(a.status);
          const redriven = await runScenario(p, { options, ops: a.ops, faults: a.faults, tape: a.sim.tape });
          expect(redriven.sim.fingerprint, `${p.name}/${variant} seed ${seed} from its tape`).toBe(a.sim.fingerprint);
        }
      });
    }
  }
});
