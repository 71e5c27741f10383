import { describe, expect, it } from 'vitest';
import type { ClientOp, ClientResult, NodeCtx, NodeHandlers, NodeId } from '../../src/node/api.ts';
import type { TraceEvent } from '../../src/sim/trace.ts';
import { simulate } from './helpers.ts';

/** Walks `cause` links from `ev` back to a root; returns the kinds met, newest first. */
function causalChain(trace: readonly TraceEvent[], ev: TraceEvent): string[] {
  const kinds: string[] = [];
  for (let e: TraceEvent | undefined = ev; e !== undefined; e = e.cause >= 0 ? trace[e.cause] : undefined) {
    expect(e.cause).toBeLessThan(e.index);
    kinds.push(e.kind);
  }
  return kinds;
}

/** n1 forwards every client write to n2 with a ctx.call and replies when n2 answers. */
function forwarder(ctx: NodeCtx): NodeHandlers {
  return {
    async onClientRequest(op: ClientOp, reply: (r: ClientResult) => void) {
      const got = await ctx.call<number>('n2', { write: op.value }, 50);
      reply({ type: 'ok', value: got });
    },
    onCall(_from: NodeId, req: unknown) {
      return (req as { write: number }).write + 1;
    },
  };
}

describe('causal trace', () => {
  it('records happens-before from a client reply back to its invoke, through the call and its answer', async () => {
    const r = await simulate(forwarder, { ops: [{ client: 0, node: 'n1', f: 'write', value: 7, thinkMs: 0 }] });
    expect(r.history.map((h) => h.type)).toEqual(['invoke', 'ok']);
    const complete = r.trace.find((e) => e.kind === 'complete')!;
    expect(complete.clientOp).toBe(0);
    expect(causalChain(r.trace, complete)).toEqual(['complete', 'reply', 'deliver', 'send', 'deliver', 'send', 'arrive', 'invoke']);
    const call = r.trace.find((e) => e.kind === 'send' && e.envelope?.type === 'call')!;
    const answer = r.trace.find((e) => e.kind === 'send' && e.envelope?.type === 'reply')!;
    expect(call.envelope).toMatchObject({ from: 'n1', to: 'n2', type: 'call' });
    expect(answer.envelope).toMatchObject({ from: 'n2', to: 'n1', type: 'reply', callId: call.envelope!.callId });
    // The body is the user's request, not a wrapper the story would have to guess at.
    expect(call.body).toEqual({ write: 7 });
    expect(answer.body).toBe(8);
    // Every event that descends from the op carries its plan index.
    for (const e of r.trace.slice(r.trace.indexOf(r.trace.find((x) => x.kind === 'invoke')!))) {
      if (e.kind !== 'heal') expect(e.clientOp).toBe(0);
    }
  });

  it('lists messages still in flight when the run ends, caused by their send', async () => {
    const r = await simulate(
      (ctx) => ({
        onStart() {
          if (ctx.id === 'n1') ctx.setTimer(990, 'late');
        },
        onTimer() {
          ctx.send('n2', { late: true });
        },
      }),
      { healAtMs: 1000, net: { latencyMinMs: 50, latencyMaxMs: 50 } },
    );
    const inFlight = r.trace.filter((e) => e.kind === 'in-flight');
    expect(inFlight).toHaveLength(1);
    const send = r.trace[inFlight[0].cause];
    expect(send.kind).toBe('send');
    expect(send.body).toEqual({ late: true });
    expect(r.trace[send.cause].kind).toBe('timer');
    expect(inFlight[0].envelope).toMatchObject({ from: 'n1', to: 'n2', type: 'message' });
  });

  it('records a drop with its cause and the timer that a handler set with the handler as cause', async () => {
    const r = await simulate(
      (ctx) => ({
        onStart() {
          if (ctx.id === 'n1') ctx.broadcast({ hello: 1 });
        },
        onMessage() {
          if (ctx.id === 'n2') ctx.setTimer(5, 'after');
        },
        onTimer() {},
      }),
      { faults: [{ kind: 'partition', atMs: 0, durationMs: 500, label: 'cut', cut: [['n1', 'n3']] }] },
    );
    const deliver = r.trace.find((e) => e.kind === 'deliver')!;
    const timer = r.trace.find((e) => e.kind === 'timer')!;
    expect(timer.cause).toBe(deliver.index);
    expect(timer.detail).toBe('after');
    const drop = r.trace.find((e) => e.kind === 'drop')!;
    expect(drop).toMatchObject({ detail: 'cut', envelope: { from: 'n1', to: 'n3' } });
    expect(r.trace[drop.cause]).toMatchObject({ kind: 'send', envelope: { to: 'n3' }, body: { hello: 1 } });
  });
});
