/**
 * A user's protocol through every command, from a project of its own (a temp directory with a
 * package.json), with the compiled CLI as `npx faultline` runs it: module paths, `#export`, the
 * project config, corpus entries that record their module, `replay <dir>` and its reporters, and
 * every bad input of issue 13 (one line naming the file and the fix, exit 2).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..');
// Compiled into the repository (so that tsx and friends resolve from node_modules), fresh per run.
const out = join(repo, '.faultline-tmp', `dist-${process.pid}`);
let project: string;

function cli(cwd: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(out, 'src', 'cli', 'main.js'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A register in plain JavaScript (no import: the temp project has no faultline package). */
function registerModule(opts: { bugKind: 'bug' | 'correct'; bugFixed: boolean }): string {
  return `
class Node {
  constructor(ctx, cached) { this.ctx = ctx; this.cached = cached; this.copy = null; }
  async onClientRequest(op, reply) {
    if (this.cached && op.f === 'read') return reply({ type: 'ok', value: this.copy });
    try { reply({ type: 'ok', value: await this.ctx.call(this.ctx.nodes[0], { id: op.id, f: op.f, value: op.value }, 500) }); }
    catch { reply({ type: 'info' }); }
  }
  onCall(_from, req) {
    const s = this.ctx.storage;
    if (req.f === 'write') {
      const applied = s.get('applied') ?? [];
      if (!applied.includes(req.id)) { s.set('value', req.value); s.set('applied', [...applied, req.id]); s.sync(); this.copy = req.value; this.ctx.broadcast(req.value); }
      return req.value;
    }
    return s.get('value') ?? null;
  }
  onMessage(_from, v) { this.copy = v; }
}
export const reg = {
  name: 'reg',
  description: 'a register kept by a primary',
  variants: { correct: { kind: 'correct', description: 'through the primary' }, 'cached-read': { kind: '${opts.bugKind}', description: 'reads a pushed copy' } },
  defaultVariant: 'correct',
  create: (ctx, variant) => new Node(ctx, variant === 'cached-read' && ${!opts.bugFixed}),
  workload: (rng) => (rng() < 0.5 ? { f: 'read', value: null } : { f: 'write', value: Math.floor(rng() * 5) }),
  checkers: () => [{ kind: 'linearizable', model: 'register' }],
};
`;
}

beforeAll(() => {
  const tsc = spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repo, 'tsconfig.build.json'), '--outDir', out], {
    encoding: 'utf8',
  });
  expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  project = mkdtempSync(join(tmpdir(), 'faultline-user-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  mkdirSync(join(project, 'src'));
  writeFileSync(join(project, 'src', 'reg.mjs'), registerModule({ bugKind: 'bug', bugFixed: false }));
  writeFileSync(join(project, 'faultline.config.json'), JSON.stringify({ protocols: ['./src/reg.mjs'], scenario: { nodes: 3, clients: 3, ops: 60 } }));
}, 120_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('your own protocol, by path and by config name', () => {
  it('run takes a module path with #export, and a name the config lists; list shows both kinds', () => {
    const byPath = cli(project, 'run', './src/reg.mjs#reg', '--seeds', '0..4', '--workers', '1');
    expect(byPath.code, byPath.err).toBe(0);
    expect(byPath.out).toMatch(/explored 5 of 5 seeds of reg\/correct: 5 pass/);
    const byName = cli(project, 'run', 'reg', '--seed', '2');
    expect(byName.code, byName.err).toBe(0);
    // The config's scenario defaults apply: 3 nodes, 60 ops.
    expect(byName.out).toMatch(/ops\s+\d+ ok, \d+ fail, \d+ info/);
    const counts = byName.out.match(/ops\s+(\d+) ok, (\d+) fail, (\d+) info/)!.slice(1).map(Number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60);
    const list = cli(project, 'list');
    expect(list.code).toBe(0);
    expect(list.out.split('\n')).toEqual(expect.arrayContaining(['reg correct correct', 'reg cached-read bug', 'abd correct correct']));
  });

  it('--save records the module; replay works from another directory and after the corpus moves with its project', () => {
    const found = cli(project, 'run', 'reg', '--variant', 'cached-read', '--seeds', '0..20', '--stop-on-fail', '--save', '--workers', '1');
    expect(found.code, found.err).toBe(1);
    const saved = /saved {2}(\S+)/.exec(found.out)?.[1];
    expect(saved, found.out).toBeDefined();
    const entry = JSON.parse(readFileSync(join(project, saved!), 'utf8'));
    expect(entry.module).toEqual({ path: './src/reg.mjs' });
    // From elsewhere: the module is found relative to the entry's project root, not the cwd.
    const replay = cli(tmpdir(), 'replay', join(project, saved!));
    expect(replay.code, replay.err).toBe(1);
    expect(replay.out).toContain(`fingerprint ${entry.fingerprint} matches the recorded one`);
    // A copy of the whole project elsewhere replays too.
    const copy = mkdtempSync(join(tmpdir(), 'faultline-copy-'));
    cpSync(project, copy, { recursive: true });
    const there = cli(copy, 'replay', saved!, '--quiet');
    expect(there.code, there.err).toBe(1);
    expect(there.out).toContain(`fingerprint ${entry.fingerprint} matches`);
    // shrink takes the entry too, and keeps the module when it saves again.
    const again = cli(copy, 'shrink', saved!, '--save', '--corpus', 'corpus2');
    expect(again.code, again.err).toBe(0);
    const resaved = JSON.parse(readFileSync(join(copy, 'corpus2', 'reg', `cached-read-${entry.seed}.json`), 'utf8'));
    expect(resaved.module).toEqual({ path: './src/reg.mjs' });
    // report takes the entry the way replay does: its recorded module, not only bundled names.
    const report = cli(tmpdir(), 'report', join(project, saved!), '-o', join(copy, 'entry.html'));
    expect(report.code, report.err).toBe(0);
    expect(readFileSync(join(copy, 'entry.html'), 'utf8')).toContain('cached-read');
  });

  it('shrinkAndSave from code writes an entry of the user\'s protocol that faultline replay finds by its module', async () => {
    const { resolveOptions, runScenario, shrinkAndSave } = await import('../src/index.ts');
    const { reg } = (await import(join(project, 'src', 'reg.mjs'))) as { reg: Parameters<typeof runScenario>[0] };
    let options: ReturnType<typeof resolveOptions> | undefined;
    for (let seed = 0; seed <= 20 && options === undefined; seed++) {
      const o = resolveOptions(reg, { nodes: 3, clients: 3, ops: 60, variant: 'cached-read', seed });
      if ((await runScenario(reg, { options: o })).status === 'fail') options = o;
    }
    expect(options, 'cached-read fails within seeds 0..20').toBeDefined();
    const corpusDir = join(project, 'corpus-from-code');
    const cx = await shrinkAndSave(reg, { options: options! }, { corpusDir, createdBy: 'a user test', module: { path: './src/reg.mjs' } });
    expect(cx.saved).toBeDefined();
    expect(cx.story.text).toContain('cached-read');
    const entry = JSON.parse(readFileSync(cx.saved!, 'utf8'));
    expect(entry.module).toEqual({ path: './src/reg.mjs' });
    const replay = cli(tmpdir(), 'replay', cx.saved!);
    expect(replay.code, replay.err).toBe(1);
    expect(replay.out).toContain(`fingerprint ${entry.fingerprint} matches the recorded one`);
  });

  it('replay <dir>: a line per entry and a summary; planted bugs that still fail are ok; --json and JUnit agree', () => {
    const dir = cli(project, 'replay', 'corpus');
    expect(dir.code, dir.err).toBe(0);
    expect(dir.out).toMatch(/^ok {3}corpus\/reg\/cached-read-\d+\.json: fails as recorded \(linearizable\(register\)\)$/m);
    expect(dir.out).toMatch(/replayed 1 entries: 1 ok, 0 regressions/);
    const json = JSON.parse(cli(project, 'replay', 'corpus', '--json').out);
    expect(json.summary).toMatchObject({ entries: 1, ok: 1, regressions: 0 });
    expect(json.entries[0]).toMatchObject({ outcome: 'ok', protocol: 'reg', kind: 'bug', fingerprintMatches: true });
    const junit = cli(project, 'replay', 'corpus', '--reporter', 'junit');
    expect(junit.code).toBe(0);
    expect(junit.out).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="faultline replay" tests="1" failures="0" errors="0"/);
    expect(junit.out).toMatch(/<testcase classname="reg" name="cached-read seed \d+ \(bug\)"/);
    expect(junit.out).not.toContain('<failure');
  });

  it('replay <dir>: a correct-kind entry that fails is a regression (exit 1); a planted bug that now passes is reported (exit 1 with --strict)', () => {
    const work = mkdtempSync(join(tmpdir(), 'faultline-regress-'));
    cpSync(project, work, { recursive: true });
    // The same bug, declared real code: the entry now stands for a bug that must stay fixed.
    writeFileSync(join(work, 'src', 'reg.mjs'), registerModule({ bugKind: 'correct', bugFixed: false }));
    const regress = cli(work, 'replay', 'corpus');
    expect(regress.code, regress.out + regress.err).toBe(1);
    expect(regress.out).toMatch(/^FAIL corpus\/reg\/cached-read-\d+\.json: FAILS \(linearizable\(register\)\): a once-found bug is back$/m);
    const junit = cli(work, 'replay', 'corpus', '--reporter', 'junit', '--output', 'junit.xml');
    expect(junit.code).toBe(1);
    expect(readFileSync(join(work, 'junit.xml'), 'utf8')).toMatch(/<failure message="FAILS \(linearizable\(register\)\): a once-found bug is back" type="regression">/);
    // Fixed, and still declared a bug: the planted bug no longer shows.
    writeFileSync(join(work, 'src', 'reg.mjs'), registerModule({ bugKind: 'bug', bugFixed: true }));
    const stale = cli(work, 'replay', 'corpus');
    expect(stale.code).toBe(0);
    expect(stale.out).toMatch(/^STALE corpus\/reg\/cached-read-\d+\.json: planted bug NOW PASSES/m);
    expect(cli(work, 'replay', 'corpus', '--strict').code).toBe(1);
    // Fixed and declared correct: the bug stays fixed.
    writeFileSync(join(work, 'src', 'reg.mjs'), registerModule({ bugKind: 'correct', bugFixed: true }));
    const fixed = cli(work, 'replay', 'corpus');
    expect(fixed.code).toBe(0);
    expect(fixed.out).toMatch(/passes \(the bug stays fixed\)/);
  });
});

describe('bad input: one line naming the file and the fix, exit 2', () => {
  const files: Record<string, string> = {
    'throws.ts': `throw new Error('boom at import');\n`,
    'syntax.ts': `export const x: number = (;\n`,
    'none.ts': `export const answer = 42;\n`,
    'nocreate.mjs': `export default { name: 'p', description: '', variants: { correct: { kind: 'correct', description: '' } }, defaultVariant: 'correct', workload: () => ({ f: 'read', value: null }), checkers: () => [] };\n`,
    'novariants.mjs': `export default { name: 'p', description: '', variants: {}, defaultVariant: 'correct', create: () => ({}), workload: () => ({ f: 'read', value: null }), checkers: () => [] };\n`,
    'baddefault.mjs': `export default { name: 'p', description: '', variants: { correct: { kind: 'correct', description: '' } }, defaultVariant: 'nope', create: () => ({}), workload: () => ({ f: 'read', value: null }), checkers: () => [] };\n`,
    'noworkload.mjs': `export default { name: 'p', description: '', variants: { correct: { kind: 'correct', description: '' } }, defaultVariant: 'correct', create: () => ({}), checkers: () => [] };\n`,
    'badchurn.mjs': `export default { name: 'p', description: '', variants: { correct: { kind: 'correct', description: '' } }, defaultVariant: 'correct', create: () => ({}), workload: () => ({ f: 'read', value: null }), checkers: () => [], churn: { maxAway: 0 } };\n`,
    'churntypo.mjs': `export default { name: 'p', description: '', variants: { correct: { kind: 'correct', description: '' } }, defaultVariant: 'correct', create: () => ({}), workload: () => ({ f: 'read', value: null }), checkers: () => [], churn: { maxaway: 2 } };\n`,
    'two.mjs': `const b = { description: '', variants: { correct: { kind: 'correct', description: '' } }, defaultVariant: 'correct', create: () => ({}), workload: () => ({ f: 'read', value: null }), checkers: () => [] };\nexport const a = { ...b, name: 'same' };\nexport const c = { ...b, name: 'same' };\n`,
  };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-badproto-'));
    writeFileSync(join(dir, 'package.json'), '{"name":"bad","private":true,"type":"module"}');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  });

  const cases: Array<[string, string[], RegExp]> = [
    ['a module path that does not exist', ['run', './missing.ts'], /^faultline: \.\/missing\.ts: no such file \(check the path to your protocol module\)$/],
    ['a module that throws on import', ['run', './throws.ts'], /^faultline: \.\/throws\.ts: importing it failed: boom at import \(fix the module so that it loads\)$/],
    ['a syntax error in the user .ts', ['run', './syntax.ts'], /^faultline: \.\/syntax\.ts: importing it failed: .*syntax\.ts:1:\d+.*\(fix the module so that it loads\)$/],
    ['a module with no protocol export', ['run', './none.ts'], /^faultline: \.\/none\.ts: exports no protocol \(export default defineProtocol/],
    ['an export without create', ['run', './nocreate.mjs'], /^faultline: \.\/nocreate\.mjs \(default export\): 'create' is missing: give create\(ctx, variant\)/],
    ['an export without variants', ['shrink', './novariants.mjs'], /^faultline: \.\/novariants\.mjs \(default export\): 'variants' is missing or empty/],
    ['an export without a workload', ['list', './noworkload.mjs'], /^faultline: \.\/noworkload\.mjs \(default export\): 'workload' is missing/],
    ['a defaultVariant that is not a variant', ['run', './baddefault.mjs'], /^faultline: \.\/baddefault\.mjs \(default export\): defaultVariant "nope" is not a variant: choose from correct$/],
    ['a churn bound out of range', ['run', './badchurn.mjs'], /^faultline: \.\/badchurn\.mjs \(default export\): churn\.maxAway must be a whole number from 1 to 1000, got 0$/],
    ['a misspelt churn field', ['run', './churntypo.mjs'], /^faultline: \.\/churntypo\.mjs \(default export\): churn has an unknown field 'maxaway': its fields are maxAway, settleMs, graceMs$/],
    ['several protocol exports and no #name', ['run', './two.mjs'], /^faultline: \.\/two\.mjs: exports several protocols \(a, c\): pick one with \.\/two\.mjs#a$/],
    ['an #export that does not exist', ['run', './two.mjs#zz'], /^faultline: \.\/two\.mjs: no export named 'zz' \(protocol exports: a, c; use #<one of them>\)$/],
    ['an unknown bundled name without a config', ['run', 'nope'], /^faultline: unknown protocol 'nope': choose from .*abd.*or pass your module: \.\/path\/to\/protocol\.ts$/],
  ];
  for (const [what, args, re] of cases) {
    it(`rejects ${what}`, () => {
      const r = cli(dir, ...args);
      expect(r.code, r.err).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err.trim()).toMatch(re);
    });
  }

  it('rejects two protocols with one name in a config, an unknown name with a config present, and a broken config', () => {
    const p = mkdtempSync(join(tmpdir(), 'faultline-badconfig-'));
    writeFileSync(join(p, 'package.json'), '{"name":"x","type":"module"}');
    cpSync(join(dir, 'two.mjs'), join(p, 'two.mjs'));
    writeFileSync(join(p, 'faultline.config.json'), JSON.stringify({ protocols: ['./two.mjs#a', './two.mjs#c'] }));
    const twin = cli(p, 'run', 'same');
    expect(twin.code).toBe(2);
    expect(twin.err.trim()).toMatch(/^faultline: \.\/faultline\.config\.json: two protocols are named 'same' \(\.\/two\.mjs#a and \.\/two\.mjs#c\): give each ProtocolDef its own name$/);
    writeFileSync(join(p, 'faultline.config.json'), JSON.stringify({ protocols: ['./two.mjs#a'] }));
    const unknown = cli(p, 'run', 'zzz');
    expect(unknown.code).toBe(2);
    expect(unknown.err.trim()).toMatch(/^faultline: unknown protocol 'zzz': \.\/faultline\.config\.json lists same \(bundled: .*\); add its module to 'protocols' there or pass \.\/path\/to\/module\.ts$/);
    writeFileSync(join(p, 'faultline.config.json'), '{ "protocols": [');
    const broken = cli(p, 'run', 'same');
    expect(broken.code).toBe(2);
    expect(broken.err.trim()).toMatch(/^faultline: \.\/faultline\.config\.json: not valid JSON .*fix the config$/);
    writeFileSync(join(p, 'faultline.config.json'), JSON.stringify({ protocol: ['./two.mjs#a'] }));
    const key = cli(p, 'run', 'same');
    expect(key.code).toBe(2);
    expect(key.err.trim()).toMatch(/^faultline: \.\/faultline\.config\.json: unknown key 'protocol': a config has protocols, scenario and corpus$/);
    for (const r of [twin, unknown, broken, key]) expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('a corpus entry whose module moved: one line naming the path it looked for', () => {
    const work = mkdtempSync(join(tmpdir(), 'faultline-moved-'));
    cpSync(project, work, { recursive: true });
    const entry = cli(work, 'replay', 'corpus', '--json');
    const file = JSON.parse(entry.out).entries[0].file as string;
    renameSync(join(work, 'src', 'reg.mjs'), join(work, 'src', 'renamed.mjs'));
    const r = cli(work, 'replay', file);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`faultline: ${file}: its protocol module is missing: looked for ${join(work, 'src', 'reg.mjs')}`);
    // In a directory replay the entry is an error line, and the run exits 2.
    const all = cli(work, 'replay', 'corpus');
    expect(all.code).toBe(2);
    expect(all.out).toMatch(/^ERROR corpus\/reg\/.*its protocol module is missing/m);
  });

  it('init outside an npm project, and init over existing files', () => {
    const empty = mkdtempSync(join(tmpdir(), 'faultline-noinit-'));
    const r = cli(empty, 'init');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/^faultline: .*package\.json: no package\.json here: run faultline init in your npm project \(npm init -y first\)$/);
    writeFileSync(join(empty, 'package.json'), '{}');
    expect(cli(empty, 'init').code).toBe(0);
    const twice = cli(empty, 'init');
    expect(twice.code).toBe(2);
    expect(twice.err.trim()).toMatch(/faultline\.config\.ts already exists: move it away, or run faultline init --force to overwrite$/);
  });

  it('replay of an empty directory, and an unknown reporter', () => {
    const empty = mkdtempSync(join(tmpdir(), 'faultline-empty-'));
    const r = cli(empty, 'replay', '.');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/^faultline: \.: no corpus entries/);
    const rep = cli(project, 'replay', 'corpus', '--reporter', 'tap');
    expect(rep.code).toBe(2);
    expect(rep.err.trim()).toBe(`faultline: --reporter takes one of junit, got 'tap'`);
  });
});
