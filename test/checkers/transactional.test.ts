import { describe, expect, it } from 'vitest';
import { checkTransactional, explainAnomalies } from '../../checkers/transactional/index.ts';
import { HistoryError } from '../../checkers/history-error.ts';
import type { History } from '../../src/history/types.ts';
import { HB } from './helpers.ts';

type Mop = [string, string, unknown];
/** Txns run one after another (no concurrency) unless overlapped with `concurrent`. */
class TB {
  readonly b = new HB();
  /** A complete txn on `process`: invoke with reads unknown, then its completion. */
  txn(process: number, mops: Mop[], status: 'ok' | 'fail' | 'info' = 'ok'): this {
    this.b.invoke(process, 'txn', mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]));
    this.b[status](process, status === 'ok' ? mops : mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]));
    return this;
  }
  /** Several txns all invoked before any completes (all concurrent). */
  concurrent(txns: [number, Mop[]][]): this {
    for (const [p, m] of txns) this.b.invoke(p, 'txn', m.map(([f, k, v]) => [f, k, f === 'r' ? null : v]));
    for (const [p, m] of txns) this.b.ok(p, m);
    return this;
  }
  get h(): History {
    return this.b.ops;
  }
}

const la = (h: History, consistency = 'serializable') => checkTransactional(h, { workload: 'list-append', consistency });
const rw = (h: History, consistency = 'serializable') => checkTransactional(h, { workload: 'rw-register', consistency });
const types = (r: ReturnType<typeof la>) => r.details.anomalies.map((a) => a.type);

describe('transactional checker: list-append anomalies, one minimal history each', () => {
  it('a serial history is valid at every level', () => {
    const h = new TB().txn(0, [['append', 'x', 1], ['r', 'x', [1]]]).txn(1, [['r', 'x', [1]], ['append', 'x', 2], ['append', 'y', 1]]).txn(0, [['r', 'x', [1, 2]], ['r', 'y', [1]]]).h;
    const r = la(h, 'strict-serializable');
    expect(r.verdict).toBe('ok');
    expect(r.details.anomalies).toEqual([]);
    expect(r.details.edges).toBeGreaterThan(0);
  });

  it('G0: appends ordered one way on x and the other way on y', () => {
    const h = new TB()
      .concurrent([[0, [['append', 'x', 1], ['append', 'y', 1]]], [1, [['append', 'x', 2], ['append', 'y', 2]]]])
      .txn(2, [['r', 'x', [1, 2]], ['r', 'y', [2, 1]]]).h;
    const r = la(h, 'read-uncommitted');
    expect(r.verdict).toBe('illegal');
    const g0 = r.details.anomalies.find((a) => a.type === 'G0')!;
    expect(g0.cycle!.map((s) => s.kind)).toEqual(['ww', 'ww']);
    expect(g0.cycle![0].why).toMatch(/T\d \(process \d, op #\d+\) appended \d to (x|y) just before T\d .* appended \d/);
  });

  it('G1a: a read of an element appended by a failed txn', () => {
    const h = new TB().txn(0, [['append', 'x', 1]], 'fail').txn(1, [['r', 'x', [1]]]).h;
    const r = la(h, 'read-committed');
    expect(types(r)).toEqual(['G1a']);
    expect(r.details.anomalies[0].summary).toMatch(/T1 \(process 1, op #2\) read 1 in x = \[1\], appended by T0 \(process 0, op #0\), which failed/);
    expect(la(h, 'read-uncommitted').verdict).toBe('ok');
  });

  it('G1b: a read of an intermediate state of another txn', () => {
    const h = new TB().txn(0, [['append', 'x', 1], ['append', 'x', 2]]).txn(1, [['r', 'x', [1]]]).h;
    expect(types(la(h))).toContain('G1b');
    expect(la(h).details.anomalies.find((a) => a.type === 'G1b')!.summary).toMatch(/saw 1 but not 2/);
  });

  it('G1c: circular information flow (each txn reads the other\'s append)', () => {
    const h = new TB().concurrent([[0, [['append', 'x', 1], ['r', 'y', [1]]]], [1, [['append', 'y', 1], ['r', 'x', [1]]]]]).h;
    const r = la(h, 'read-committed');
    expect(r.verdict).toBe('illegal');
    const a = r.details.anomalies.find((x) => x.type === 'G1c')!;
    expect(a.cycle!.map((s) => s.kind)).toEqual(['wr', 'wr']);
    expect(a.cycle![0].why).toMatch(/read (x|y) = \[1\], ending with 1, which T\d .* appended/);
  });

  it('G-single: read skew, one anti-dependency', () => {
    // T1 appends to x and y; T2 sees y's append but not x's.
    const h = new TB()
      .concurrent([[0, [['append', 'x', 1], ['append', 'y', 1]]], [1, [['r', 'x', []], ['r', 'y', [1]]]]])
      .txn(2, [['r', 'x', [1]]]).h;
    const r = la(h, 'snapshot-isolation');
    expect(r.verdict).toBe('illegal');
    const a = r.details.anomalies.find((x) => x.type === 'G-single')!;
    expect(a.cycle!.map((s) => s.kind).sort()).toEqual(['rw', 'wr']);
    expect(a.cycle!.find((s) => s.kind === 'rw')!.why).toMatch(/T1 .* read x = \[\] without 1, which T0 .* appended next/);
    expect(la(h, 'read-committed').verdict).toBe('ok');
  });

  it('G2-item: write skew, two anti-dependencies; allowed by snapshot isolation', () => {
    const h = new TB()
      .concurrent([[0, [['r', 'x', []], ['append', 'y', 1]]], [1, [['r', 'y', []], ['append', 'x', 1]]]])
      .txn(2, [['r', 'x', [1]], ['r', 'y', [1]]]).h;
    const r = la(h, 'serializable');
    expect(r.verdict).toBe('illegal');
    expect(types(r)).toEqual(['G2-item']);
    expect(r.details.anomalies[0].cycle!.map((s) => s.kind)).toEqual(['rw', 'rw']);
    expect(la(h, 'snapshot-isolation').verdict).toBe('ok');
    expect(r.details.ruledOut).toEqual(expect.arrayContaining(['serializable', 'repeatable-read', 'strict-serializable']));
    expect(r.details.ruledOut).not.toContain('snapshot-isolation');
  });

  it('write skew with appends nobody read is still caught (unread elements follow every read)', () => {
    const h = new TB().concurrent([[0, [['r', 'x', []], ['append', 'y', 1]]], [1, [['r', 'y', []], ['append', 'x', 1]]]]).h;
    expect(types(la(h))).toEqual(['G2-item']);
  });

  it('internal: a txn that does not see its own append', () => {
    const h = new TB().txn(0, [['append', 'x', 1], ['r', 'x', []]]).h;
    expect(types(la(h, 'read-uncommitted'))).toEqual(['internal']);
    expect(la(h, 'read-uncommitted').verdict).toBe('illegal');
  });

  it('duplicate elements, incompatible orders, garbage reads', () => {
    const dup = new TB().txn(0, [['append', 'x', 1]]).txn(1, [['r', 'x', [1, 1]]]).h;
    expect(types(la(dup))).toContain('duplicate-elements');
    const inc = new TB().txn(0, [['append', 'x', 1]]).txn(1, [['append', 'x', 2]]).txn(2, [['r', 'x', [1, 2]]]).txn(3, [['r', 'x', [2, 1]]]).h;
    const r = la(inc);
    expect(types(r)).toEqual(['incompatible-order']);
    expect(r.details.anomalies[0].summary).toMatch(/\[1,2\] .* \[2,1\]: neither is a prefix of the other/);
    const garbage = new TB().txn(0, [['r', 'x', [9]]]).h;
    expect(types(la(garbage))).toEqual(['garbage-read']);
  });

  it('a value appended twice (outside the workload contract) is skipped, never a garbage read', () => {
    const h = new TB().txn(0, [['append', 'x', 1]]).txn(1, [['append', 'x', 1]]).txn(2, [['r', 'x', [1, 1]]]).h;
    expect(types(la(h))).toEqual(['duplicate-elements']);
    const r = new TB().txn(0, [['w', 'x', 1]]).txn(1, [['w', 'x', 1]]).txn(2, [['r', 'x', 1]]).h;
    expect(types(rw(r))).toEqual([]);
  });

  it('G-single-realtime: a stale read after a completed append is only a strict-serializability violation', () => {
    const h = new TB().txn(0, [['append', 'x', 1]]).txn(1, [['r', 'x', []]]).h;
    expect(la(h, 'serializable').verdict).toBe('ok');
    const r = la(h, 'strict-serializable');
    expect(r.verdict).toBe('illegal');
    expect(types(r)).toEqual(['G-single-realtime']);
    const why = r.details.anomalies[0].cycle!.map((s) => `${s.kind}: ${s.why}`).join('\n');
    expect(why).toMatch(/realtime: T0 .* completed \(record 1\) before T1 .* was invoked \(record 2\)/);
    expect(why).toMatch(/rw: T1 .* read x = \[\]/);
    expect(explainAnomalies(r.details)).toMatch(/^G-single-realtime \(read skew/);
  });

  it('G0-process: a process whose later append is ordered before its earlier one', () => {
    const h = new TB().txn(0, [['append', 'x', 1]]).txn(0, [['append', 'x', 2]]).txn(1, [['r', 'x', [2, 1]]]).h;
    expect(la(h, 'serializable').verdict).toBe('ok');
    expect(types(la(h, 'strong-session-serializable'))).toContain('G0-process');
  });
});

describe('transactional checker: rw-register', () => {
  it('serial is valid; lost update is caught and explained', () => {
    const ok = new TB().txn(0, [['w', 'x', 1]]).txn(1, [['r', 'x', 1], ['w', 'x', 2]]).txn(0, [['r', 'x', 2]]).h;
    expect(rw(ok, 'strict-serializable').verdict).toBe('ok');
    const lost = new TB().txn(0, [['w', 'x', 1]]).concurrent([[1, [['r', 'x', 1], ['w', 'x', 2]]], [2, [['r', 'x', 1], ['w', 'x', 3]]]]).h;
    const r = rw(lost, 'snapshot-isolation');
    expect(r.verdict).toBe('illegal');
    expect(types(r)).toContain('lost-update');
    expect(r.details.anomalies.find((a) => a.type === 'lost-update')!.summary).toMatch(/all read x = 1 and then wrote x/);
    expect(rw(lost, 'read-committed').verdict).toBe('ok');
  });

  it('G1a, G1b, internal, garbage', () => {
    expect(types(rw(new TB().txn(0, [['w', 'x', 1]], 'fail').txn(1, [['r', 'x', 1]]).h))).toEqual(['G1a']);
    expect(types(rw(new TB().txn(0, [['w', 'x', 1], ['w', 'x', 2]]).txn(1, [['r', 'x', 1]]).h))).toContain('G1b');
    expect(types(rw(new TB().txn(0, [['w', 'x', 1], ['r', 'x', 3]]).h))).toContain('internal');
    expect(types(rw(new TB().txn(0, [['r', 'x', 5]]).h))).toEqual(['garbage-read']);
  });

  it('G-single (read skew) and G2-item (write skew) from nil reads', () => {
    const skew = new TB().concurrent([[0, [['w', 'x', 1], ['w', 'y', 1]]], [1, [['r', 'x', null], ['r', 'y', 1]]]]).h;
    expect(types(rw(skew))).toEqual(['G-single']);
    const write = new TB().concurrent([[0, [['r', 'x', null], ['w', 'y', 1]]], [1, [['r', 'y', null], ['w', 'x', 1]]]]).h;
    expect(types(rw(write))).toEqual(['G2-item']);
    expect(rw(write, 'snapshot-isolation').verdict).toBe('ok');
  });

  it('G1c through writes that follow reads', () => {
    const h = new TB().concurrent([[0, [['r', 'x', 1], ['w', 'y', 1]]], [1, [['r', 'y', 1], ['w', 'x', 1]]]]).h;
    expect(types(rw(h, 'read-committed'))).toContain('G1c');
  });

  it('says what it cannot infer', () => {
    const r = rw(new TB().txn(0, [['w', 'x', 1]]).h);
    expect(r.details.cannotInfer.join(' ')).toMatch(/blind writes are unordered/);
  });
});

describe('transactional checker: bad input', () => {
  const bad = (h: History, workload: 'list-append' | 'rw-register' = 'list-append', consistency = 'serializable') => {
    try {
      checkTransactional(h, { workload, consistency, source: { file: 't.edn', lines: h.map((_, i) => i + 1) } });
    } catch (e) {
      expect(e).toBeInstanceOf(HistoryError);
      return (e as Error).message;
    }
    throw new Error('expected a HistoryError');
  };
  it('an unknown micro-op, a read that is not a list, an unknown model: one line naming what and where', () => {
    expect(bad(new TB().txn(0, [['incr', 'x', 1]]).h)).toMatch(/^t\.edn:line 2: micro-op 1 of the txn: unknown micro-op "incr" for list-append \(expected append or r\)/);
    expect(bad(new TB().txn(0, [['r', 'x', 5]]).h)).toMatch(/line 2: micro-op 1 of the txn: a list-append read returns a list \(or nil\), got 5 for key x/);
    expect(bad(new TB().txn(0, [['append', 'x', 5]]).h, 'rw-register')).toMatch(/unknown micro-op "append" for rw-register/);
    expect(bad(new TB().h, 'list-append', 'linearizable-ish')).toMatch(/unknown consistency model "linearizable-ish" \(valid: read-uncommitted, /);
    expect(bad(new HB().invoke(0, 'txn', 5).ok(0, 5).ops)).toMatch(/a txn's value must be a list of micro-ops/);
  });
});

describe('transactional checker from a protocol', () => {
  it('is a bundled checker kind for checkHistory', async () => {
    const { checkHistory } = await import('../../checkers/index.ts');
    const h = new TB().concurrent([[0, [['r', 'x', []], ['append', 'y', 1]]], [1, [['r', 'y', []], ['append', 'x', 1]]]]).h;
    const [ser, si] = checkHistory(h, [{ kind: 'transactional', workload: 'list-append' }, { kind: 'transactional', workload: 'list-append', consistency: 'snapshot-isolation' }]);
    expect([ser.checker, ser.verdict]).toEqual(['transactional(list-append, serializable)', 'illegal']);
    expect([si.checker, si.verdict]).toEqual(['transactional(list-append, snapshot-isolation)', 'ok']);
    const [bad] = checkHistory(h, [{ kind: 'transactional', workload: 'list-append', consistency: 'nope' }]);
    expect(bad.summary).toMatch(/bad history: unknown consistency model "nope"/);
  });
});
