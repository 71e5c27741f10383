/**
 * End to end, as a new user: `npm pack` this repository, install the tarball into a fresh project
 * of its own, and use it there: `faultline init`, the planted bug found, shrunk, saved and replayed
 * to the same fingerprint, `replay <dir>` as the CI step, a protocol of the user's own by path,
 * `vitest run` with `faultline/vitest`, plain `node` importing every entry point, and `tsc --noEmit`
 * (strict, nodenext and bundler, no skipLibCheck) over all of it.
 *
 * Run by `npm run test:package` (and so by .ci/run); it needs npm's cache or registry for the
 * install (the dependencies are this repository's own, so a CI that ran `npm ci` has them cached).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const version = (pkg: string) => (require(join(repo, 'node_modules', pkg, 'package.json')) as { version: string }).version;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work: string;
let project: string;
let tarball: string;

function run(cmd: string, args: string[], cwd: string, timeoutMs = 300_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
}
const faultline = (...args: string[]) => run(join(project, 'node_modules', '.bin', 'faultline'), args, project);
const shown = (r: SpawnSyncReturns<string>) => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'faultline-e2e-'));
  const pack = run(npm, ['pack', '--json', '--pack-destination', work], repo);
  expect(pack.status, shown(pack)).toBe(0);
  // `prepare` prints the build's output before npm's JSON: the JSON is the last top-level array.
  const json = JSON.parse(pack.stdout.slice(pack.stdout.lastIndexOf('\n[') + 1)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, json[0].filename);
  const files = json[0].files.map((f) => f.path);
  expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/faultline.mjs', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/src/testing/vitest.js']));
  // Only what users need: no tests, benchmarks, TypeScript sources or corpus.
  const extra = files.filter((f) => !/^(package\.json|README\.md|bin\/faultline\.mjs|dist\/.*\.(js|d\.ts))$/.test(f) || /(^|\/)(test|bench)(\/|$)|\.test\./.test(f));
  expect(extra).toEqual([]);

  project = join(work, 'user-project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true, type: 'module' }, null, 2));
  const install = run(npm, ['install', tarball, `vitest@${version('vitest')}`, `@types/node@${version('@types/node')}`, '--prefer-offline', '--no-audit', '--no-fund'], project);
  expect(install.status, shown(install)).toBe(0);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package in a project of its own', () => {
  it('init, then the planted bug: found, shrunk, saved, replayed to the same fingerprint; replay <dir> passes', () => {
    const init = faultline('init');
    expect(init.status, shown(init)).toBe(0);
    expect(init.stdout).toContain('npx faultline run my-register --variant cached-read --seeds 0..199 --save');
    const found = faultline('run', 'my-register', '--variant', 'cached-read', '--seeds', '0..199', '--save');
    expect(found.status, shown(found)).toBe(1);
    expect(found.stdout).toMatch(/shrunk seed \d+: shrunk .* -> \d+ ops/);
    const saved = /saved {2}(\S+)/.exec(found.stdout)?.[1];
    expect(saved, found.stdout).toMatch(/^corpus\/my-register\/cached-read-\d+\.json$/);
    const entry = JSON.parse(readFileSync(join(project, saved!), 'utf8'));
    expect(entry.module).toEqual({ path: './faultline/my-register.ts' });
    const replay = faultline('replay', saved!);
    expect(replay.status, shown(replay)).toBe(1);
    expect(replay.stdout).toContain('VIOLATION linearizable(register)');
    expect(replay.stdout).toContain(`fingerprint ${entry.fingerprint} matches the recorded one`);
    const ci = faultline('replay', 'corpus');
    expect(ci.status, shown(ci)).toBe(0);
    expect(ci.stdout).toMatch(/replayed 1 entries: 1 ok, 0 regressions/);
    const correct = faultline('run', 'my-register', '--seeds', '0..19');
    expect(correct.status, shown(correct)).toBe(0);
    expect(correct.stdout).toMatch(/explored 20 of 20 seeds of my-register\/correct: 20 pass/);
  });

  it("a protocol of the user's own, by path with #export: variant names inferred, no casts", () => {
    writeFileSync(
      join(project, 'echo.ts'),
      `import { defineProtocol, always, type NodeCtx, type NodeHandlers, type ClientOp, type ClientResult, type WorldView } from 'faultline';

class Echo implements NodeHandlers<number> {
  constructor(private readonly ctx: NodeCtx<number>, private readonly forget: boolean) {}
  private last: unknown = null;
  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    if (op.f === 'write') this.last = this.forget ? null : op.value;
    reply({ type: 'ok', value: op.f === 'read' ? this.last : undefined });
  }
}

export const echo = defineProtocol({
  name: 'echo',
  description: 'one node keeps a register in memory',
  variants: { correct: { kind: 'correct', description: 'remembers' }, forgetful: { kind: 'bug', description: 'forgets every write' } },
  defaultVariant: 'correct',
  create: (ctx, variant) => {
    const v: 'correct' | 'forgetful' = variant;
    return new Echo(ctx, v === 'forgetful');
  },
  workload: (rng) => (rng() < 0.5 ? { f: 'read', value: null } : { f: 'write', value: Math.floor(rng() * 3) }),
  checkers: () => [{ kind: 'linearizable', model: 'register' }],
  observers: () => [always('nodes exist', (w: WorldView) => w.nodes.length > 0)],
  defaults: { nodes: 1, nemesis: [] },
});

`,
    );
    // A typo in defaultVariant is a type error (tsc below checks that the expectation holds), and at run time one line.
    writeFileSync(
      join(project, 'typo.ts'),
      `import { defineProtocol } from 'faultline';

export default defineProtocol({
  name: 'typo',
  description: 'the default variant is not a variant',
  variants: { correct: { kind: 'correct', description: '' } },
  // @ts-expect-error 'corect' is not one of the variant names
  defaultVariant: 'corect',
  create: () => ({}),
  workload: () => ({ f: 'read', value: null }),
  checkers: () => [],
});
`,
    );
    const bad = faultline('run', './typo.ts', '--seed', '0');
    expect(bad.status, shown(bad)).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^faultline: \.\/typo\.ts: protocol "[^"]+": defaultVariant "corect" is not a variant: choose from correct$/);
    const ok = faultline('run', './echo.ts#echo', '--ops', '50', '--seeds', '0..2');
    expect(ok.status, shown(ok)).toBe(0);
    const forgetful = faultline('run', './echo.ts', '--variant', 'forgetful', '--ops', '30', '--seeds', '0..4', '--stop-on-fail');
    expect(forgetful.status, shown(forgetful)).toBe(1);
    expect(forgetful.stdout).toContain('FAIL (linearizable(register))');
    expect(forgetful.stdout).toMatch(/replay {4}faultline run \.\/echo\.ts --variant forgetful (--\S+ \S+ )*--seed 0/);
  });

  it('a protocol of the user\'s own opts in to churn and hands its data off in onLeave: the bug is found, the story tells the churn, report takes the entry', () => {
    writeFileSync(
      join(project, 'gset.ts'),
      `import { defineProtocol, type ClientOp, type ClientResult, type History, type NodeCtx, type NodeHandlers } from 'faultline';

type Msg = { t: 'add'; v: number; rid: number } | { t: 'ack'; rid: number } | { t: 'snap?' } | { t: 'snap'; items: number[] };

/** A grow-only set on every node; a node that joins fresh asks its peers for a snapshot. */
class SetNode implements NodeHandlers<Msg> {
  items = new Set<number>();
  ready: boolean;
  leaving = false;
  pending = new Map<number, { v: number; acks: Set<string>; reply: (r: ClientResult) => void; tries: number }>();
  nextRid = 0;
  constructor(private readonly ctx: NodeCtx<Msg>, private readonly eagerReads: boolean) {
    this.ready = ctx.storage.get<boolean>('joined') === true;
    for (const v of ctx.storage.get<number[]>('items') ?? []) this.items.add(v);
  }
  onStart(): void {
    if (!this.ready && this.ctx.now() === 0) this.keep([], true); // the first boot of the cluster
    else if (!this.ready) this.onTimer('ask');
  }
  private keep(items: number[], joined = this.ready): void {
    for (const v of items) this.items.add(v);
    this.ready = joined;
    this.ctx.storage.set('items', [...this.items]);
    this.ctx.storage.set('joined', joined);
    this.ctx.storage.sync();
  }
  onMessage(from: string, msg: Msg): void {
    if (msg.t === 'add') { this.keep([msg.v]); this.ctx.send(from, { t: 'ack', rid: msg.rid }); }
    if (msg.t === 'snap?' && this.ready && !this.leaving) this.ctx.send(from, { t: 'snap', items: [...this.items] });
    if (msg.t === 'snap') this.keep(msg.items, true);
    const p = msg.t === 'ack' ? this.pending.get(msg.rid) : undefined;
    if (msg.t !== 'ack' || p === undefined) return;
    p.acks.add(from);
    if (this.ctx.peers.every((n) => p.acks.has(n))) { this.pending.delete(msg.rid); p.reply({ type: 'ok' }); }
  }
  onTimer(name: string, data?: unknown): void {
    if (name === 'ask' && !this.ready) { this.ctx.broadcast({ t: 'snap?' }); this.ctx.setTimer(50, 'ask'); }
    const p = name === 'retry' ? this.pending.get(data as number) : undefined;
    if (p === undefined) return;
    if (++p.tries > 40) { this.pending.delete(data as number); return p.reply({ type: 'info', error: 'timeout' }); }
    for (const n of this.ctx.peers) if (!p.acks.has(n)) this.ctx.send(n, { t: 'add', v: p.v, rid: data as number });
    this.ctx.setTimer(25, 'retry', data);
  }
  onClientRequest(op: ClientOp, reply: (r: ClientResult) => void): void {
    const serveRead = op.f === 'read' && (this.ready || this.eagerReads); // the bug: reads before the snapshot
    if (this.leaving || (!this.ready && !serveRead)) return reply({ type: 'fail', error: 'not serving' });
    if (serveRead) return reply({ type: 'ok', value: [...this.items] });
    this.keep([op.value as number]);
    const rid = this.nextRid++;
    this.pending.set(rid, { v: op.value as number, acks: new Set(), reply, tries: 0 });
    this.onTimer('retry', rid);
  }
  onLeave(graceMs: number): void {
    this.leaving = graceMs > 0;
    this.ctx.broadcast({ t: 'snap', items: [...this.items] }); // hand off what it holds
  }
}

/** Every read sees each add acknowledged before the read was invoked. */
function readsSeeAckedAdds(history: History): true | string {
  const acked: Array<{ v: number; atMs: number }> = [];
  const open = new Map<number, { f: string; value: unknown; time: number }>();
  for (const op of history) {
    if (op.type === 'invoke') { open.set(op.process, op); continue; }
    const inv = open.get(op.process);
    open.delete(op.process);
    if (inv === undefined || op.type !== 'ok') continue;
    if (inv.f === 'add') acked.push({ v: inv.value as number, atMs: op.time });
    const seen = new Set(inv.f === 'read' ? (op.value as number[]) : []);
    const missed = inv.f === 'read' ? acked.find((a) => a.atMs < inv.time && !seen.has(a.v)) : undefined;
    if (missed !== undefined) return 'a read on ' + String(op.node) + ' misses acknowledged add ' + String(missed.v);
  }
  return true;
}

export default defineProtocol({
  name: 'gset',
  description: 'a grow-only set on every node; fresh nodes fetch a snapshot',
  variants: {
    correct: { kind: 'correct', description: 'a joining node serves nothing before its snapshot' },
    'eager-read': { kind: 'bug', description: 'a joining node serves reads before its snapshot arrived' },
  },
  defaultVariant: 'correct',
  create: (ctx, variant) => new SetNode(ctx as NodeCtx<Msg>, variant === 'eager-read'),
  workload: (rng, info) => (rng() < 0.5 ? { f: 'read', value: null } : { f: 'add', value: info.client * 10000 + info.opIndex }),
  checkers: () => [{ name: 'reads-see-acked-adds', check: readsSeeAckedAdds }],
  churn: { maxAway: 1, settleMs: 1000 },
  defaults: { nodes: 3, nemesis: ['churn', 'pause', 'loss-spike'] },
});
`,
    );
    const correct = faultline('run', './gset.ts', '--seeds', '0..19');
    expect(correct.status, shown(correct)).toBe(0);
    const bug = faultline('run', './gset.ts', '--variant', 'eager-read', '--seeds', '0..99', '--stop-on-fail', '--save', '--workers', '1');
    expect(bug.status, shown(bug)).toBe(1);
    const saved = /saved {2}(corpus\/\S+)/.exec(bug.stdout)?.[1];
    expect(saved, bug.stdout).toBeDefined();
    expect(JSON.parse(readFileSync(join(project, saved!), 'utf8')).faults.map((f: { kind: string }) => f.kind)).toContain('churn');
    const replay = faultline('replay', saved!);
    expect(replay.status, shown(replay)).toBe(1);
    expect(replay.stdout).toMatch(/FAULT: n\d leaves/);
    expect(replay.stdout).toMatch(/a fresh n\d starts \(empty disk\)/);
    const report = faultline('report', saved!, '-o', 'gset.html');
    expect(report.status, shown(report)).toBe(0);
    // A protocol that did not opt in: one line, exit 2.
    const refused = faultline('run', './echo.ts#echo', '--nemesis', 'churn', '--seed', '0');
    expect(refused.status, shown(refused)).toBe(2);
    expect(refused.stderr.trim()).toMatch(/^faultline: \S+ does not opt in to churn .*$/);
  });

  it('vitest runs the test init wrote, with faultline/vitest', () => {
    const r = run(join(project, 'node_modules', '.bin', 'vitest'), ['run'], project);
    expect(r.status, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+2 passed/);
  });

  it('plain node imports every entry point without a loader', () => {
    writeFileSync(
      join(project, 'plain.mjs'),
      `import { runScenario, resolveOptions, defineProtocol, always, eventually } from 'faultline';
import { exploreSeeds, faultlineMatchers } from 'faultline/vitest';
import { scenarioArb } from 'faultline/fast-check';
import { checkHistory } from 'faultline/checkers';
import { getModel } from 'faultline/models';
import { getProtocol } from 'faultline/protocols';
import * as root from 'faultline';
const abd = getProtocol('abd');
const r = await runScenario(abd, { options: resolveOptions(abd, { seed: 1, ops: 40 }) });
const fns = [defineProtocol, always, eventually, exploreSeeds, scenarioArb, checkHistory, getModel].map((f) => typeof f);
console.log(JSON.stringify({ status: r.status, fns, matchers: Object.keys(faultlineMatchers), simulator: 'Simulator' in root }));
`,
    );
    const r = run(process.execPath, ['plain.mjs'], project);
    expect(r.status, shown(r)).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ status: 'pass', fns: Array(7).fill('function'), matchers: ['toPass', 'toFailWith'], simulator: false });
  });

  it('tsc --noEmit, strict, with nodenext and with bundler resolution, checks the project (no skipLibCheck)', () => {
    writeFileSync(
      join(project, 'types.ts'),
      `import type { ProtocolDef, HistoryCheckerSpec, CheckerResult, CheckingObserver, WorldView, NodeView, Observer, Model, ScenarioOptions, RunResult, Workload, FaultlineConfig } from 'faultline';
import { defineConfig, shrink, churnBoundsOf, type RunInput, type ShrinkResult, type ChurnBounds } from 'faultline';
import type { ExploreSeedsOptions } from 'faultline/vitest';
import { checkLinearizability } from 'faultline/checkers';
import { registerModel } from 'faultline/models';
import { protocols } from 'faultline/protocols';
export const all: ProtocolDef[] = [...protocols];
export const spec: HistoryCheckerSpec = { kind: 'linearizable', model: registerModel({ initial: 0 }) };
export const config: FaultlineConfig = defineConfig({ protocols: ['./echo.ts'] });
export type Used = [CheckerResult, CheckingObserver, WorldView, NodeView, Observer, Model, ScenarioOptions, RunResult, Workload, ExploreSeedsOptions];
export const check = checkLinearizability;
// Named by the README (the fast-check recipe's shrink) and beside ChurnSpec (its bounds with defaults).
export const shrinkIt: (p: ProtocolDef, input: RunInput) => Promise<ShrinkResult> = shrink;
export const bounds: ChurnBounds | undefined = churnBoundsOf({ churn: { maxAway: 1 } });
`,
    );
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const [module, resolution] of [
      ['nodenext', 'nodenext'],
      ['esnext', 'bundler'],
    ]) {
      const config = {
        compilerOptions: { module, moduleResolution: resolution, target: 'ES2022', strict: true, noEmit: true, types: ['node'], lib: ['ES2023'] },
        include: ['*.ts', 'faultline'],
      };
      writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(config, null, 2));
      const r = run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], project);
      expect(r.status, `${resolution}: ${shown(r)}`).toBe(0);
    }
  });
});
