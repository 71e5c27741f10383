/**
 * `nodes`: a smaller cluster. Removes one node at a time (down to the protocol's minimum), from
 * the highest-numbered down.
 */
import { faultKindOf } from '../../faults/index.ts';
import type { NodeId } from '../../node/api.ts';
import { nodeIds } from '../../run/scenario.ts';
import { assert, type ExplicitInput } from '../input.ts';
import type { ShrinkPass } from '../pass.ts';

export const fewerNodes: ShrinkPass = {
  name: 'nodes',
  async run(ctx) {
    let changed = false;
    for (let j = ctx.current().options.nodes - 1; j >= 0; j--) {
      const c = ctx.current();
      if (c.options.nodes <= ctx.minNodes || j >= c.options.nodes) continue;
      if (await ctx.attemptStructural(withoutNode(c, j))) changed = true;
    }
    return changed;
  },
};

/**
 * The input with node `j` (0-based) removed: later nodes are renamed down by one, ops addressed
 * to the removed node go to the first remaining node, faults naming it are dropped (partitions
 * keep their other links).
 *
 * @example
 * withoutNode(input, 4).options.nodes; // one fewer; n5's ops now go to n1
 */
export function withoutNode(c: ExplicitInput, j: number): ExplicitInput {
  assert(c.options.nodes >= 2 && j >= 0 && j < c.options.nodes, `withoutNode: node ${j} of ${c.options.nodes}`);
  const before = nodeIds(c.options.nodes);
  const gone = before[j];
  const rename = (id: NodeId): NodeId => {
    const k = before.indexOf(id);
    return `n${k > j ? k : k + 1}`;
  };
  const ops = c.ops.map((o) => ({ ...o, node: o.node === gone ? 'n1' : rename(o.node) }));
  // Each kind renames its own nodes (fault table); a fault that needs the removed node is dropped.
  const faults = c.faults.flatMap((f) => faultKindOf(f).renameNodes(f, (id) => (id === gone ? undefined : rename(id))) ?? []);
  return { ...c, options: { ...c.options, nodes: c.options.nodes - 1 }, ops, faults };
}
