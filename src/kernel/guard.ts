/**
 * The determinism guard. While protocol code runs (a handler, or a continuation of one), the real
 * sources of time and randomness throw an error that names the call and the ctx method to use
 * instead, so nondeterminism is caught at the line that introduced it, never silently real.
 * Outside protocol code (the kernel, the test runner) they behave as usual.
 */
export class DeterminismError extends Error {
  constructor(call: string, fix: string) {
    super(`${call} was called from protocol code during a simulated run; use ${fix} instead (it is seeded and virtual)`);
    this.name = 'DeterminismError';
  }
}

interface Patch {
  target: Record<string, unknown>;
  key: string;
  fix: string;
  call: string;
  original?: unknown;
}

const patches: Patch[] = [
  { target: Math as unknown as Record<string, unknown>, key: 'random', call: 'Math.random()', fix: 'ctx.random()' },
  { target: Date as unknown as Record<string, unknown>, key: 'now', call: 'Date.now()', fix: 'ctx.now()' },
  { target: globalThis.performance as unknown as Record<string, unknown>, key: 'now', call: 'performance.now()', fix: 'ctx.now()' },
  { target: globalThis as unknown as Record<string, unknown>, key: 'setTimeout', call: 'setTimeout()', fix: 'ctx.setTimer() or ctx.sleep()' },
  { target: globalThis as unknown as Record<string, unknown>, key: 'setInterval', call: 'setInterval()', fix: 'ctx.setTimer() (re-arm it in onTimer)' },
  { target: globalThis as unknown as Record<string, unknown>, key: 'setImmediate', call: 'setImmediate()', fix: 'ctx.setTimer(0, ...)' },
];

let installs = 0;
let inProtocol = false;
/** The first violation seen while in protocol code; a protocol may swallow the throw, we do not. */
let violation: DeterminismError | undefined;

function install(): void {
  for (const p of patches) {
    const original = p.target[p.key] as (...args: unknown[]) => unknown;
    p.original = original;
    const replacement = function (this: unknown, ...args: unknown[]): unknown {
      if (inProtocol) {
        const err = new DeterminismError(p.call, p.fix);
        violation ??= err;
        throw err;
      }
      return original.apply(this, args);
    };
    // Keep util.promisify(setTimeout) and friends working outside protocol code.
    Object.assign(replacement, original);
    p.target[p.key] = replacement;
  }
}

function uninstall(): void {
  for (const p of patches) p.target[p.key] = p.original;
}

/** Installs the guard for the duration of a run (nested runs share one install). */
export function acquireGuard(): () => void {
  if (installs++ === 0) install();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--installs === 0) uninstall();
  };
}

/** Marks entry into protocol code; returns the previous mark to restore. */
export function enterProtocol(): boolean {
  const prev = inProtocol;
  inProtocol = true;
  return prev;
}

export function leaveProtocol(prev: boolean): void {
  inProtocol = prev;
}

/** Returns and clears the first violation recorded since the last call. */
export function takeViolation(): DeterminismError | undefined {
  const v = violation;
  violation = undefined;
  return v;
}
