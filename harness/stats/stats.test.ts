import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticResults } from '../report/fixtures/synthetic-results.ts';
import { bootstrapCi } from './bootstrap.ts';
import { compareSamples } from './compare-samples.ts';
import { cliffsDelta, hedgesG } from './effect-size.ts';
import { mannWhitneyU } from './mann-whitney.ts';
import { calibrateNoise } from './noise.ts';
import { envSeed, seededRandom } from './random.ts';

function normalSampler(random: () => number) {
  return (mean: number, sd: number) => {
    const u = Math.max(random(), 1e-12);
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

describe('two-sample statistics on synthetic data with known truth', () => {
  // Rates over seeded trials: a fixed default seed keeps them deterministic; DALBENCH_SEED explores others.
  const seed = process.env['DALBENCH_SEED'] ? envSeed() : 20250101;
  const trials = 300;

  it(`A/A: flags a change in at most 5% of ${trials} trials at alpha 0.05 (seed ${seed})`, () => {
    const draw = normalSampler(seededRandom(seed));
    let flagged = 0;
    for (let t = 0; t < trials; t++) {
      const a = Array.from({ length: 10 }, () => draw(100, 10));
      const b = Array.from({ length: 10 }, () => draw(100, 10));
      const result = compareSamples(a, b, { direction: 'lower-is-better', seed: seed + t });
      if (result.verdict === 'slower' || result.verdict === 'faster') flagged++;
    }
    expect(flagged / trials, `seed ${seed}`).toBeLessThanOrEqual(0.05);
  });

  it(`a 20% shift with 10 repeats (run-to-run CV 7.5%) is flagged in at least 95% of ${trials} trials (seed ${seed})`, () => {
    const draw = normalSampler(seededRandom(seed + 1));
    let flagged = 0;
    for (let t = 0; t < trials; t++) {
      const base = Array.from({ length: 10 }, () => draw(100, 7.5));
      const slower = Array.from({ length: 10 }, () => draw(120, 9));
      const result = compareSamples(base, slower, { direction: 'lower-is-better', seed: seed + t });
      if (result.verdict === 'slower' && result.regression) flagged++;
    }
    expect(flagged / trials, `seed ${seed}`).toBeGreaterThanOrEqual(0.95);
  });

  it('says "single sample" plainly and never calls it significant', () => {
    const result = compareSamples([100], [150], { direction: 'lower-is-better', seed: 1, thresholdPct: 10 });
    expect(result.verdict).toBe('inconclusive');
    expect(result.note).toMatch(/single sample/);
    expect(result.pValue).toBeUndefined();
    expect(result.regression).toBe(false); // no noise band: a single-sample difference never gates
    const gated = compareSamples([100], [150], {
      direction: 'lower-is-better',
      seed: 1,
      thresholdPct: 10,
      noiseCv: 0.05,
    });
    expect(gated.regression).toBe(true); // 50 % is beyond both the threshold and the ±13.9 % noise band
    expect(
      compareSamples([100], [110], { direction: 'lower-is-better', seed: 1, thresholdPct: 5, noiseCv: 0.05 })
        .regression,
    ).toBe(false);
  });

  it('a measured noise band turns a significant but small change into "no change"', () => {
    const base = [100, 101, 99, 100, 102, 98, 100, 101, 99, 100];
    const shifted = base.map((v) => v * 1.06);
    expect(compareSamples(base, shifted, { direction: 'lower-is-better', seed: 3 }).verdict).toBe('slower');
    const withNoise = compareSamples(base, shifted, { direction: 'lower-is-better', seed: 3, noiseCv: 0.1 });
    expect(withNoise.verdict).toBe('no change');
    expect(withNoise.bandPct).toBeGreaterThan(6);
  });

  it('higher-is-better: more throughput is "faster"', () => {
    const base = [100, 102, 98, 101, 99];
    const more = base.map((v) => v * 1.5);
    expect(compareSamples(base, more, { direction: 'higher-is-better', seed: 4 }).verdict).toBe('faster');
  });
});

describe('rank test, effect size, bootstrap', () => {
  it('Mann–Whitney matches the textbook value for fully separated samples', () => {
    const { u, pValue } = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(u).toBe(0);
    // scipy.stats.mannwhitneyu(..., method="asymptotic") → 0.0122
    expect(pValue).toBeGreaterThan(0.01);
    expect(pValue).toBeLessThan(0.014);
  });

  it("properties: p in [0, 1], symmetric in its arguments; Cliff's delta antisymmetric", () => {
    const sample = fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const ab = mannWhitneyU(a, b).pValue;
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(1);
        expect(ab).toBeCloseTo(mannWhitneyU(b, a).pValue, 10);
        expect(cliffsDelta(a, b) + cliffsDelta(b, a)).toBeCloseTo(0, 12);
      }),
      { seed: envSeed(), numRuns: 200 },
    );
  });

  it("Cliff's delta and Hedges' g have the direction of the change", () => {
    expect(cliffsDelta([1, 2, 3], [4, 5, 6])).toBe(1);
    expect(cliffsDelta([4, 5, 6], [1, 2, 3])).toBe(-1);
    expect(hedgesG([1, 2, 3], [4, 5, 6])).toBeGreaterThan(1);
    expect(hedgesG([1], [2])).toBeUndefined();
  });

  it('bootstrap CI is reproducible from its seed, brackets the median, and covers the truth ~95% of the time', () => {
    const values = [10, 12, 11, 13, 9, 10, 11, 12, 10, 11];
    const ci = bootstrapCi(values, { seed: 7 });
    expect(ci).toEqual(bootstrapCi(values, { seed: 7 }));
    expect(ci![0]).toBeLessThanOrEqual(11);
    expect(ci![1]).toBeGreaterThanOrEqual(10.5);
    expect(bootstrapCi([5], { seed: 1 })).toBeUndefined();

    const draw = normalSampler(seededRandom(11));
    let covered = 0;
    for (let t = 0; t < 200; t++) {
      const sample = Array.from({ length: 20 }, () => draw(50, 5));
      const interval = bootstrapCi(sample, { seed: t, iterations: 500 })!;
      if (interval[0] <= 50 && 50 <= interval[1]) covered++;
    }
    expect(covered / 200).toBeGreaterThan(0.88);
  });
});

describe('noise calibration', () => {
  it('measures the run-to-run spread it was given and lists metrics too noisy to gate', () => {
    const runs = (noiseCv: number) =>
      Array.from({ length: 6 }, (_, i) => ({
        path: `aa-${i}.json`,
        results: syntheticResults({
          seed: 100 + i,
          profiles: ['polyglot'],
          noiseCv,
          samplesPerOperation: 200,
          scenarios: [
            {
              name: 'metrics-query',
              operations: [{ name: 'query', medianMs: 3 }],
              metrics: { cacheHitRatio: 0.9 },
            },
          ],
        }),
      }));
    const quiet = calibrateNoise(runs(0.02), { maxCv: 0.15 });
    const p50 = quiet.entries.find((e) => e.metric === 'query.p50');
    expect(p50?.runs).toBe(6);
    expect(p50?.cv).toBeGreaterThan(0.002);
    expect(p50?.cv).toBeLessThan(0.08);
    expect(quiet.entries.find((e) => e.metric === 'cacheHitRatio')?.cv).toBe(0);
    // Medians and rates are stable at 2 % noise; a p99.9 of 200 samples is legitimately too noisy to gate.
    const noisy = quiet.entries.filter((e) => e.tooNoisy).map((e) => e.metric);
    expect(noisy).not.toContain('query.p50');
    expect(noisy).not.toContain('query.throughput');
    expect(noisy.every((m) => /p99/.test(m))).toBe(true);

    const loud = calibrateNoise(runs(0.5), { maxCv: 0.15 });
    expect(loud.entries.find((e) => e.metric === 'query.p50')?.tooNoisy).toBe(true);
    expect(() => calibrateNoise(runs(0).slice(0, 1))).toThrow(/at least 2/);
  });
});

describe('Benjamini–Hochberg', () => {
  it('matches the textbook adjustment and keeps input order', async () => {
    const { benjaminiHochberg } = await import('./fdr.ts');
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") → 0.02 0.04 0.04 0.02
    expect(benjaminiHochberg([0.01, 0.04, 0.03, 0.005]).map((p) => Number(p.toFixed(4)))).toEqual([
      0.02, 0.04, 0.04, 0.02,
    ]);
  });
});
