import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_NAMES } from '../run/load.ts';
import { commandHelp, parseFlags, UsageError } from './flags.ts';

/** The protocol `init` writes: small enough to read in a minute, with one classic bug to find. */
export const PROTOCOL_TEMPLATE = `import { defineProtocol, type ClientOp, type ClientResult, type NodeCtx, type NodeHandlers, type NodeId } from 'faultline';

/** What the primary tells the other nodes after each write (only the buggy variant listens). */
interface Update {
  value: unknown;
}

/** What a node asks the primary with ctx.call. */
interface Request {
  opId: number;
  f: string;
  value: unknown;
}

/**
 * A register kept by a primary (the first node); every node forwards client ops to it.
 * With \`cachedReads\`, nodes answer reads from a copy the primary pushes after each write:
 * fast, and stale whenever an update is late, lost or partitioned away.
 */
class RegisterNode implements NodeHandlers<Update> {
  private cached: unknown = null;

  constructor(
    private readonly ctx: NodeCtx<Update>,
    private readonly cachedReads: boolean,
  ) {}

  async onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): Promise<void> {
    if (this.cachedReads && op.f === 'read') {
      reply({ type: 'ok', value: this.cached });
      return;
    }
    try {
      const value = await this.ctx.call(this.ctx.nodes[0], { opId: op.id, f: op.f, value: op.value }, 500);
      reply({ type: 'ok', value });
    } catch {
      // No answer: the write may or may not have happened.
      reply({ type: 'info', error: 'primary unreachable' });
    }
  }

  /** Runs on the primary. Durable before answering; a duplicated request is applied once. */
  onCall(_from: NodeId, request: unknown): unknown {
    const req = request as Request;
    const storage = this.ctx.storage;
    if (req.f === 'write') {
      const applied = storage.get<number[]>('applied') ?? [];
      if (!applied.includes(req.opId)) {
        storage.set('value', req.value);
        storage.set('applied', [...applied, req.opId]);
        storage.sync();
        this.cached = req.value;
        this.ctx.broadcast({ value: req.value });
      }
      return req.value;
    }
    return storage.get('value') ?? null;
  }

  onMessage(_from: NodeId, update: Update): void {
    this.cached = update.value;
  }
}

export default defineProtocol({
  name: 'my-register',
  description: 'a register kept by a primary; every node forwards to it',
  variants: {
    correct: { kind: 'correct', description: 'reads and writes go through the primary' },
    'cached-read': { kind: 'bug', description: 'nodes answer reads from a copy the primary pushes' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new RegisterNode(ctx, variant === 'cached-read'),
  workload: (rng) => (rng() < 0.5 ? { f: 'read', value: null } : { f: 'write', value: Math.floor(rng() * 5) }),
  checkers: () => [{ kind: 'linearizable', model: 'register' }],
});
`;

export const TEST_TEMPLATE = `import { describe, expect, it } from 'vitest';
import { exploreSeeds } from 'faultline/vitest';
import register from './my-register.js';

describe('my-register', () => {
  it('the correct variant is linearizable over 10 seeds of faults', async () => {
    const { passed } = await exploreSeeds(register, { variant: 'correct', seeds: [0, 10], ops: 100, save: false });
    expect(passed).toBe(10);
  });

  it('the planted bug is found, and shrunk to a short story', async () => {
    const found = exploreSeeds(register, { variant: 'cached-read', seeds: [0, 50], ops: 100, save: false, shrinkBudget: { maxRuns: 300 } });
    await expect(found).rejects.toThrow(/linearizable\\(register\\)/);
  });
});
`;

export const CONFIG_TEMPLATE = (dir: string) => `import { defineConfig } from 'faultline';

export default defineConfig({
  // Your protocol modules: \`npx faultline run my-register\` finds them by their name.
  protocols: ['./${dir}/my-register.ts'],
  // Scenario defaults for this project's runs (a protocol's own defaults win; flags override both).
  scenario: { nodes: 3, clients: 3 },
  // Where --save writes counterexamples; \`npx faultline replay corpus\` replays them all.
  corpus: 'corpus',
});
`;

/**
 * `faultline init`: writes a protocol, its test and a project config into the current npm project.
 *
 * @example
 * process.exitCode = await initCommand(['--dir', 'sim']);
 */
export async function initCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('init', argv);
  if (values.help) {
    console.log(commandHelp('init'));
    return 0;
  }
  const cwd = process.cwd();
  if (!existsSync(join(cwd, 'package.json'))) throw new UsageError(`${join(cwd, 'package.json')}: no package.json here: run faultline init in your npm project (npm init -y first)`);
  const dir = (values.dir ?? 'faultline').replace(/\\/g, '/').replace(/^\.\/|\/$/g, '');
  if (dir === '' || dir.startsWith('/') || dir.split('/').includes('..')) throw new UsageError(`--dir takes a folder inside this project, got '${values.dir}'`);
  const files: Array<[string, string]> = [
    ['faultline.config.ts', CONFIG_TEMPLATE(dir)],
    [`${dir}/my-register.ts`, PROTOCOL_TEMPLATE],
    [`${dir}/my-register.test.ts`, TEST_TEMPLATE],
  ];
  const clashes = files.map(([f]) => f).filter((f) => existsSync(join(cwd, f)));
  for (const other of CONFIG_NAMES) if (other !== 'faultline.config.ts' && existsSync(join(cwd, other))) clashes.push(other);
  if (clashes.length > 0 && !values.force) throw new UsageError(`${join(cwd, clashes[0])} already exists: move it away, or run faultline init --force to overwrite`);
  mkdirSync(join(cwd, dir), { recursive: true });
  for (const [f, text] of files) {
    writeFileSync(join(cwd, f), text);
    console.log(`wrote ${f}`);
  }
  console.log(`
Next:
  npx faultline run my-register --seeds 0..99                 the correct variant holds
  npx faultline run my-register --variant cached-read --seeds 0..199 --save
                                                              the planted bug: found, shrunk, saved
  npx faultline replay corpus/my-register/<entry>.json        replay the saved counterexample
  npx faultline replay corpus                                 the CI step: every saved entry
  npx vitest run                                              the same checks as a test
Then copy ${dir}/my-register.ts and make it your protocol.`);
  return 0;
}
