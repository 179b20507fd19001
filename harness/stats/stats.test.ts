import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticResults } from '../report/fixtures/synthetic-results.ts';
import { bootstrapCi } from './bootstrap.ts';
import { blockBootstrapLogMean, MIN_WINDOWS, politisWhiteBlockLength } from './block-bootstrap.ts';
import { compareSamples, compareSides } from './compare-samples.ts';
import { cliffsDelta, hedgesG } from './effect-size.ts';
import { calibrateNoise } from './noise.ts';
import { envSeed, seededRandom } from './random.ts';
import { satterthwaite } from './satterthwaite.ts';
import { estimateSpread } from './spread.ts';
import { studentTCdf, studentTQuantile, studentTTwoSidedP } from './student-t.ts';

function normalSampler(random: () => number) {
  return (mean: number, sd: number) => {
    const u = Math.max(random(), 1e-12);
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

describe('two-sample statistics on synthetic data with known truth', () => {
  // Rates over seeded trials: a fixed default seed keeps them deterministic; DALBENCH_SEED explores others.
  // The full table per method and n is test/statistics/power.test.ts.
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

  it('a single run without a within-run interval or calibration is said plainly: spread unknown, repeats needed', () => {
    const result = compareSamples([100], [150], { direction: 'lower-is-better', seed: 1, thresholdPct: 10 });
    expect(result.verdict).toBe('inconclusive');
    expect(result.undecided).toBe('spread-unknown');
    expect(result.note).toMatch(/spread unknown.*≥ 3 repeats per side needed/);
    expect(result.pValue).toBeUndefined();
    expect(result.regression).toBe(false);
  });

  it('a significant change inside the threshold is "no change"; beyond it, "slower" and a regression', () => {
    const base = [100, 101, 99, 100, 102, 98, 100, 101, 99, 100];
    const shifted = base.map((v) => v * 1.06);
    const plain = compareSamples(base, shifted, { direction: 'lower-is-better', seed: 3 });
    expect(plain.verdict).toBe('slower');
    expect(plain.regression).toBe(true);
    const gated = compareSamples(base, shifted, { direction: 'lower-is-better', seed: 3, thresholdPct: 10 });
    expect(gated.verdict).toBe('no change');
    expect(gated.regression).toBe(false);
  });

  it('higher-is-better: more throughput is "faster"', () => {
    const base = [100, 102, 98, 101, 99];
    const more = base.map((v) => v * 1.5);
    expect(compareSamples(base, more, { direction: 'higher-is-better', seed: 4 }).verdict).toBe('faster');
  });

  it('the calibrated repeat spread joins few repeats: 2 vs 2 repeats decide with it, not without', () => {
    const base = [100, 104];
    const slower = [125, 131];
    const alone = compareSamples(base, slower, { direction: 'lower-is-better', seed: 5 });
    const calibrated = estimateSpread(
      Array.from({ length: 4 }, (_, i) => ({
        id: `c${i}`,
        runs: [100, 103, 98, 101].map((v, j) => ({ value: v * (1 + 0.01 * ((i + j) % 3)) })),
      })),
      'between-invocations',
    );
    const withSpread = compareSides(
      [{ id: 'one', runs: base.map((value) => ({ value })) }],
      [{ id: 'one', runs: slower.map((value) => ({ value })) }],
      { direction: 'lower-is-better', seed: 5, calibrated: { base: calibrated, candidate: calibrated } },
    );
    expect(withSpread.df!).toBeGreaterThan(alone.df!);
    expect(withSpread.verdict).toBe('slower');
  });
});

describe('t distribution, Satterthwaite, block bootstrap, variance components', () => {
  it('Student t matches tables (two-sided 95 % quantiles; CDF)', () => {
    for (const [df, q] of [
      [1, 12.7062],
      [2, 4.3027],
      [4, 2.7764],
      [10, 2.2281],
      [1000, 1.9623],
    ] as const)
      expect(studentTQuantile(0.975, df)).toBeCloseTo(q, 3);
    expect(studentTCdf(2, 5)).toBeCloseTo(0.94903, 4);
    expect(studentTTwoSidedP(2.5, 7)).toBeCloseTo(0.04101, 4);
    expect(studentTQuantile(0.025, 3)).toBeCloseTo(-studentTQuantile(0.975, 3), 10);
  });

  it("Satterthwaite reproduces Welch's degrees of freedom; an estimate at 0 keeps its uncertainty", () => {
    // s² 4 and 9 over n 5 and 10: Welch df = (0.8 + 0.9)² / (0.8²/4 + 0.9²/9) = 11.56
    expect(
      satterthwaite([
        { variance: 0.8, df: 4 },
        { variance: 0.9, df: 9 },
      ]).df,
    ).toBeCloseTo(11.56, 2);
    const withZero = satterthwaite([
      { variance: 1, df: 10 },
      { variance: 0, df: 2, uncertainty: 0.5 },
    ]);
    expect(withZero.df).toBeCloseTo(1 / (0.1 + 0.5), 6);
  });

  it('block bootstrap: replayable from its seed, none below the minimum windows, wider under autocorrelation', () => {
    const random = seededRandom(21);
    const iid = Array.from({ length: 60 }, () => 100 + 10 * (random() - 0.5));
    expect(blockBootstrapLogMean(iid, { seed: 1 })).toEqual(blockBootstrapLogMean(iid, { seed: 1 }));
    expect(blockBootstrapLogMean(iid.slice(0, MIN_WINDOWS - 1), { seed: 1 })).toBeUndefined();
    // The same values in slow waves (strong autocorrelation) must give a wider interval than shuffled.
    const waves = [...iid].sort((x, y) => x - y).map((_, i, all) => all[(i * 7) % all.length]!);
    const sorted = [...iid].sort((x, y) => x - y);
    const smooth = [...sorted.slice(0, 30), ...sorted.slice(30).reverse()];
    expect(politisWhiteBlockLength(smooth)).toBeGreaterThan(1);
    expect(blockBootstrapLogMean(smooth, { seed: 1 })!.variance).toBeGreaterThan(
      blockBootstrapLogMean(waves, { seed: 1 })!.variance,
    );
  });

  it('variance components recover a known repeat and invocation spread', () => {
    const random = seededRandom(33);
    const gauss = normalSampler(random);
    const invocations = Array.from({ length: 40 }, (_, i) => {
      const effect = gauss(0, 0.2);
      return {
        id: `i${i}`,
        runs: Array.from({ length: 4 }, () => ({ value: Math.exp(effect + gauss(0, 0.1)) })),
      };
    });
    const spread = estimateSpread(invocations, 'between-invocations');
    expect(Math.sqrt(spread.repeat!.variance)).toBeCloseTo(0.1, 1);
    expect(Math.sqrt(spread.between!.variance)).toBeGreaterThan(0.14);
    expect(Math.sqrt(spread.between!.variance)).toBeLessThan(0.27);
    expect(spread.between!.df).toBe(39);
    expect(spread.repeat!.df).toBe(120);
  });
});

describe('effect size and bootstrap (used by budgets)', () => {
  it("Cliff's delta is antisymmetric; it and Hedges' g have the direction of the change", () => {
    const sample = fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        expect(cliffsDelta(a, b) + cliffsDelta(b, a)).toBeCloseTo(0, 12);
      }),
      { seed: envSeed(), numRuns: 200 },
    );
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
