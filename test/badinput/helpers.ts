import { vi } from 'vitest';
import { cli } from '../../src/cli/cli.ts';

export interface CliResult {
  code: number;
  out: string;
  /** Every line written to stderr. */
  errLines: string[];
}

/**
 * Runs `faultline <argv>` in this process (no tsx spawn per case) with stdout and stderr captured.
 *
 * @example
 * const r = await runCli(['list', '--json']); // r.code === 2
 */
export async function runCli(argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const text = (a: unknown[]) => a.map((x) => (typeof x === 'string' ? x : String(x))).join(' ');
  const spies = [
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(text(a))),
    vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(text(a))),
    vi.spyOn(console, 'warn').mockImplementation((...a) => void err.push(text(a))),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true)),
  ];
  try {
    const code = await cli(argv);
    const errLines = err.join('\n').split('\n').filter((l) => l.trim() !== '');
    return { code, out: out.join('\n'), errLines };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

/** The shape every bad input must have: exit 2, one line on stderr, no stack trace. */
export function badInputProblem(r: CliResult): string | undefined {
  if (r.code !== 2) return `exit ${r.code}, not 2 (stderr: ${r.errLines.join(' | ').slice(0, 300)})`;
  if (r.errLines.length !== 1) return `${r.errLines.length} lines on stderr, not 1: ${r.errLines.join(' | ').slice(0, 300)}`;
  if (/^\s+at .+[:(]/m.test(r.errLines[0]) || /internal error/.test(r.errLines[0])) return `a stack trace or internal error: ${r.errLines[0]}`;
  return undefined;
}
