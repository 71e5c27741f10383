// CLI start-up: wall time of `faultline --help`, `faultline list` and a one-seed `run` of a bundled
// protocol, through the compiled bin (what `npx faultline` runs) and through a tsx-spawning bin
// (what the package shipped before it was compiled: node starts tsx, which starts the sources).
// Prints medians and ratios measured in this run; asserts nothing. Needs dist/ (npm run build).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const repeats = Number(process.env.REPEATS ?? 7);
if (!existsSync(new URL('../dist/src/cli/main.js', import.meta.url))) {
  console.error('bench:cli needs the compiled CLI: run npm run build first');
  process.exit(2);
}

// The old bin, verbatim in behaviour: a node process that spawns tsx on the TypeScript CLI.
const tsxBin = `
import { spawnSync } from 'node:child_process';
const r = spawnSync(process.execPath, [${JSON.stringify(tsxCli)}, ${JSON.stringify(`${repo}src/cli/main.ts`)}, ...process.argv.slice(1)], { stdio: 'inherit' });
process.exit(r.status ?? 1);`;

const variants = {
  'tsx-spawning': (args) => [process.execPath, ['--input-type=module', '-e', tsxBin, '--', ...args]],
  compiled: (args) => [process.execPath, [`${repo}bin/faultline.mjs`, ...args]],
};
const commands = { '--help': ['--help'], list: ['list'], 'run abd --seed 0': ['run', 'abd', '--seed', '0'] };

function wallMs(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`faultline CLI wall time, median of ${repeats} runs each (interleaved), ms`);
console.log(`${'command'.padEnd(20)} ${'tsx-spawning'.padStart(13)} ${'compiled'.padStart(10)} ${'speed-up'.padStart(9)}`);
for (const [name, args] of Object.entries(commands)) {
  const times = { 'tsx-spawning': [], compiled: [] };
  for (let i = 0; i < repeats; i++) {
    // Interleaved, so that machine load affects both alike.
    for (const [v, make] of Object.entries(variants)) times[v].push(wallMs(...make(args)));
  }
  const a = median(times['tsx-spawning']);
  const b = median(times.compiled);
  console.log(`${name.padEnd(20)} ${a.toFixed(0).padStart(13)} ${b.toFixed(0).padStart(10)} ${`${(a / b).toFixed(1)}x`.padStart(9)}`);
}
