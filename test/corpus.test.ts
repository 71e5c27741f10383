import { describe, expect, it } from 'vitest';
import { protocols } from '../protocols/index.ts';
import { listEntries, loadEntry } from '../src/corpus/corpus.ts';
import { runScenario } from '../src/run/run.ts';

/** The regression corpus: every entry replays to what it recorded (status, failing checkers, fingerprint). */
const entries = listEntries('corpus');

describe('regression corpus', () => {
  it('has entries', () => {
    expect(entries.length).toBeGreaterThan(0);
  });
  for (const file of entries) {
    it(file, async () => {
      const { entry, protocol, input } = loadEntry(file, protocols);
      const r = await runScenario(protocol, input);
      const replay = `npx tsx src/cli/main.ts replay ${file}`;
      expect(r.status, `status changed; replay with: ${replay}`).toBe(entry.expected.status);
      if (entry.expected.status === 'fail') {
        expect(r.failing, `failing checkers changed; replay with: ${replay}`).toEqual(entry.expected.failing);
      }
      expect(r.sim.fingerprint, `fingerprint changed (the run took another path); replay with: ${replay}`).toBe(entry.fingerprint);
    });
  }
});
