import type { History, HistoryOp, OpType } from '../../src/history/types.ts';

/** Builds histories in tests: invoke/complete by process, index and time = position. */
export class HB {
  readonly ops: History = [];
  private f = new Map<number, { f: string; key?: string }>();
  private push(type: OpType, process: number, f: string, value: unknown, key?: string): this {
    const op: HistoryOp = { index: this.ops.length, time: this.ops.length * 10, type, process, f, value };
    if (key !== undefined) op.key = key;
    this.ops.push(op);
    return this;
  }
  /** An independent copy, to extend one prefix in several ways. */
  clone(): HB {
    const c = new HB();
    c.ops.push(...structuredClone(this.ops));
    for (const [k, v] of this.f) c.f.set(k, { ...v });
    return c;
  }
  invoke(process: number, f: string, value: unknown = null, key?: string): this {
    this.f.set(process, { f, key });
    return this.push('invoke', process, f, value, key);
  }
  ok(process: number, value: unknown = null): this {
    const p = this.f.get(process)!;
    return this.push('ok', process, p.f, value, p.key);
  }
  fail(process: number, value: unknown = null): this {
    const p = this.f.get(process)!;
    return this.push('fail', process, p.f, value, p.key);
  }
  info(process: number, value: unknown = null): this {
    const p = this.f.get(process)!;
    return this.push('info', process, p.f, value, p.key);
  }
}
