import { configProtocols, loadConfig, resolveProtocolArg } from '../run/load.ts';
import { nemesisNames, type NemesisName } from '../faults/index.ts';
import type { ProtocolDef } from '../run/protocol.ts';
import { commandHelp, parseFlags } from './flags.ts';

/**
 * `faultline list [protocol]`: one line per protocol variant, `<protocol> <variant> <correct|bug>`
 * (then `(faults: ...)` for a variant run under fewer fault kinds than all):
 * the project config's protocols, then the bundled ones; or just the one named.
 *
 * @example
 * await listCommand([]); // prints 'abd correct correct', 'abd no-write-back bug', ...
 * await listCommand(['./src/kv.ts']); // prints 'kv correct correct', 'kv lost-write bug'
 */
export async function listCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('list', argv);
  if (values.help) {
    console.log(commandHelp('list'));
    return 0;
  }
  const list: ProtocolDef[] = [];
  if (positionals.length === 1) list.push((await resolveProtocolArg(positionals[0], process.cwd())).protocol);
  else {
    const config = await loadConfig(process.cwd());
    if (config) list.push(...(await configProtocols(config)).map((c) => c.protocol));
    list.push(...(await import('../../protocols/index.ts')).protocols);
  }
  for (const p of list) {
    for (const [name, v] of Object.entries(p.variants)) console.log(`${p.name} ${name} ${v.kind}${menuNote(v.nemesis ?? p.defaults?.nemesis)}`);
  }
  return 0;
}

/** A variant that runs under fewer fault kinds than the full table says which (3PC: crashes only). */
function menuNote(menu: readonly NemesisName[] | undefined): string {
  if (menu === undefined || nemesisNames.every((n) => menu.includes(n))) return '';
  return ` (faults: ${menu.length === 0 ? 'none' : menu.join(',')})`;
}
