#!/usr/bin/env node
// The `faultline` command: runs the compiled CLI (no TypeScript loader on the way in).
// Inside this repository, `npm run faultline` runs the sources through tsx instead.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('faultline: the compiled CLI is missing (dist/); run `npm run build` in the faultline package');
  process.exit(2);
}
await import(main.href);
