/**
 * Loading a protocol from where a user keeps it: a bundled protocol by name, a module of theirs
 * (`./path/proto.ts#export`, TypeScript loaded without a build step of theirs), or a name that their
 * project config (`faultline.config.*`) lists. A `ProtocolRef` is plain data, so a worker thread
 * that receives one loads exactly the module the main thread did.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nemesisNames } from '../faults/index.ts';
import { churnBoundsOf, type ProtocolDef } from './protocol.ts';
import type { ScenarioOptions } from './scenario.ts';

/** Where a protocol comes from, as plain data (it crosses to worker threads and into corpus entries). */
export type ProtocolRef =
  /** A module path (absolute, or a file URL), and the export to take (undefined: the default export, else the only protocol export). */
  | { module: string; export?: string }
  /** A protocol bundled with Faultline (`faultline list`). */
  | { bundled: string };

/** A protocol module or config that cannot be used: printed as one line, exit code 2. */
export class ProtocolLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolLoadError';
  }
}

/** What `faultline.config.{ts,mts,js,mjs,json}` may hold. */
export interface FaultlineConfig {
  /** The project's protocol modules, relative to the config (`'./src/kv.ts'`, `'./src/kv.ts#kvV2'`). */
  protocols?: string[];
  /** Scenario defaults for this project's runs: a protocol's own `defaults` win over them, flags over both. */
  scenario?: Partial<Omit<ScenarioOptions, 'protocol' | 'variant' | 'seed'>>;
  /** Corpus root for `--save`, relative to the config (default `corpus`). */
  corpus?: string;
}

/** A config found on disk, with the directory its relative paths start from. */
export interface LoadedConfig {
  file: string;
  dir: string;
  config: FaultlineConfig;
}

export const CONFIG_NAMES = ['faultline.config.ts', 'faultline.config.mts', 'faultline.config.js', 'faultline.config.mjs', 'faultline.config.json'];
const MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx'];
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** True when a command-line protocol argument names a file rather than a protocol. */
export function isModuleArg(arg: string): boolean {
  const path = arg.split('#')[0];
  return path.includes('/') || path.includes('\\') || MODULE_EXTENSIONS.includes(extname(path));
}

/**
 * The nearest `faultline.config.*` from `dir` upward, or undefined.
 *
 * @example
 * findConfigFile(process.cwd()); // '/home/me/kv/faultline.config.ts'
 */
export function findConfigFile(dir: string): string | undefined {
  for (let d = resolve(dir), i = 0; i < 256; i++) {
    for (const name of CONFIG_NAMES) if (existsSync(join(d, name))) return join(d, name);
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
  return undefined;
}

/**
 * The project root of `dir`: the directory of the nearest config, else of the nearest package.json,
 * else `dir` itself. Corpus entries record module paths relative to it.
 *
 * @example
 * projectRoot('/home/me/kv/corpus/kv'); // '/home/me/kv'
 */
export function projectRoot(dir: string): string {
  const config = findConfigFile(dir);
  if (config) return dirname(config);
  for (let d = resolve(dir), i = 0; i < 256; i++) {
    if (existsSync(join(d, 'package.json'))) return d;
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return resolve(dir);
}

/**
 * Loads and checks the nearest config from `dir` upward (undefined when there is none).
 *
 * @example
 * const found = await loadConfig(process.cwd());
 * found?.config.protocols; // ['./src/kv.ts']
 */
export async function loadConfig(dir: string): Promise<LoadedConfig | undefined> {
  const file = findConfigFile(dir);
  if (file === undefined) return undefined;
  let raw: unknown;
  if (file.endsWith('.json')) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ProtocolLoadError(`${shown(file)}: not valid JSON (${firstLine(e)}): fix the config`);
    }
  } else {
    const mod = await importModule(file);
    raw = mod.default;
  }
  return { file, dir: dirname(file), config: checkConfig(file, raw) };
}

function checkConfig(file: string, raw: unknown): FaultlineConfig {
  const bad = (problem: string): never => {
    throw new ProtocolLoadError(`${shown(file)}: ${problem}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) bad('the config must be an object (export default defineConfig({ protocols: [...] }))');
  const c = raw as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!['protocols', 'scenario', 'corpus'].includes(k)) bad(`unknown key '${k}': a config has protocols, scenario and corpus`);
  if (c.protocols !== undefined && (!Array.isArray(c.protocols) || !c.protocols.every((p) => typeof p === 'string'))) {
    bad(`'protocols' must be a list of module paths, e.g. ["./src/kv.ts"]`);
  }
  if (c.scenario !== undefined && (c.scenario === null || typeof c.scenario !== 'object' || Array.isArray(c.scenario))) bad(`'scenario' must be an object of scenario options`);
  for (const k of ['protocol', 'variant', 'seed']) if (c.scenario && k in (c.scenario as object)) bad(`'scenario.${k}' cannot be a project default: give it on the command line`);
  if (c.corpus !== undefined && typeof c.corpus !== 'string') bad(`'corpus' must be a directory path`);
  return c as FaultlineConfig;
}

/** Parses `./path/proto.ts#export` (relative to `base`) into a module reference. */
export function moduleRef(arg: string, base: string): { module: string; export?: string } {
  const hash = arg.lastIndexOf('#');
  const path = hash >= 0 ? arg.slice(0, hash) : arg;
  const name = hash >= 0 ? arg.slice(hash + 1) : undefined;
  if (name !== undefined && !/^[A-Za-z_$][\w$]*$/.test(name)) throw new ProtocolLoadError(`${arg}: '#${name}' is not an export name (use ./file.ts#exportName)`);
  return { module: isAbsolute(path) ? path : resolve(base, path), export: name };
}

/** A resolved command-line protocol: the definition, how to load it again, and the project it belongs to. */
export interface ResolvedProtocol {
  protocol: ProtocolDef;
  ref: ProtocolRef;
  config?: LoadedConfig;
}

/**
 * Resolves what a user typed after `faultline run`: a module path (with `#export`), a name from the
 * project config, or a bundled protocol's name.
 *
 * @example
 * const { protocol, ref } = await resolveProtocolArg('./src/kv.ts#kv', process.cwd());
 */
export async function resolveProtocolArg(arg: string, cwd: string): Promise<ResolvedProtocol> {
  const config = await loadConfig(cwd);
  if (isModuleArg(arg)) {
    const ref = moduleRef(arg, cwd);
    return { protocol: await loadProtocol(ref), ref, config };
  }
  if (config?.config.protocols?.length) {
    const found = await configProtocols(config);
    const hit = found.find((f) => f.protocol.name === arg);
    if (hit) return { ...hit, config };
    const bundled = await bundledNames();
    if (!bundled.includes(arg)) {
      throw new ProtocolLoadError(
        `unknown protocol '${arg}': ${shown(config.file)} lists ${found.map((f) => f.protocol.name).join(', ') || 'none'} (bundled: ${bundled.join(', ')}); add its module to 'protocols' there or pass ./path/to/module.ts`,
      );
    }
  }
  const ref: ProtocolRef = { bundled: arg };
  return { protocol: await loadProtocol(ref), ref, config };
}

/** Every protocol a config lists, loaded; two with one name are an error. */
export async function configProtocols(config: LoadedConfig): Promise<Array<{ protocol: ProtocolDef; ref: ProtocolRef }>> {
  const out: Array<{ protocol: ProtocolDef; ref: ProtocolRef }> = [];
  for (const spec of config.config.protocols ?? []) {
    const ref = moduleRef(spec, config.dir);
    const protocol = await loadProtocol(ref);
    const twin = out.find((o) => o.protocol.name === protocol.name);
    if (twin) {
      throw new ProtocolLoadError(
        `${shown(config.file)}: two protocols are named '${protocol.name}' (${describeRef(twin.ref, config.dir)} and ${spec}): give each ProtocolDef its own name`,
      );
    }
    out.push({ protocol, ref });
  }
  return out;
}

/**
 * Loads the protocol a reference points at, checking that it is a usable `ProtocolDef`.
 *
 * @example
 * const kv = await loadProtocol({ module: '/home/me/kv/src/kv.ts', export: 'kv' });
 */
export async function loadProtocol(ref: ProtocolRef): Promise<ProtocolDef> {
  if ('bundled' in ref) {
    const { protocols } = await import('../../protocols/index.ts');
    const p = protocols.find((x) => x.name === ref.bundled);
    if (p === undefined) {
      throw new ProtocolLoadError(
        `unknown protocol '${ref.bundled}': choose from ${protocols.map((x) => x.name).join(', ')} (see faultline list), or pass your module: ./path/to/protocol.ts`,
      );
    }
    return p;
  }
  const file = ref.module.startsWith('file:') ? fileURLToPath(ref.module) : resolve(ref.module);
  if (!existsSync(file) || !statSync(file).isFile()) throw new ProtocolLoadError(`${shown(file)}: no such file (check the path to your protocol module)`);
  const mod = await importModule(file);
  return pickProtocol(shown(file), mod, ref.export);
}

/** Names of the bundled protocols. */
export async function bundledNames(): Promise<string[]> {
  const { protocols } = await import('../../protocols/index.ts');
  return protocols.map((p) => p.name);
}

/** The export a reference names, else the default export, else the only ProtocolDef export. */
function pickProtocol(file: string, mod: Record<string, unknown>, name: string | undefined): ProtocolDef {
  if (name !== undefined) {
    if (!(name in mod)) {
      const candidates = Object.keys(mod).filter((k) => looksLikeProtocol(mod[k]));
      throw new ProtocolLoadError(`${file}: no export named '${name}' (protocol exports: ${candidates.join(', ') || 'none'}; use #<one of them>)`);
    }
    return checkProtocolDef(`${file}#${name}`, mod[name]);
  }
  if (mod.default !== undefined) return checkProtocolDef(`${file} (default export)`, mod.default);
  const candidates = Object.keys(mod).filter((k) => looksLikeProtocol(mod[k]));
  if (candidates.length === 1) return checkProtocolDef(`${file}#${candidates[0]}`, mod[candidates[0]]);
  if (candidates.length === 0) {
    throw new ProtocolLoadError(`${file}: exports no protocol (export default defineProtocol({ ... }) from it)`);
  }
  throw new ProtocolLoadError(`${file}: exports several protocols (${candidates.join(', ')}): pick one with ${file}#${candidates[0]}`);
}

function looksLikeProtocol(v: unknown): boolean {
  return v !== null && typeof v === 'object' && 'create' in v && 'variants' in v;
}

/**
 * Checks that `value` is a usable ProtocolDef; throws a ProtocolLoadError naming `where` and the fix.
 *
 * @example
 * checkProtocolDef('./kv.ts', kv); // returns kv, or throws "./kv.ts: 'defaultVariant' ... "
 */
export function checkProtocolDef(where: string, value: unknown): ProtocolDef {
  const bad = (problem: string): never => {
    throw new ProtocolLoadError(`${where}: ${problem}`);
  };
  if (value === null || typeof value !== 'object') return bad(`is not a protocol definition (export a defineProtocol({ ... }) object)`);
  const p = value as Record<string, unknown>;
  if (typeof p.name !== 'string' || p.name === '') bad(`'name' is missing: give the protocol a name`);
  if (typeof p.create !== 'function') bad(`'create' is missing: give create(ctx, variant) that returns the node's handlers`);
  if (typeof p.workload !== 'function') bad(`'workload' is missing: give workload(rng, { client, opIndex }) that returns the next client op`);
  if (typeof p.checkers !== 'function') bad(`'checkers' is missing: give checkers(variant) returning e.g. [{ kind: 'linearizable', model: 'register' }]`);
  if (p.variants === null || typeof p.variants !== 'object' || Object.keys(p.variants).length === 0) {
    bad(`'variants' is missing or empty: give at least { correct: { kind: 'correct', description: '...' } }`);
  }
  const variants = p.variants as Record<string, unknown>;
  for (const [name, v] of Object.entries(variants)) {
    const kind = (v as { kind?: unknown } | null)?.kind;
    if (kind !== 'correct' && kind !== 'bug') bad(`variant '${name}' needs kind 'correct' or 'bug'`);
    const menu = (v as { nemesis?: unknown }).nemesis;
    if (menu !== undefined && (!Array.isArray(menu) || menu.some((n) => !(nemesisNames as readonly unknown[]).includes(n)))) {
      bad(`variant '${name}': 'nemesis' must be a list of nemesis names from ${nemesisNames.join(', ')}`);
    }
  }
  if (typeof p.defaultVariant !== 'string' || !(p.defaultVariant in variants)) {
    bad(`defaultVariant ${JSON.stringify(p.defaultVariant)} is not a variant: choose from ${Object.keys(variants).join(', ')}`);
  }
  if (p.observers !== undefined && typeof p.observers !== 'function') bad(`'observers' must be a function (variant, scenario) => observers`);
  if (p.byzantine !== undefined) {
    const b = p.byzantine as Record<string, unknown> | null;
    if (b === null || typeof b !== 'object') bad(`'byzantine' must be an object { f?, mutate? }`);
    const f = b!.f;
    if (f !== undefined && typeof f !== 'function' && !(typeof f === 'number' && Number.isInteger(f) && f >= 0)) bad(`'byzantine.f' must be a whole number >= 0 or a function (nodes) => f`);
    if (b!.mutate !== undefined && typeof b!.mutate !== 'function') bad(`'byzantine.mutate' must be a function (msg, rng, { from, to }) => msg`);
  }
  if (p.churn !== undefined) {
    if (p.churn === null || typeof p.churn !== 'object') bad(`'churn' must be an object { maxAway?, settleMs?, graceMs? }`);
    try {
      churnBoundsOf(p as Pick<ProtocolDef, 'churn'>);
    } catch (e) {
      bad((e as Error).message);
    }
  }
  if (p.coverage !== undefined && typeof p.coverage !== 'function') bad(`'coverage' must be a function (view, variant) => a short string naming the world's abstract state`);
  return value as ProtocolDef;
}

let tsxRegistered = false;

/**
 * Imports a user's module; TypeScript goes through tsx (registered once per thread, on first need).
 * Anything it throws becomes one line naming the file.
 */
async function importModule(file: string): Promise<Record<string, unknown>> {
  if (TS_EXTENSIONS.has(extname(file)) && !tsxRegistered && !runningFromSources()) {
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  }
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    // defineProtocol's own refusal (a bad field) already says what to fix: no class name, no generic advice.
    if (e instanceof Error && e.name === 'ProtocolLoadError') throw new ProtocolLoadError(`${shown(file)}: ${firstLine(e.message)}`);
    throw new ProtocolLoadError(`${shown(file)}: importing it failed: ${firstLine(e)} (fix the module so that it loads)`);
  }
}

/** Inside this repository the CLI runs from sources under tsx (or vitest), which already load TypeScript. */
function runningFromSources(): boolean {
  return import.meta.url.endsWith('.ts');
}

/** An error as one line: its first line, and the next one too when the first only announces it ("... error:"). */
function firstLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const line = lines.length > 1 && lines[0].endsWith(':') ? `${lines[0]} ${lines[1]}` : (lines[0] ?? text);
  return line.slice(0, 300);
}

/** A path as messages show it: relative to the current directory when inside it. */
export function shown(file: string): string {
  const rel = relativePath(process.cwd(), file);
  return rel.startsWith('../') ? file : rel;
}

/** The reference as a person would type it. */
export function describeRef(ref: ProtocolRef, root?: string): string {
  if ('bundled' in ref) return ref.bundled;
  return `${root ? relativePath(root, ref.module) : ref.module}${ref.export ? `#${ref.export}` : ''}`;
}

/** `file` relative to `root`, with forward slashes and a leading './' (what corpus entries and commands show). */
export function relativePath(root: string, file: string): string {
  const rel = relative(root, file).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}
