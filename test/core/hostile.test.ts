import { describe, expect, it } from 'vitest';
import type { NodeCtx, NodeHandlers } from '../../src/node/api.ts';
import { simulate } from './helpers.ts';

/** n1 runs `act` on a timer at 5 ms; the others only listen. */
function onTimer(act: (ctx: NodeCtx) => unknown, extra: Partial<NodeHandlers> = {}) {
  return (ctx: NodeCtx): NodeHandlers => ({
    onStart: () => void (ctx.id === 'n1' && ctx.setTimer(5, 'act')),
    onTimer: () => act(ctx) as void,
    onMessage() {},
    ...extra,
  });
}

const ONE_OP = { ops: [{ client: 0, node: 'n1', f: 'read', value: null, thinkMs: 0 }] };

describe('a hostile protocol ends its own run with a verdict', () => {
  const thrown: Array<[string, () => unknown, RegExp]> = [
    ['Object.create(null)', () => Object.create(null), /non-Error object/],
    ['a string', () => 'plain words', /plain words/],
    ['a number', () => 42, /number 42/],
    ['undefined', () => undefined, /undefined/],
    ['a symbol', () => Symbol('s'), /symbol/],
    ['an Error whose message getter throws', () => Object.defineProperty(new Error(), 'message', { get: () => { throw new Error('no'); } }), /Error/],
  ];
  for (const [what, value, message] of thrown) {
    it(`throw ${what} from a handler: crashed, with a message`, async () => {
      const r = await simulate(
        onTimer(() => {
          throw value();
        }),
      );
      expect(r.outcome).toBe('crashed');
      expect(r.error?.message).toMatch(message);
      expect(r.error?.node).toBe('n1');
    });

    it(`reject with ${what} from an async handler: crashed`, async () => {
      const r = await simulate(
        onTimer(async () => {
          await null;
          throw value();
        }),
      );
      expect(r.outcome).toBe('crashed');
      expect(r.error?.message).toMatch(message);
    });
  }

  it('a BigInt in a message: crashed, naming the field', async () => {
    const r = await simulate(onTimer((ctx) => ctx.send('n2', { n: 10n })));
    expect(r.outcome).toBe('crashed');
    expect(r.error?.message).toMatch(/a bigint .* at \.n is not plain data/);
  });

  it('a function in a reply: crashed, naming reply()', async () => {
    const r = await simulate(onTimer(() => undefined, { onClientRequest: (_op, reply) => reply({ type: 'ok', value: { f: () => 1 } }) }), ONE_OP);
    expect(r.outcome).toBe('crashed');
    expect(r.error?.message).toMatch(/reply\(\): a function at \.value\.f/);
  });

  it('a BigInt in a reply: crashed (the history could not be saved)', async () => {
    const r = await simulate(onTimer(() => undefined, { onClientRequest: (_op, reply) => reply({ type: 'ok', value: 1n }) }), ONE_OP);
    expect(r.outcome).toBe('crashed');
    expect(r.error?.message).toMatch(/bigint/);
    expect(r.history.every((h) => typeof h.value !== 'bigint')).toBe(true);
  });

  it('a reply that is not a result: crashed', async () => {
    const r = await simulate(onTimer(() => undefined, { onClientRequest: (_op, reply) => reply(Object.create(null)) }), ONE_OP);
    expect(r.outcome).toBe('crashed');
    expect(r.error?.message).toMatch(/reply\(\) takes/);
  });

  it("a JSON-parsed message with an own __proto__ key stays a key; the copy's prototype is untouched", async () => {
    let got: unknown;
    const r = await simulate(
      onTimer((ctx) => ctx.send('n2', JSON.parse('{"__proto__": {"admin": true}, "x": 1}')), {
        onMessage: (_from, m) => void (got = m),
      }),
    );
    expect(r.outcome).toBe('completed');
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect((got as { admin?: boolean }).admin).toBeUndefined();
    expect(Object.keys(got as object)).toEqual(['__proto__', 'x']);
    expect(Object.getOwnPropertyDescriptor(got, '__proto__')?.value).toEqual({ admin: true });
  });

  it('a deeply nested message: crashed with a clear message, no stack overflow', async () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const r = await simulate(onTimer((ctx) => ctx.send('n2', deep)));
    expect(r.outcome).toBe('crashed');
    expect(r.error?.message).toMatch(/nested deeper than 64/);
  });

  it('a timer with a non-numeric or endless delay: crashed, naming the delay', async () => {
    for (const bad of [Infinity, -1, Number.NaN, '5' as unknown as number]) {
      const r = await simulate(onTimer((ctx) => ctx.setTimer(bad, 'bad')));
      expect(r.outcome).toBe('crashed');
      expect(r.error?.message).toMatch(/timer delay must be a finite number/);
    }
  });
});
