/** Seeded random numbers, so that runs, tests and held-out splits are reproducible. */

/** A seeded uniform generator on [0, 1): mulberry32 (Tommy Ettinger, public domain). */
export class Rng {
  private s: number;
  /** Starts the generator from a 32-bit seed. */
  constructor(seed: number) {
    this.s = seed | 0;
  }
  /** The next uniform number in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** A 31-bit integer seed for a TensorFlow.js random op. */
  seed(): number {
    return Math.floor(this.next() * 2147483647);
  }
  /** A standard normal number (Box–Muller transform). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = p[i]; p[i] = p[j]; p[j] = t;
    }
    return p;
  }
  /** The generator's state, to save with a checkpoint. */
  get state(): number {
    return this.s;
  }
  /** Puts the generator back in a saved state: the numbers that follow are those that followed then. */
  set state(s: number) {
    this.s = s | 0;
  }
}
