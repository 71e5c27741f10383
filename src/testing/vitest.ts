/**
 * Vitest helpers: explore seeds inside a test; on a failure, shrink it, save the corpus entry and
 * throw an Error that carries the seed, the replay command and the counterexample story.
 *
 * @example
 * it('abd holds over 100 seeds', async () => {
 *   await exploreSeeds(abd, { variant: 'correct', seeds: [0, 100] });
 * });
 */
import { moduleField } from '../cli/entry.ts';
import { bundledNames, configProtocols, loadConfig } from '../run/load.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { runScenario, type RunResult } from '../run/run.ts';
import { resolveOptions, type ScenarioOptions } from '../run/scenario.ts';
import type { ShrinkBudgetLimits } from '../shrink/budget.ts';
import { shrinkAndSave } from '../shrink/counterexample.ts';
import type { ShrinkResult } from '../shrink/shrink.ts';

export interface ExploreSeedsOptions extends Partial<Omit<ScenarioOptions, 'seed' | 'protocol'>> {
  /** Seeds [from, to) to run. */
  seeds: [number, number];
  /** Corpus root to save the shrunk failure in (default 'corpus'); false: do not save. */
  save?: string | false;
  /** Shrink budget (runs and events: deterministic; wall time only as a safety net). */
  shrinkBudget?: Partial<ShrinkBudgetLimits>;
}

/** The error `exploreSeeds` throws: everything needed to reproduce and understand the failure. */
export class SeedFailure extends Error {
  constructor(
    message: string,
    readonly seed: number,
    readonly replay: string,
    readonly story: string,
    readonly shrunk: ShrinkResult,
    readonly savedTo?: string,
  ) {
    super(message);
    this.name = 'SeedFailure';
  }
}

/**
 * Runs seeds [from, to) of `protocol`; returns how many passed. At the first failing (or unknown)
 * seed it shrinks the run, saves the corpus entry (unless `save: false`) and throws SeedFailure.
 * A user's protocol that the project config lists is recorded with its module, so
 * `npx faultline replay <entry>` finds it.
 *
 * @example
 * const { passed } = await exploreSeeds(myProtocol, { variant: 'correct', seeds: [0, 50], nodes: 3 });
 */
export async function exploreSeeds(protocol: ProtocolDef, o: ExploreSeedsOptions): Promise<{ passed: number }> {
  const { seeds, save, shrinkBudget, ...given } = o;
  let passed = 0;
  for (let seed = seeds[0]; seed < seeds[1]; seed++) {
    const options = resolveOptions(protocol, { ...given, seed });
    const r = await runScenario(protocol, { options });
    if (r.status === 'pass') {
      passed++;
      continue;
    }
    const dir = save === false ? false : (save ?? 'corpus');
    const module = dir === false ? undefined : await moduleOf(protocol, dir);
    const cx = await shrinkAndSave(protocol, { options }, { ...shrinkBudget, corpusDir: dir, createdBy: `exploreSeeds (vitest) seed ${seed}`, module });
    const { shrunk, saved: savedTo } = cx;
    const story = cx.story.text;
    const replay = savedTo ? `npx faultline replay ${savedTo}` : `npx faultline shrink ${protocol.name} --variant ${options.variant} --seed ${seed}`;
    throw new SeedFailure(
      `${protocol.name}/${options.variant} seed ${seed}: ${r.status.toUpperCase()} (${r.failing.join(', ')})\nreplay: ${replay}\n\n${story}`,
      seed,
      replay,
      story,
      shrunk,
      savedTo,
    );
  }
  return { passed };
}

/** A user's protocol is recorded by the module its project config lists for it (so the entry replays). */
async function moduleOf(protocol: ProtocolDef, corpusDir: string) {
  if ((await bundledNames()).includes(protocol.name)) return undefined;
  const config = await loadConfig(corpusDir);
  const hit = config ? (await configProtocols(config)).find((c) => c.protocol.name === protocol.name) : undefined;
  return hit ? moduleField(hit.ref, corpusDir) : undefined;
}

/**
 * Custom matchers for vitest's `expect.extend`: `expect(result).toPass()` and
 * `expect(result).toFailWith('linearizable(register)')`, with the run's checks in the message.
 *
 * @example
 * import { expect } from 'vitest';
 * expect.extend(faultlineMatchers);
 */
export const faultlineMatchers = {
  toPass(received: RunResult) {
    const pass = received.status === 'pass';
    return {
      pass,
      message: () =>
        pass
          ? `expected ${label(received)} not to pass`
          : `expected ${label(received)} to pass, but: ${received.checks.filter((c) => c.verdict !== 'ok').map((c) => `${c.checker}: ${c.summary}`).join('; ')}`,
    };
  },
  toFailWith(received: RunResult, checker: string) {
    const pass = received.status === 'fail' && received.failing.includes(checker);
    return {
      pass,
      message: () => `expected ${label(received)} ${pass ? 'not ' : ''}to fail with ${checker}; it was ${received.status}${received.failing.length ? ` (${received.failing.join(', ')})` : ''}`,
    };
  },
};

function label(r: RunResult): string {
  return `${r.options.protocol}/${r.options.variant} seed ${r.options.seed}`;
}
