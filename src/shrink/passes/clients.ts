/**
 * `clients`: once ops are gone, clients with no op left are dropped and the rest renumbered
 * densely (0, 1, ...), so the story names as few processes as the failure needs.
 */
import type { ShrinkPass } from '../pass.ts';

export const fewerClients: ShrinkPass = {
  name: 'clients',
  async run(ctx) {
    const c = ctx.current();
    const used = [...new Set(c.ops.map((o) => o.client))].sort((a, b) => a - b);
    const dense = used.every((u, i) => u === i) && used.length === c.options.clients;
    if (dense || used.length === 0) return false;
    const renumber = new Map(used.map((u, i) => [u, i]));
    return ctx.attempt({
      ...c,
      options: { ...c.options, clients: used.length },
      ops: c.ops.map((o) => ({ ...o, client: renumber.get(o.client)! })),
    });
  },
};
