import { describe, expect, it } from 'vitest';
import type { NodeCtx, NodeHandlers } from '../../src/node/api.ts';
import { simulate } from './helpers.ts';

describe('pause', () => {
  it('a resumed node handles what fell due while it slept first, in the order it fell due', async () => {
    const seen: string[] = [];
    const create = (ctx: NodeCtx): NodeHandlers => ({
      onStart() {
        if (ctx.id === 'n1') ctx.setTimer(50, 'due-at-50');
        if (ctx.id === 'n2') ctx.setTimer(20, 'send');
      },
      onTimer(name) {
        if (ctx.id === 'n2') ctx.send('n1', 'sent-at-20');
        else seen.push(`${name}@${ctx.now()}`);
      },
      onMessage(_from, m) {
        seen.push(`${String(m)}@${ctx.now()}`);
      },
      onClientRequest(_op, reply) {
        seen.push(`request@${ctx.now()}`);
        reply({ type: 'ok' });
      },
    });
    const r = await simulate(create, {
      net: { latencyMinMs: 10, latencyMaxMs: 10 },
      // n1 sleeps from 10 to 200 ms; a client request reaches it exactly at 200 ms.
      faults: [{ kind: 'pause', atMs: 10, durationMs: 190, node: 'n1' }],
      ops: [{ client: 0, node: 'n1', f: 'read', value: null, thinkMs: 199 }],
      opTimeoutMs: 500,
    });
    expect(r.outcome).toBe('completed');
    // The message (due at 30) and the timer (due at 50) run at the resume, before the request.
    expect(seen).toEqual(['sent-at-20@200', 'due-at-50@200', 'request@200']);
  });

  it('a node paused twice handles each backlog at its own resume', async () => {
    const fired: number[] = [];
    const create = (ctx: NodeCtx): NodeHandlers => ({
      onStart() {
        if (ctx.id === 'n1') for (const t of [15, 25, 120, 130]) ctx.setTimer(t, String(t));
      },
      onTimer(name) {
        fired.push(Number(name) * 1000 + ctx.now());
      },
    });
    await simulate(create, {
      faults: [
        { kind: 'pause', atMs: 10, durationMs: 40, node: 'n1' },
        { kind: 'pause', atMs: 100, durationMs: 50, node: 'n1' },
      ],
    });
    expect(fired).toEqual([15_050, 25_050, 120_150, 130_150]);
  });
});
