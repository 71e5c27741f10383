/**
 * Child process of `scripts/fuzz-cli.ts`: runs fuzz cases in process, one after another, through
 * the CLI function of the tree named by FUZZ_ROOT (`src/cli/cli.ts`), and reports each outcome to
 * the parent over IPC. The parent kills and replaces this process when a case hangs.
 */
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

interface Case {
  id: number;
  argv: string[];
}

const root = process.env.FUZZ_ROOT ?? process.cwd();
const { cli } = (await import(pathToFileURL(`${root}/src/cli/cli.ts`).href)) as { cli: (argv: string[]) => Promise<number> };

let err = '';
let outBytes = 0;
// Capture what a user would see on stderr (and count stdout), whatever the command writes with.
console.log = (...a: unknown[]) => void (outBytes += format(...a).length + 1);
console.info = console.log;
console.error = (...a: unknown[]) => void (err += format(...a) + '\n');
console.warn = console.error;
process.stdout.write = ((chunk: string | Uint8Array) => ((outBytes += chunk.length), true)) as typeof process.stdout.write;
process.stderr.write = ((chunk: string | Uint8Array) => ((err += String(chunk)), true)) as typeof process.stderr.write;
// A protocol or command that escapes its promise must not end the runner silently.
let escaped = '';
process.on('uncaughtException', (e) => void (escaped += format(e) + '\n'));
process.on('unhandledRejection', (e) => void (escaped += format(e) + '\n'));

process.on('message', async (c: Case) => {
  err = '';
  escaped = '';
  outBytes = 0;
  let code: number;
  try {
    code = await cli(c.argv);
  } catch (e) {
    err += format(e) + '\n';
    code = -1; // the CLI function itself threw: an outcome of its own
  }
  process.send!({ id: c.id, code, stderr: (err + escaped).slice(0, 20_000), outBytes });
});
process.send!({ ready: true });
