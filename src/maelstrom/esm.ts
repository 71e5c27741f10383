/**
 * A small rewrite of ES module syntax to CommonJS, so an ESM node program runs in a `node:vm`
 * script context without experimental flags: static imports become `require`s, `export`
 * keywords are dropped (a node's main file exports nothing anyone reads; a required neighbour's
 * named exports are kept on `module.exports`), `import.meta.url` becomes the file's URL.
 * It covers the forms node programs use; dynamic `import()` is not supported.
 */

const IMPORT = /^([ \t]*)import\s+(?:([\w$]+)\s*,?\s*)?(?:\*\s*as\s+([\w$]+)\s*)?(?:\{([^}]*)\}\s*)?from\s*(['"][^'"]+['"])\s*;?/gm;
const BARE_IMPORT = /^([ \t]*)import\s*(['"][^'"]+['"])\s*;?/gm;
const EXPORT_DECL = /^([ \t]*)export\s+(?!default\b)(async\s+function|function\*?|class|const|let|var)\s+([\w$]+)/gm;
const EXPORT_DEFAULT = /^([ \t]*)export\s+default\s+/gm;
const EXPORT_LIST = /^([ \t]*)export\s*\{([^}]*)\}\s*;?/gm;

/**
 * Rewrites `source` (an ES module) into a CommonJS function body.
 *
 * @example
 * toEsmFreeSource("import readline from 'node:readline';"); // "const readline = __default(require('node:readline'));"
 */
export function toEsmFreeSource(source: string): string {
  const exported: string[] = [];
  let out = source
    .replace(IMPORT, (_m, ind: string, def?: string, star?: string, named?: string, from?: string) => {
      const parts: string[] = [];
      const mod = `require(${from})`;
      if (star) parts.push(`const ${star} = ${mod};`);
      if (def) parts.push(`const ${def} = __default(${mod});`);
      if (named) parts.push(`const { ${named.trim().replace(/\s+as\s+/g, ': ')} } = ${mod};`);
      return ind + parts.join(' ');
    })
    .replace(BARE_IMPORT, (_m, ind: string, from: string) => `${ind}require(${from});`)
    .replace(EXPORT_DECL, (_m, ind: string, kind: string, name: string) => {
      exported.push(name);
      return `${ind}${kind} ${name}`;
    })
    .replace(EXPORT_DEFAULT, (_m, ind: string) => `${ind}module.exports.default = `)
    .replace(EXPORT_LIST, (_m, ind: string, names: string) => {
      const pairs = names.split(',').map((s) => s.trim()).filter(Boolean).map((s) => s.split(/\s+as\s+/));
      return `${ind}${pairs.map(([local, as]) => `module.exports[${JSON.stringify(as ?? local)}] = ${local};`).join(' ')}`;
    })
    .replace(/import\.meta\.url/g, '__importMetaUrl');
  const tail = exported.map((n) => `module.exports[${JSON.stringify(n)}] = ${n};`).join(' ');
  const helper = 'const __default = (m) => (m && m.__esModule ? m.default : m && m.default !== undefined && Object.keys(m).length === 1 ? m.default : m);';
  out = `${helper}\n${out}\n${tail}`;
  return out;
}
