// Seeded randomness: sfc32 (fast, 128-bit state, passes PractRand to 2^40+), seeded through a
// 32-bit mixer so that (seed, stream, index) paths give independent, reproducible streams.
// Nothing here reads the clock or Math.random: the same seed replays the same sequence.

const UINT32 = 0x1_0000_0000;

/** Murmur3's finaliser: spreads every input bit over the output (used to derive seeds). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A 32-bit seed for the stream at `path` under `seed` (e.g. deriveSeed(runSeed, workerIndex)).
 * Order matters: (1, 2) and (2, 1) are different streams.
 */
export function deriveSeed(seed: number, ...path: readonly number[]): number {
  // Fold the high bits of large integer seeds in too, so 2^32 + 1 and 1 differ.
  let h = mix32((seed >>> 0) ^ mix32(Math.floor(seed / UINT32) ^ 0x9e3779b9));
  for (const part of path) h = mix32(h ^ mix32((part >>> 0) + 0x6a09e667));
  return h;
}

/** sfc32 by Chris Doty-Humphrey. Not cryptographic; meant for workload generation. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 fills the state so nearby seeds start far apart; then discard the warm-up outputs.
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      return mix32(s);
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A fresh generator for a sub-stream (worker, operation, arrival...), independent of this one's position. */
  static at(seed: number, ...path: readonly number[]): Rng {
    return new Rng(deriveSeed(seed, ...path));
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / UINT32;
  }

  /** Uniform integer in [0, n). n must be a positive integer ≤ 2^32 for an unbiased-enough draw. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [min, max] (both inclusive). */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** Exponentially distributed with the given mean (Poisson inter-arrival times). */
  exponential(mean: number): number {
    // 1 - next() is in (0, 1], so the log is finite.
    return -Math.log(1 - this.next()) * mean;
  }

  /** `n` bytes of pseudo-random payload (values, documents, objects). */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const v = this.uint32();
      out[i] = v & 0xff;
      out[i + 1] = (v >>> 8) & 0xff;
      out[i + 2] = (v >>> 16) & 0xff;
      out[i + 3] = v >>> 24;
    }
    if (i < n) {
      let v = this.uint32();
      for (; i < n; i++, v >>>= 8) out[i] = v & 0xff;
    }
    return out;
  }
}
