import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      const { entry, protocol, input, settings } = loadEntry(file, protocols);
      const r = await runScenario(protocol, input, settings);
      const replay = `npx tsx src/cli/main.ts replay ${file}`;
      expect(r.status, `status changed; replay with: ${replay}`).toBe(entry.expected.status);
      if (entry.expected.status === 'fail') {
        expect(r.failing, `failing checkers changed; replay with: ${replay}`).toEqual(entry.expected.failing);
      }
      expect(r.sim.fingerprint, `fingerprint changed (the run took another path); replay with: ${replay}`).toBe(entry.fingerprint);
    });
  }
});

describe('an entry judged under a non-default check budget', () => {
  it('records the budget and replays under it: a verdict that depends on it stays what it was', async () => {
    const raw = JSON.parse(readFileSync('corpus/abd/no-write-back-7.json', 'utf8')) as Record<string, unknown>;
    const dir = mkdtempSync(join(tmpdir(), 'faultline-check-'));
    const file = join(dir, 'no-write-back-7.json');
    writeFileSync(file, JSON.stringify({ ...raw, check: { maxStates: 1 } }));
    const { protocol, input, settings } = loadEntry(file, protocols);
    expect(settings).toEqual({ checkMaxStates: 1 });
    expect((await runScenario(protocol, input, settings)).status).toBe('unknown');
    // The same run under the default budget is decided: the field is what made the difference.
    expect((await runScenario(protocol, input)).status).toBe('fail');
    writeFileSync(file, JSON.stringify({ ...raw, check: { maxStates: 0 } }));
    expect(() => loadEntry(file, protocols)).toThrow(/check/);
  });
});
