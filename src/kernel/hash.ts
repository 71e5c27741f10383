/**
 * A stable 64-bit streaming hash (two independent 32-bit murmur-style lanes). It is the run's
 * fingerprint: every trace event is fed into it, so two runs with equal fingerprints took the same
 * path. Not cryptographic; fast enough to sit on the per-message path.
 *
 * @example
 * const h = new Hasher();
 * h.int(3); h.str('deliver');
 * h.hex(); // e.g. '9f0c2a1b44e1d0c7', the same on every machine
 */
export class Hasher {
  private a = 0x811c9dc5 | 0;
  private b = 0x3c6ef372 | 0;

  /** Mixes a 32-bit integer (larger or fractional numbers go through `num`). */
  int(x: number): void {
    let k = Math.imul(x | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let a = this.a ^ k;
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let b = this.b ^ Math.imul(x | 0, 0x85ebca6b);
    b = (b << 17) | (b >>> 15);
    this.b = (Math.imul(b, 0xc2b2ae35) + 0x27d4eb2f) | 0;
  }

  /** Mixes any number exactly: integers in 32-bit range directly, others by their float64 bits. */
  num(x: number): void {
    if ((x | 0) === x) {
      this.int(x);
      return;
    }
    F64[0] = x;
    this.int(U32[0]);
    this.int(U32[1]);
  }

  str(s: string): void {
    this.int(s.length);
    for (let i = 0; i < s.length; i++) this.int(s.charCodeAt(i));
  }

  /** The current digest as 16 hex digits. */
  hex(): string {
    const fa = finalize(this.a ^ this.b);
    const fb = finalize(this.b + Math.imul(this.a, 0x9e3779b1));
    return (fa >>> 0).toString(16).padStart(8, '0') + (fb >>> 0).toString(16).padStart(8, '0');
  }
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
