// Key choice per operation, after YCSB (Cooper et al., "Benchmarking Cloud Serving Systems with
// YCSB", and its ZipfianGenerator / SkewedLatestGenerator / HotspotIntegerGenerator). A chooser
// is immutable config plus lazily extended zeta sums; randomness always comes from the Rng passed in.
import { z } from 'zod';
import type { Rng } from './random.ts';

export const YCSB_ZIPFIAN_THETA = 0.99;

export const keyDistributionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('uniform') }),
  z.object({
    type: z.literal('zipfian'),
    /** Skew; YCSB's default 0.99. Must be in (0, 1) for this algorithm. */
    theta: z.number().gt(0).lt(1).default(YCSB_ZIPFIAN_THETA),
    /** Spread the popular ranks over the key space (YCSB "scrambled zipfian") instead of keys 0, 1, 2... */
    scrambled: z.boolean().default(false),
  }),
  z.object({
    type: z.literal('latest'),
    theta: z.number().gt(0).lt(1).default(YCSB_ZIPFIAN_THETA),
  }),
  z.object({
    type: z.literal('hotspot'),
    /** Share of keys that are hot. */
    hotSetFraction: z.number().gt(0).lt(1).default(0.2),
    /** Share of operations that go to the hot set. */
    hotOpFraction: z.number().min(0).max(1).default(0.8),
  }),
]);
export type KeyDistributionInput = z.input<typeof keyDistributionSchema>;
export type KeyDistribution = z.output<typeof keyDistributionSchema>;

/** Picks a key index in [0, keyCount). keyCount may grow between calls (inserts). */
export interface KeyChooser {
  next(rng: Rng, keyCount: number): number;
}

export function createKeyChooser(spec: KeyDistribution): KeyChooser {
  switch (spec.type) {
    case 'uniform':
      return { next: (rng, keyCount) => rng.int(keyCount) };
    case 'zipfian': {
      const zipf = new Zipfian(spec.theta);
      return spec.scrambled
        ? { next: (rng, keyCount) => fnv1a32(zipf.next(rng, keyCount)) % keyCount }
        : { next: (rng, keyCount) => zipf.next(rng, keyCount) };
    }
    case 'latest': {
      // The most recently inserted key is the most popular (rank 0 = keyCount - 1).
      const zipf = new Zipfian(spec.theta);
      return { next: (rng, keyCount) => keyCount - 1 - zipf.next(rng, keyCount) };
    }
    case 'hotspot': {
      const { hotSetFraction, hotOpFraction } = spec;
      return {
        next(rng, keyCount) {
          const hot = Math.max(1, Math.floor(keyCount * hotSetFraction));
          if (hot >= keyCount || rng.next() < hotOpFraction) return rng.int(hot);
          return hot + rng.int(keyCount - hot);
        },
      };
    }
  }
}

/**
 * YCSB's zipfian generator over ranks [0, n): P(rank i) ∝ 1 / (i + 1)^θ. The zeta sum is
 * extended incrementally when n grows, as YCSB does, so inserts don't cost O(n) per call.
 */
export class Zipfian {
  private readonly alpha: number;
  private readonly zeta2: number;
  private n = 0;
  private zetaN = 0;
  private eta = 0;

  constructor(private readonly theta: number) {
    this.alpha = 1 / (1 - theta);
    // zeta(2, θ); also YCSB's threshold for rank 1.
    this.zeta2 = 1 + 0.5 ** theta;
  }

  next(rng: Rng, n: number): number {
    if (n !== this.n) this.resize(n);
    const u = rng.next();
    const uz = u * this.zetaN;
    if (uz < 1) return 0;
    if (uz < this.zeta2) return n > 1 ? 1 : 0;
    const rank = Math.floor(n * (this.eta * u - this.eta + 1) ** this.alpha);
    return rank < n ? rank : n - 1;
  }

  /** Probability the generator's formula aims at for `rank` among n (for tests and reports). */
  static probability(rank: number, n: number, theta: number): number {
    return 1 / (rank + 1) ** theta / zeta(0, n, theta, 0);
  }

  private resize(n: number): void {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`zipfian key count must be a positive integer, got ${n}`);
    this.zetaN = n > this.n ? zeta(this.n, n, this.theta, this.zetaN) : zeta(0, n, this.theta, 0);
    this.n = n;
    this.eta = n > 1 ? (1 - (2 / n) ** (1 - this.theta)) / (1 - this.zeta2 / this.zetaN) : 0;
  }
}

/** Σ_{i=from}^{to-1} 1/(i+1)^θ added to `initial`. */
function zeta(from: number, to: number, theta: number, initial: number): number {
  let sum = initial;
  for (let i = from; i < to; i++) sum += 1 / (i + 1) ** theta;
  return sum;
}

/** FNV-1a over the 4 bytes of a 32-bit integer: cheap scrambling of ranks to keys. */
function fnv1a32(value: number): number {
  let h = 0x811c9dc5;
  for (let shift = 0; shift < 32; shift += 8) {
    h ^= (value >>> shift) & 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
