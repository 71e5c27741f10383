import { protocols } from '../../protocols/index.ts';
import { commandHelp, parseFlags } from './flags.ts';

/**
 * `faultline list`: one line per protocol variant, `<protocol> <variant> <correct|bug>`.
 *
 * @example
 * await listCommand([]); // prints 'abd correct correct', 'abd no-write-back bug', ...
 */
export async function listCommand(argv: string[]): Promise<number> {
  if (parseFlags('list', argv).values.help) {
    console.log(commandHelp('list'));
    return 0;
  }
  for (const p of protocols) {
    for (const [name, v] of Object.entries(p.variants)) console.log(`${p.name} ${name} ${v.kind}`);
  }
  return 0;
}
