import { describe, expect, it } from 'vitest';
import {
  createKeyChooser,
  keyDistributionSchema,
  Zipfian,
  type KeyDistributionInput,
} from './distributions.ts';
import { Rng } from './random.ts';

function frequencies(spec: KeyDistributionInput, keyCount: number, draws: number, seed = 42): number[] {
  const chooser = createKeyChooser(keyDistributionSchema.parse(spec));
  const rng = new Rng(seed);
  const counts = new Array<number>(keyCount).fill(0);
  let outOfRange = 0;
  for (let i = 0; i < draws; i++) {
    const key = chooser.next(rng, keyCount);
    if (Number.isInteger(key) && key >= 0 && key < keyCount) counts[key]!++;
    else outOfRange++;
  }
  expect(outOfRange).toBe(0);
  return counts.map((c) => c / draws);
}

describe('key distributions', () => {
  const draws = 200_000;

  it('uniform passes a chi-square test (100 keys, 99 df, critical value 148.2 at p = 0.001)', () => {
    const freq = frequencies({ type: 'uniform' }, 100, draws);
    const expected = draws / 100;
    const chi = freq.reduce((sum, f) => sum + (f * draws - expected) ** 2 / expected, 0);
    expect(chi).toBeLessThan(148.2);
  });

  it('zipfian θ=0.99 has the expected skew', () => {
    const n = 100;
    const freq = frequencies({ type: 'zipfian' }, n, draws);
    // YCSB's generator (Gray et al.) is exact for ranks 0 and 1: σ ≈ 0.0009 at 200k draws, tolerance 0.005.
    expect(Math.abs(freq[0]! - Zipfian.probability(0, n, 0.99))).toBeLessThan(0.005);
    expect(Math.abs(freq[1]! - Zipfian.probability(1, n, 0.99))).toBeLessThan(0.005);
    // Beyond rank 1 it approximates Zipf: the top-10 share within 0.03 of the exact Zipf share ...
    let exactTop10 = 0;
    for (let r = 0; r < 10; r++) exactTop10 += Zipfian.probability(r, n, 0.99);
    const top10 = freq.slice(0, 10).reduce((a, b) => a + b, 0);
    expect(Math.abs(top10 - exactTop10)).toBeLessThan(0.03);
    // ... and log(frequency) against log(rank + 1) falls with slope -θ (within 0.1).
    const points = freq
      .map((f, r) => [Math.log(r + 1), Math.log(f)] as const)
      .filter(([, y]) => Number.isFinite(y));
    const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
    const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
    const slope =
      points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) /
      points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
    expect(Math.abs(slope + 0.99)).toBeLessThan(0.1);
  });

  it('a smaller θ is less skewed', () => {
    const hot99 = frequencies({ type: 'zipfian', theta: 0.99 }, 100, 50_000)[0]!;
    const hot50 = frequencies({ type: 'zipfian', theta: 0.5 }, 100, 50_000)[0]!;
    expect(hot50).toBeLessThan(hot99 / 2);
  });

  it('scrambled zipfian keeps the skew but moves the hottest key away from 0', () => {
    const freq = frequencies({ type: 'zipfian', scrambled: true }, 1000, draws);
    const sorted = [...freq].sort((a, b) => b - a);
    expect(sorted[0]).toBeGreaterThan(0.1);
    expect(freq[0]).toBeLessThan(sorted[0]!);
  });

  it('latest makes the newest key the most popular, also as the key count grows', () => {
    const chooser = createKeyChooser(keyDistributionSchema.parse({ type: 'latest' }));
    const rng = new Rng(5);
    for (const keyCount of [10, 500, 501, 2000]) {
      let newest = 0;
      let outOfRange = 0;
      for (let i = 0; i < 10_000; i++) {
        const key = chooser.next(rng, keyCount);
        if (key === keyCount - 1) newest++;
        if (!(key >= 0 && key < keyCount)) outOfRange++;
      }
      expect(outOfRange).toBe(0);
      expect(newest / 10_000).toBeGreaterThan(0.1);
    }
  });

  it('hotspot sends hotOpFraction of operations to hotSetFraction of keys (±0.01)', () => {
    const freq = frequencies({ type: 'hotspot', hotSetFraction: 0.1, hotOpFraction: 0.9 }, 1000, draws);
    const hot = freq.slice(0, 100).reduce((a, b) => a + b, 0);
    expect(Math.abs(hot - 0.9)).toBeLessThan(0.01);
  });

  it('rejects a θ outside (0, 1) naming the field', () => {
    const result = keyDistributionSchema.safeParse({ type: 'zipfian', theta: 1.2 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['theta']);
  });
});
