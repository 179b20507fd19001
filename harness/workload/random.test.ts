import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, deriveSeed } from './random.ts';
import { seedFromEnv } from '../stats/random.ts';

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.uint32());

describe('Rng', () => {
  it('replays the same sequence from the same seed and path', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(1000), (seed, stream) => {
        expect(draw(Rng.at(seed, 1, stream), 64)).toEqual(draw(Rng.at(seed, 1, stream), 64));
      }),
      { seed: seedFromEnv(), numRuns: 50 },
    );
  });

  it('gives different streams for different seeds, paths and path orders', () => {
    expect(draw(Rng.at(1, 0), 8)).not.toEqual(draw(Rng.at(2, 0), 8));
    expect(draw(Rng.at(1, 0), 8)).not.toEqual(draw(Rng.at(1, 1), 8));
    expect(deriveSeed(7, 1, 2)).not.toBe(deriveSeed(7, 2, 1));
    expect(deriveSeed(1)).not.toBe(deriveSeed(2 ** 32 + 1));
  });

  it('draws uniform floats in [0, 1) with the expected mean', () => {
    const rng = new Rng(123);
    let sum = 0;
    let outOfRange = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      if (!(x >= 0 && x < 1)) outOfRange++;
      sum += x;
    }
    expect(outOfRange).toBe(0);
    // Standard error of the mean is 1/sqrt(12n) ≈ 0.0009; 0.005 is > 5 standard errors.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
  });

  it('keeps int() and between() in range', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1_000_000 }), (seed, n) => {
        const rng = new Rng(seed);
        for (let i = 0; i < 20; i++) {
          const v = rng.int(n);
          expect(Number.isInteger(v) && v >= 0 && v < n).toBe(true);
          const b = rng.between(5, 5 + n);
          expect(b >= 5 && b <= 5 + n).toBe(true);
        }
      }),
      { seed: seedFromEnv(), numRuns: 100 },
    );
  });

  it('produces deterministic byte payloads of the asked length', () => {
    for (const n of [0, 1, 3, 4, 5, 1024]) {
      const a = new Rng(9).bytes(n);
      expect(a.length).toBe(n);
      expect(a).toEqual(new Rng(9).bytes(n));
    }
  });
});
