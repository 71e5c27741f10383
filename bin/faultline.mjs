#!/usr/bin/env node
// The `faultline` command: runs the compiled CLI (no TypeScript loader on the way in).
// Inside this repository (the sources sit beside dist/), a dist/ older than the sources would run
// yesterday's code without a word: then the sources run through tsx instead, with a note saying so.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
const sources = new URL('../src/cli/main.ts', import.meta.url);

/** The newest modification time under the given folders of the repository, in ms (bounded walk). */
function newestSourceMs(folders) {
  let newest = 0;
  let budget = 5000;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (--budget < 0) return;
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const f of folders) {
    const dir = fileURLToPath(new URL(`../${f}`, import.meta.url));
    if (existsSync(dir)) walk(dir);
  }
  return newest;
}

if (existsSync(sources)) {
  const stale = !existsSync(main) || newestSourceMs(['src', 'protocols', 'checkers', 'models']) > statSync(main).mtimeMs;
  if (stale) {
    console.error('faultline: dist/ is older than the sources in this repository: running the sources through tsx (npm run build refreshes dist/)');
    const { register } = await import('tsx/esm/api');
    register();
    await import(sources.href);
  } else {
    await import(main.href);
  }
} else if (!existsSync(main)) {
  console.error('faultline: the compiled CLI is missing (dist/); run `npm run build` in the faultline package');
  process.exit(2);
} else {
  await import(main.href);
}
