/**
 * The README cannot rot: every ```ts block in it is extracted and type-checked (strict) against
 * the package's entry points, as a user's project imports them ('faultline', 'faultline/vitest',
 * ...), and no block imports a path inside the package.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, { types: string } | string> };
// Inside the repository, so that vitest, fast-check and @types/node resolve from node_modules.
const dir = join(repo, '.faultline-tmp', `readme-${process.pid}`);

/** Every ```ts block with the README line it starts on. */
function tsBlocks(): Array<{ line: number; code: string }> {
  const out: Array<{ line: number; code: string }> = [];
  const re = /^```ts\n([\s\S]*?)^```/gm;
  for (let m = re.exec(readme); m; m = re.exec(readme)) out.push({ line: readme.slice(0, m.index).split('\n').length + 1, code: m[1] });
  return out;
}

/** The sources each public entry point compiles from (its `exports` target, back to .ts). */
function entryPaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    const source = target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts');
    paths[sub === '.' ? 'faultline' : `faultline/${sub.slice(2)}`] = [join(repo, source)];
  }
  return paths;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README', () => {
  it('has ts blocks, and imports only the package entry points (no src/ paths)', () => {
    const blocks = tsBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const entries = new Set(Object.keys(entryPaths()));
    for (const spec of readme.matchAll(/from '(faultline[^']*)'/g)) expect(entries, `README imports '${spec[1]}'`).toContain(spec[1]);
    expect(readme).not.toMatch(/faultline\/(src|models|checkers|protocols)\/[\w/-]+\.ts/);
  });

  it('every ts block type-checks (strict) against the public entry points', () => {
    mkdirSync(dir, { recursive: true });
    const blocks = tsBlocks();
    const files = blocks.map((b, i) => {
      const name = `block-${i + 1}-line-${b.line}.ts`;
      // Each block is its own module (a block without imports would otherwise be a script).
      writeFileSync(join(dir, name), `${b.code}\nexport {};\n`);
      return name;
    });
    const config = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        skipLibCheck: true,
        types: ['node'],
        lib: ['ES2023'],
        paths: entryPaths(),
      },
      files,
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
    const tsc = spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    // Errors name the block file, whose name carries the README line the block starts on.
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
