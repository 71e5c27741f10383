import { cli } from './cli.ts';

// `faultline list | head`: a reader that stops early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

cli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
