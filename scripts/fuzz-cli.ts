/**
 * `npm run fuzz:cli [-- --cases N --seed S --root DIR --timeout S --jobs J --json FILE]`: a seeded
 * fuzzer of bad input to the CLI. It generates argv of every command with bad flags and values,
 * mutated corpus entries and mutated histories, runs each through the CLI function of the tree
 * at --root (in runner child processes, many cases per process), and reports counts by outcome:
 * exit code, lines on stderr, stack traces, bad input accepted, hangs (a case past --timeout
 * seconds: its runner is killed, reaped and replaced). Opt-in: not part of `npm test`.
 *
 * Bad input must give exit 2 and one line on stderr, never a stack trace; a case the generator
 * cannot call bad (a valid value in range) may also end with a verdict (0, 1, 3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import seedrandom from 'seedrandom';

interface Case {
  id: number;
  kind: 'argv' | 'corpus' | 'history' | 'other';
  argv: string[];
  /** 'bad': the generator put in something that must be rejected; 'any': it may also be accepted. */
  expect: 'bad' | 'any';
  what: string;
}

interface Outcome {
  c: Case;
  code: number | 'hang' | 'runner-died';
  stderr: string;
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const CASES = Number(args.get('cases') ?? 1000);
const SEED = args.get('seed') ?? '1';
const ROOT = resolve(args.get('root') ?? '.');
const TIMEOUT_MS = 1000 * Number(args.get('timeout') ?? 30);
const JOBS = Number(args.get('jobs') ?? 2);
const rng = seedrandom(`fuzz-cli/${SEED}`);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const chance = (p: number) => rng() < p;

const work = mkdtempSync(join(tmpdir(), 'faultline-fuzz-'));
const aFile = join(work, 'a-file.txt');
writeFileSync(aFile, 'not a directory\n');
let fileNo = 0;
const writeCase = (ext: string, text: string) => {
  const p = join(work, `case-${fileNo++}.${ext}`);
  writeFileSync(p, text);
  return p;
};

// ---- value pools --------------------------------------------------------------------------
const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
const badNumbers = ['-1', '1e23', '100000', '2147484', '1.5', 'NaN', 'Infinity', '0x10', '', ' 5', '9007199254740993', '1_000', '+3', '9'.repeat(400), '-0.5', 'five'];
/** Values of badNumbers that are in range for some numeric flags. */
const AMBIGUOUS = new Set(['100000', '2147484', '1.5', '9007199254740993']);
const badNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '', 'a'.repeat(5000), '../x', 'abd\nrun', '-', '--'];
const garbageFlags = ['--frobnicate', '-x', '---', '--=', '--NODES', '--no-such=1', '-hh', '--help=1', '--nodes=', '--json=false'];
const protocols = ['abd', 'raft', 'lock', 'paxos', '2pc', 'primary-backup'];
const bugs: Record<string, string> = { abd: 'no-write-back', raft: 'stale-local-read', lock: 'no-fencing', paxos: 'quorum-off-by-one', '2pc': 'commit-on-timeout', 'primary-backup': 'no-epoch-check' };
/** Scenario flags with a value in range (accepted) and a few out of range (must be rejected). */
const numericFlags: Record<string, { ok: string[]; bad: string[] }> = {
  nodes: { ok: ['1', '3', '7'], bad: ['0', '101', '100000'] },
  clients: { ok: ['1', '4'], bad: ['0', '1001', '100000'] },
  ops: { ok: ['0', '5', '30'], bad: ['200001', '1000000'] },
  'heal-at': { ok: ['0', '500', '3000'], bad: ['3600001', '100000000'] },
  quiet: { ok: ['0', '200'], bad: ['3600001'] },
  'fault-interval': { ok: ['50', '400'], bad: ['0'] },
  'fault-duration': { ok: ['1', '500'], bad: ['0'] },
  think: { ok: ['0', '100'], bad: ['3600001'] },
  'op-timeout': { ok: ['10', '500'], bad: ['0'] },
  'max-steps': { ok: ['1', '1000', '100000'], bad: ['0', '1000000001'] },
  drop: { ok: ['0', '0.3', '1'], bad: ['1.5', '-0.1', '2'] },
  dup: { ok: ['0', '0.2'], bad: ['1.01'] },
  reorder: { ok: ['0.5'], bad: ['7'] },
  latency: { ok: ['0..0', '1..30', '5'], bad: ['10..1', '1..', '..', '1..99999999', 'a..b'] },
  seed: { ok: ['0', '17'], bad: ['x1', '-3'] },
  seeds: { ok: ['0..2', '5..6'], bad: ['5..2', '0..99999999999', '0..-1'] },
  workers: { ok: ['0', '1', '2'], bad: ['257', '1e3'] },
  'seed-timeout': { ok: ['30', '600'], bad: ['0', '2147484', '99999999999'] },
  nemesis: { ok: ['none', 'crash', 'partitions,clocks', 'all'], bad: ['meteor', 'crash,,meteor', 'constructor', '__proto__', 'toString'] },
  variant: { ok: [], bad: ['nope', 'constructor', '__proto__', 'toString'] },
  out: { ok: [], bad: [aFile, join(aFile, 'sub')] },
  corpus: { ok: [], bad: [aFile] },
};

// ---- argv cases -----------------------------------------------------------------------------
function argvCase(): Omit<Case, 'id'> {
  const proto = pick(protocols);
  const cmd = pick(['run', 'run', 'run', 'shrink', 'explore']);
  const argv =
    cmd === 'run'
      ? ['run', proto, '--ops', '10', '--seed', '0', '--workers', '0']
      : cmd === 'shrink'
        ? ['shrink', proto, '--variant', bugs[proto], '--seed', '0', '--ops', '10', '--shrink-runs', '20']
        : ['explore', proto, '--seeds', '0..1', '--ops', '10', '--workers', '0', '--no-shrink'];
  let expect: Case['expect'] = 'any';
  const what: string[] = [];
  const mutations = 1 + Math.floor(rng() * 3);
  // Each flag is mutated at most once, so a later mutation never undoes an earlier bad one.
  const touched = new Set<string>();
  for (let m = 0; m < mutations; m++) {
    const r = rng();
    const flag = pick(Object.keys(numericFlags));
    if (r < 0.55 && !touched.has(flag)) {
      touched.add(flag);
      const pool = numericFlags[flag];
      // A huge seed range is a long exploration, not bad input, for explore.
      const fromPool = (pool.ok.length === 0 || chance(0.6)) && !(cmd === 'explore' && flag === 'seeds');
      const value = fromPool ? pick(chance(0.7) ? pool.bad : badNumbers) : pick(pool.ok);
      // A number out of one flag's range may be in another's (100000 ms is a fine --heal-at): only call sure things bad.
      const sure = pool.bad.includes(value) || (badNumbers.includes(value) && !AMBIGUOUS.has(value) && flag !== 'out' && flag !== 'corpus');
      if (fromPool && sure) expect = 'bad';
      if (cmd === 'shrink' && ['seeds', 'workers', 'seed-timeout', 'out'].includes(flag)) expect = 'bad';
      if (cmd === 'explore' && ['seed', 'out'].includes(flag)) expect = 'bad';
      setFlag(argv, flag, value, chance(0.3));
      what.push(`--${flag} ${JSON.stringify(value).slice(0, 30)}`);
    } else if (r < 0.7) {
      argv.push(pick(garbageFlags));
      expect = 'bad';
      what.push('garbage flag');
    } else if (r < 0.8) {
      argv[1] = pick(badNames);
      expect = 'bad';
      what.push('bad protocol name');
    } else if (r < 0.88) {
      // A flag at the end with its value missing.
      const last = pick(['nodes', 'seed', 'out', 'variant', 'latency']);
      touched.add(last);
      argv.push(`--${last}`);
      expect = 'bad';
      what.push('flag without value');
    } else if (r < 0.94) {
      argv.push(pick(['extra', 'abd', '-1']));
      expect = 'bad';
      what.push('extra positional');
    } else if (m === 0) {
      // Only from the base argv, before any bad part is added (dropping that would make it good).
      const i = 2 + Math.floor(rng() * (argv.length - 2));
      argv.splice(i, 1);
      what.push('dropped an argument');
    } else {
      argv.push(pick(garbageFlags));
      expect = 'bad';
      what.push('garbage flag');
    }
  }
  return { kind: 'argv', argv, expect, what: what.join(', ') };
}

function setFlag(argv: string[], flag: string, value: string, inline: boolean): void {
  const i = argv.indexOf(`--${flag}`);
  if (i >= 0) argv.splice(i, 2);
  if (inline) argv.push(`--${flag}=${value}`);
  else argv.push(`--${flag}`, value);
}

// ---- corpus cases ---------------------------------------------------------------------------
const corpusFiles = readdirSync(join(ROOT, 'corpus'), { withFileTypes: true, recursive: true })
  .filter((d) => d.isFile() && d.name.endsWith('.json') && d.name !== 'schema.json')
  .map((d) => join(d.parentPath, d.name))
  .sort();

function corpusCase(): Omit<Case, 'id'> {
  const e = JSON.parse(readFileSync(pick(corpusFiles), 'utf8'));
  // Op mutations need an op to mutate; an added plain op is itself fine.
  if (e.ops.length === 0) e.ops.push({ client: 0, node: 'n1', thinkMs: 0, f: 'read', value: null });
  const mutation = pick(corpusMutations);
  const text = mutation.apply(e);
  const file = writeCase('json', text ?? JSON.stringify(e));
  const argv = chance(0.8) ? ['replay', file, '--quiet'] : ['shrink', file, '--shrink-runs', '20'];
  return { kind: 'corpus', argv, expect: mutation.bad ? 'bad' : 'any', what: mutation.name };
}

type Mutation = { name: string; bad: boolean; apply: (e: any) => string | void };
const nastyJson = [1e23, -1, 'x', null, 1.5, 1e12, [], {}, true, '1e3'];
const corpusMutations: Mutation[] = [
  ...['nodes', 'clients', 'ops', 'healAtMs', 'quietMs', 'maxSteps', 'dropRate', 'latencyMaxMs', 'opTimeoutMs', 'faultIntervalMs'].map(
    (k): Mutation => ({ name: `options.${k} nasty`, bad: true, apply: (e) => void (e.options[k] = pick(nastyJson)) }),
  ),
  { name: 'options.links unknown node', bad: true, apply: (e) => void (e.options.links = [{ from: 'n1', to: 'n42' }]) },
  { name: 'options.links rate 5', bad: true, apply: (e) => void (e.options.links = [{ from: 'n1', to: 'n2', dropRate: 5 }]) },
  { name: 'options.links wrong shape', bad: true, apply: (e) => void (e.options.links = pick([[[1, 2]], 'n1-n2', [null], [{ from: 'n1' }]])) },
  { name: 'options.links latency min > max', bad: true, apply: (e) => void (e.options.links = [{ from: 'n1', to: 'n2', latencyMinMs: 50, latencyMaxMs: 1 }]) },
  { name: 'options.links valid', bad: false, apply: (e) => void (e.options.links = [{ from: 'n1', to: 'n2', dropRate: 0.5, latencyMinMs: 1, latencyMaxMs: 5 }]) },
  { name: 'options.nemesis unknown', bad: true, apply: (e) => void (e.options.nemesis = [pick(['meteor', 'constructor', '__proto__'])]) },
  { name: 'op value nested 100 deep', bad: true, apply: (e) => void (e.ops[0] && (e.ops[0].value = JSON.parse(nest(100)))) },
  { name: 'op value nested 100,000 deep', bad: true, apply: (e) => JSON.stringify(e).replace(/"value":[^,}]*/, `"value":${nest(100_000)}`) },
  { name: 'op value with own __proto__', bad: true, apply: (e) => JSON.stringify(e).replace(/"value":[^,}]*/, '"value":{"__proto__":{"x":1}}') },
  { name: 'op with own __proto__', bad: true, apply: (e) => JSON.stringify(e).replace('"ops":[{', '"ops":[{"__proto__":{"client":0},') },
  { name: 'op client nasty', bad: true, apply: (e) => void (e.ops[0] && (e.ops[0].client = pick([-1, 1e23, 'a', 9999]))) },
  { name: 'op node unknown', bad: true, apply: (e) => void (e.ops[0] && (e.ops[0].node = pick(['n999', 'x', '', 'constructor']))) },
  { name: 'op thinkMs nasty', bad: true, apply: (e) => void (e.ops[0] && (e.ops[0].thinkMs = pick([-5, 1e300, 'x']))) },
  { name: 'fault kind nasty', bad: true, apply: (e) => void (e.faults = [{ kind: pick(['meteor', 'constructor', 'toString']), atMs: 1, durationMs: 1 }]) },
  { name: 'fault node unknown', bad: true, apply: (e) => void (e.faults = [{ kind: 'crash', atMs: 1, durationMs: 1, node: 'n999' }]) },
  { name: 'fault time nasty', bad: true, apply: (e) => void (e.faults = [{ kind: 'pause', atMs: pick([-1, 1e300, 'x']), durationMs: 1, node: 'n1' }]) },
  { name: 'fault rate nasty', bad: true, apply: (e) => void (e.faults = [{ kind: 'loss', atMs: 1, durationMs: 1, rate: pick([5, -1, 'x']) }]) },
  { name: 'clock rate 0', bad: true, apply: (e) => void (e.faults = [{ kind: 'clock', atMs: 1, durationMs: 1, node: 'n1', offsetMs: 0, rate: 0 }]) },
  { name: 'tape garbage', bad: true, apply: (e) => void (e.tape.choices = pick(['x9', 'l*-1', 'l@-1', '@@', 'l99999999999999999999'])) },
  { name: 'tape length nasty', bad: true, apply: (e) => void (e.tape.length = pick([-1, 1e23, 'x', 1e9])) },
  { name: 'tape huge run', bad: true, apply: (e) => void (e.tape = { length: 99_999_999, choices: 'l*99999999' }) },
  { name: 'version nasty', bad: true, apply: (e) => void (e.version = pick([1, 3, '2', null])) },
  { name: 'protocol nasty', bad: true, apply: (e) => void (e.protocol = pick(badNames)) },
  { name: 'variant nasty', bad: true, apply: (e) => void ((e.variant = pick(['constructor', '__proto__', 'toString'])), (e.options.variant = e.variant)) },
  { name: 'field removed', bad: true, apply: (e) => void delete e[pick(['ops', 'faults', 'tape', 'options', 'expected', 'fingerprint'])] },
  { name: 'unknown field', bad: true, apply: (e) => void (e[pick(['evil', 'constructor'])] = 1) },
  { name: 'truncated text', bad: true, apply: (e) => JSON.stringify(e).slice(0, Math.floor(rng() * 200)) },
  { name: 'not an object', bad: true, apply: () => pick(['[]', 'null', '7', '"x"', '', nest(100_000)]) },
];

// ---- history cases --------------------------------------------------------------------------
const line = (o: object) => JSON.stringify(o);
const goodHistory = [
  line({ type: 'invoke', process: 0, f: 'write', value: 1 }),
  line({ type: 'ok', process: 0, f: 'write', value: 1 }),
  line({ type: 'invoke', process: 1, f: 'read', value: null }),
  line({ type: 'ok', process: 1, f: 'read', value: 1 }),
];
const historyMutations: Mutation[] = [
  { name: 'jsonl value nested 100,000 deep', bad: true, apply: () => `{"type":"invoke","process":0,"f":"write","value":${nest(100_000)}}\n` },
  { name: 'jsonl key nested 100,000 deep', bad: true, apply: () => `{"type":"invoke","process":0,"f":"put","key":${nest(100_000)},"value":1}\n` },
  { name: 'jsonl value with own __proto__', bad: false, apply: () => goodHistory.join('\n').replace('"value":1}', '"value":{"__proto__":{"x":1}}}') },
  { name: 'jsonl garbage line', bad: true, apply: () => [goodHistory[0], '{"type": oops', ...goodHistory.slice(1)].join('\n') },
  { name: 'jsonl huge process', bad: false, apply: () => goodHistory.join('\n').replaceAll('"process":0', '"process":1e300') },
  { name: 'jsonl wrong types', bad: true, apply: () => goodHistory.join('\n').replace('"type":"ok"', '"type":7') },
  { name: 'edn nested 100,000 deep', bad: true, apply: () => `{:type :invoke, :f :read, :process 0, :value ${nest(100_000)}}\n` },
  { name: 'random bytes', bad: true, apply: () => Array.from({ length: 200 }, () => String.fromCharCode(Math.floor(rng() * 256))).join('') },
  { name: 'empty', bad: true, apply: () => '' },
];

function historyCase(): Omit<Case, 'id'> {
  const m = pick(historyMutations);
  const file = writeCase('jsonl', m.apply({}) as string);
  const argv = ['check', file, '--model', pick(['register', 'cas-register', 'kv', ...(chance(0.2) ? ['constructor', '__proto__'] : [])])];
  const budget = chance(0.2) ? pick(badNumbers) : undefined;
  if (budget !== undefined) argv.push(pick(['--timeout', '--max-memory', '--max-states']), budget);
  if (chance(0.1)) argv.splice(1, 1, work); // a directory where a file goes
  const badBudget = budget !== undefined && !AMBIGUOUS.has(budget);
  const bad = m.bad || argv.some((a) => ['constructor', '__proto__'].includes(a)) || badBudget || argv[1] === work;
  return { kind: 'history', argv, expect: bad ? 'bad' : 'any', what: m.name };
}

function otherCase(): Omit<Case, 'id'> {
  const cmd = pick(['list', 'demo', 'replay', 'check', 'merge', 'explore', 'nope', 'constructor', '__proto__']);
  const argv = [cmd, ...(cmd === 'demo' || chance(0.7) ? [pick(garbageFlags)] : [pick(['extra', '-1'])])];
  return { kind: 'other', argv, expect: 'bad', what: `${cmd} with junk` };
}

// ---- running --------------------------------------------------------------------------------
const here = fileURLToPath(new URL('.', import.meta.url));
const tsxLoader = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const cwd = join(work, 'cwd');
mkdirSync(cwd);

class Runner {
  child!: ChildProcess;
  ready!: Promise<void>;
  constructor() {
    this.start();
  }
  start(): void {
    this.child = spawn(process.execPath, ['--import', tsxLoader, join(here, 'fuzz-cli-runner.ts')], {
      cwd,
      env: { ...process.env, FUZZ_ROOT: ROOT, FORCE_COLOR: '0' },
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    this.ready = new Promise((res, rej) => {
      this.child.once('message', () => res());
      this.child.once('exit', (code) => rej(new Error(`runner exited (${code}) before it was ready`)));
    });
  }
  /** Kills the runner and waits until it is reaped. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((res) => this.child.once('exit', res));
    this.child.kill('SIGKILL');
    await gone;
  }
  async run(c: Case): Promise<Outcome> {
    await this.ready;
    return new Promise((res) => {
      const done = (o: Outcome) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        res(o);
      };
      const onMessage = (m: { id: number; code: number; stderr: string }) => m.id === c.id && done({ c, code: m.code, stderr: m.stderr });
      const onExit = () => done({ c, code: 'runner-died', stderr: '' });
      const timer = setTimeout(() => done({ c, code: 'hang', stderr: '' }), TIMEOUT_MS);
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
      this.child.send({ id: c.id, argv: c.argv });
    });
  }
}

const cases: Case[] = Array.from({ length: CASES }, (_, id) => {
  const r = rng();
  const c = r < 0.45 ? argvCase() : r < 0.7 ? corpusCase() : r < 0.9 ? historyCase() : otherCase();
  return { id, ...c };
});

const outcomes: Outcome[] = [];
let next = 0;
const t0 = Date.now();
await Promise.all(
  Array.from({ length: JOBS }, async () => {
    let runner = new Runner();
    while (next < cases.length) {
      const c = cases[next++];
      const o = await runner.run(c);
      outcomes.push(o);
      if (o.code === 'hang' || o.code === 'runner-died') {
        await runner.stop();
        runner = new Runner();
      }
      if (outcomes.length % 100 === 0) process.stderr.write(`  ${outcomes.length}/${cases.length} cases, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    }
    await runner.stop();
  }),
);
rmSync(work, { recursive: true, force: true });
report(outcomes.sort((a, b) => a.c.id - b.c.id));

function report(all: Outcome[]): void {
  const lines = (o: Outcome) => o.stderr.split('\n').filter((l) => l.trim() !== '').length;
  const stack = (o: Outcome) => /^\s+at .*(:\d+:\d+\)?|<anonymous>)$/m.test(o.stderr);
  const count = <K extends string>(f: (o: Outcome) => K) => all.reduce<Record<string, number>>((m, o) => ((m[f(o)] = (m[f(o)] ?? 0) + 1), m), {});
  const problems: Record<string, Outcome[]> = {
    'stack trace on stderr': all.filter(stack),
    'internal error (exit 70)': all.filter((o) => o.code === 70),
    'exit 2 with not exactly one stderr line': all.filter((o) => o.code === 2 && lines(o) !== 1),
    'bad input accepted (exit 0/1/3)': all.filter((o) => o.c.expect === 'bad' && [0, 1, 3].includes(o.code as number)),
    'hang (past the timeout; runner killed and reaped)': all.filter((o) => o.code === 'hang'),
    'runner died': all.filter((o) => o.code === 'runner-died' || o.code === -1),
  };
  const summary = {
    seed: SEED,
    root: ROOT,
    cases: all.length,
    seconds: Math.round((Date.now() - t0) / 1000),
    byExit: count((o) => String(o.code)),
    byStderrLines: count((o) => (lines(o) >= 2 ? '2+' : String(lines(o)))),
    byKind: count((o) => o.c.kind),
    problems: Object.fromEntries(Object.entries(problems).map(([k, v]) => [k, v.length])),
  };
  console.log(`fuzz:cli seed ${SEED}: ${all.length} cases against ${ROOT} in ${summary.seconds} s (timeout ${TIMEOUT_MS / 1000} s per case)`);
  console.log(`  by exit code:      ${fmt(summary.byExit)}`);
  console.log(`  lines on stderr:   ${fmt(summary.byStderrLines)}`);
  console.log(`  by input class:    ${fmt(summary.byKind)}`);
  for (const [name, list] of Object.entries(problems)) {
    console.log(`  ${name}: ${list.length}`);
    for (const o of list.slice(0, 3)) {
      console.log(`    - [${o.c.kind}: ${o.c.what}] faultline ${o.c.argv.map((a) => (a.length > 40 ? `${a.slice(0, 40)}...` : a)).join(' ')}`);
      const first = o.stderr.split('\n').find((l) => l.trim() !== '');
      if (first) console.log(`      ${first.slice(0, 160)}`);
    }
  }
  if (args.has('json')) writeFileSync(args.get('json')!, JSON.stringify(summary, null, 2) + '\n');
}

function fmt(m: Record<string, number>): string {
  return Object.entries(m)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
}
