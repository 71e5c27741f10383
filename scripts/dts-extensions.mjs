// tsc's rewriteRelativeImportExtensions rewrites `.ts` specifiers in the emitted JavaScript but not
// in the declarations; a user's TypeScript then resolves `./x.ts` inside node_modules, which only
// some settings accept. Point every relative specifier in dist/**/*.d.ts at the `.js` it describes.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RELATIVE_TS = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g;

function walk(dir) {
  let changed = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) changed += walk(path);
    else if (entry.name.endsWith('.d.ts')) {
      const text = readFileSync(path, 'utf8');
      const fixed = text.replace(RELATIVE_TS, '$1$2.js$3');
      if (fixed !== text) {
        writeFileSync(path, fixed);
        changed++;
      }
    }
  }
  return changed;
}

walk(process.argv[2] ?? 'dist');
