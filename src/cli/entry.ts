/**
 * A corpus entry together with its protocol: a bundled one by name, a user's from the module path
 * the entry records (relative to the entry's project root), else a name the project config lists.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProtocolDef } from '../run/protocol.ts';
import type { ScenarioOptions } from '../run/scenario.ts';
import { CorpusError, entryModule, parseEntry, readEntryJson, type EntryModule, type LoadedEntry } from '../corpus/corpus.ts';
import { bundledNames, configProtocols, loadConfig, loadProtocol, projectRoot, ProtocolLoadError, relativePath, type ProtocolRef } from '../run/load.ts';

/** A loaded entry and how its protocol was found (workers and re-saves need the reference). */
export interface EntryWithProtocol extends LoadedEntry {
  ref: ProtocolRef;
}

/**
 * Reads, validates and resolves a corpus file; throws CorpusError or ProtocolLoadError (one line each).
 *
 * @example
 * const { protocol, input, entry } = await loadEntryWithProtocol('corpus/my-kv/lost-write-3.json');
 */
export async function loadEntryWithProtocol(file: string): Promise<EntryWithProtocol> {
  const raw = readEntryJson(file);
  const mod = entryModule(file, raw);
  const name = typeof (raw as { protocol?: unknown }).protocol === 'string' ? (raw as { protocol: string }).protocol : undefined;
  let ref: ProtocolRef | undefined;
  if (mod) {
    const root = projectRoot(dirname(resolve(file)));
    const path = resolve(root, mod.path);
    if (!existsSync(path)) {
      throw new ProtocolLoadError(
        `${file}: its protocol module is missing: looked for ${path} (${mod.path} from the project root ${root}); restore the module there, or edit "module.path" in the entry`,
      );
    }
    ref = { module: path, ...(mod.export ? { export: mod.export } : {}) };
  } else if (name !== undefined && !(await bundledNames()).includes(name)) {
    // An entry without a module path (older, or written by a test helper): the project config may know the name.
    const config = await loadConfig(dirname(resolve(file)));
    const hit = config ? (await configProtocols(config)).find((c) => c.protocol.name === name) : undefined;
    ref = hit?.ref;
  }
  if (ref === undefined && name !== undefined) {
    const bundled = await bundledNames();
    if (!bundled.includes(name)) {
      throw new CorpusError(
        file,
        `unknown protocol '${name}'`,
        `bundled protocols: ${bundled.join(', ')}; for your own protocol, list its module in faultline.config.ts, or save the entry again with faultline run ./path/to/protocol.ts --save`,
      );
    }
  }
  ref ??= { bundled: name ?? '' };
  const protocol = name === undefined ? undefined : await loadProtocol(ref);
  const loaded = parseEntry(file, raw, protocol ? [protocol] : []);
  return { ...loaded, ref };
}

/**
 * The `module` field to record for a protocol saved under `corpusDir` (undefined for bundled ones).
 *
 * @example
 * moduleField({ module: '/home/me/kv/src/kv.ts' }, '/home/me/kv/corpus'); // { path: './src/kv.ts' }
 */
export function moduleField(ref: ProtocolRef, corpusDir: string): EntryModule | undefined {
  if ('bundled' in ref) return undefined;
  const root = projectRoot(resolve(corpusDir));
  const file = ref.module.startsWith('file:') ? fileURLToPath(ref.module) : resolve(ref.module);
  return { path: relativePath(root, file), ...(ref.export ? { export: ref.export } : {}) };
}

/**
 * The fields of `o` that are set: flags not given must not override the project config's defaults.
 *
 * @example
 * definedOnly({ nodes: 3, ops: undefined }); // { nodes: 3 }
 */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A project config's scenario defaults for one protocol: they fill in what Faultline's defaults
 * would, but a protocol's own `defaults` (e.g. its cluster size) win over them, and flags over both.
 *
 * @example
 * projectScenario({ nodes: 3, ops: 100 }, raft); // { ops: 100 } when raft's defaults set nodes
 */
export function projectScenario(scenario: Partial<ScenarioOptions> | undefined, protocol: ProtocolDef): Partial<ScenarioOptions> {
  const own = new Set(Object.keys(protocol.defaults ?? {}));
  return Object.fromEntries(Object.entries(scenario ?? {}).filter(([k, v]) => v !== undefined && !own.has(k))) as Partial<ScenarioOptions>;
}
