import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readHistory } from '../../checkers/formats/index.ts';
import { checkLinearizability } from '../../checkers/linearizability.ts';
import { getModel } from '../../models/index.ts';

// The anchors live beside the repo: <repo>/../shared/anchors/porcupine.
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(repo, '..', 'shared', 'anchors', 'porcupine');
const present = existsSync(join(dir, 'expected.tsv'));
if (!present) console.warn(`SKIPPING Porcupine anchor histories: ${dir}/expected.tsv not found (CI has it)`);

const rows = present
  ? readFileSync(join(dir, 'expected.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'))
  : [];

describe.skipIf(!present)('Porcupine anchor histories get their known verdicts', () => {
  it.each(rows)('%s (%s, %s ops) is %s', (file, format, ops, expected) => {
    const read = readHistory(readFileSync(join(dir, file), 'utf8'), undefined, file);
    expect(read.format).toBe(format === 'etcd-log' ? 'porcupine-etcd' : 'porcupine-kv');
    expect(read.history.length).toBe(2 * Number(ops)); // one invoke + one completion per op
    const model = getModel(read.defaults.model!, { initial: read.defaults.initial });
    const r = checkLinearizability(read.history, model, { timeoutMs: 60_000 });
    expect(r.verdict).toBe(expected);
    if (r.verdict === 'illegal') {
      const ce = r.counterexamples[0];
      expect(ce.op).not.toBeNull();
      expect(ce.prefixes.length).toBeGreaterThan(0);
      // The blocked op is not part of the prefix it cannot follow.
      for (const p of ce.prefixes) expect(p.ops.map((o) => o.index)).not.toContain(p.blocked!.index);
      expect(r.summary).toMatch(/cannot be linearized/);
    }
  });

  it('the kv set is decided per key; whole, c10 is still decided, with the same verdicts', () => {
    for (const file of ['kv/c01-bad.txt', 'kv/c01-ok.txt', 'kv/c10-bad.txt']) {
      const read = readHistory(readFileSync(join(dir, file), 'utf8'), undefined, file);
      const model = getModel('kv', { initial: '' });
      const parts = checkLinearizability(read.history, model);
      const whole = checkLinearizability(read.history, model, { partition: false, timeoutMs: 30_000 });
      expect(parts.partitions).toBeGreaterThan(1);
      expect(whole.partitions).toBe(1);
      expect(whole.verdict).toBe(parts.verdict);
    }
  });

  it('c50-bad is explained within a small memory bound, and a tiny budget yields unknown(memory)', () => {
    const read = readHistory(readFileSync(join(dir, 'kv/c50-bad.txt'), 'utf8'));
    const model = getModel('kv', { initial: '' });
    const r = checkLinearizability(read.history, model, { partition: false, maxMemoryMb: 4 });
    expect(r.verdict).toBe('unknown');
    expect(r.budget).toBe('memory');
    const t = checkLinearizability(read.history, model, { partition: false, timeoutMs: 50 });
    expect(t.verdict).toBe('unknown');
    expect(t.budget).toBe('wall-time');
  });
});
