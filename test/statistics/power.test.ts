// compare's decision on synthetic data with known truth (issue 14 §3), per method and runs per side:
// the A/A false-positive rate at α = 0.05, and how often a 2× and a 20 % slowdown are detected. The test
// prints the table the README quotes and asserts the targets. Seeded: DALBENCH_SEED explores other seeds.
//
// The simulated noise, log-normal throughout (the log of a run's value is normal):
// - within one invocation, run-to-run CV 10 %: a repeat effect (σ 0.088) plus the sampling error of a
//   30-second run whose per-second values follow an AR(1) process (φ 0.5, per-second σ 0.15: ≈ 4.7 %);
// - between invocations an extra 7 % (σ 0.07), shared by every run of one invocation: a single run of a
//   separate invocation then varies by ≈ 12.2 %.
import { describe, expect, it } from 'vitest';
import { blockBootstrapLogMean, type WithinRunSpread } from '../../harness/stats/block-bootstrap.ts';
import { compareSides, type Invocation } from '../../harness/stats/compare-samples.ts';
import { envSeed, seededRandom } from '../../harness/stats/random.ts';
import { estimateSpread } from '../../harness/stats/spread.ts';
import { studentTQuantile } from '../../harness/stats/student-t.ts';
import { gaussian } from './support/synthetic-invocation.ts';

const SIGMA_REPEAT = 0.088;
const SIGMA_BETWEEN = 0.07;
const SECONDS = 30;
const PHI = 0.5;
const SIGMA_SECOND = 0.15;
const CALIBRATION_INVOCATIONS = 5;

const seed = process.env['DALBENCH_SEED'] ? envSeed() : 20250314;

interface Draw {
  random: () => number;
}

/** One run: its value (mean of its per-second values × its effects) and, if asked, its series. */
function run(d: Draw, logEffect: number, withSeries: boolean): { value: number; series?: number[] } {
  let ar = gaussian(d.random) * SIGMA_SECOND;
  const series: number[] = [];
  for (let t = 0; t < SECONDS; t++) {
    ar = PHI * ar + Math.sqrt(1 - PHI * PHI) * SIGMA_SECOND * gaussian(d.random);
    series.push(Math.exp(ar));
  }
  const mean = series.reduce((a, b) => a + b, 0) / SECONDS;
  const repeat = SIGMA_REPEAT * gaussian(d.random);
  const scale = Math.exp(logEffect + repeat);
  return {
    value: 100 * scale * mean,
    ...(withSeries ? { series: series.map((v) => 100 * scale * v) } : {}),
  };
}

/** One invocation of `runs` runs with its own invocation effect; `factor` is the true change. */
function invocation(
  d: Draw,
  id: string,
  runs: number,
  factor: number,
  withSeries: boolean,
  s: number,
): Invocation {
  const effect = SIGMA_BETWEEN * gaussian(d.random) + Math.log(factor);
  return {
    id,
    runs: Array.from({ length: runs }, (_, i) => {
      const r = run(d, effect, withSeries);
      const within = r.series ? blockBootstrapLogMean(r.series, { seed: s + i, iterations: 200 }) : undefined;
      return { value: r.value, ...(within ? { within } : {}) };
    }),
  };
}

/** Same invocation: base and candidate runs share one invocation effect. */
function sameInvocation(d: Draw, n: number, factor: number): [Invocation, Invocation] {
  const effect = SIGMA_BETWEEN * gaussian(d.random);
  const side = (f: number): Invocation => ({
    id: 'one',
    runs: Array.from({ length: n }, () => ({ value: run(d, effect + Math.log(f), false).value })),
  });
  return [side(1), side(factor)];
}

type Method = {
  name: string;
  ns: readonly number[];
  trials: number;
  /** True when the comparison flagged a change (slower or faster) for a candidate `factor` times slower. */
  flagged: (d: Draw, n: number, factor: number, trial: number) => 'slower' | 'faster' | undefined;
};

const verdictOf = (
  base: Invocation[],
  candidate: Invocation[],
  trial: number,
  calibrated?: ReturnType<typeof estimateSpread>,
) => {
  const r = compareSides(base, candidate, {
    direction: 'lower-is-better',
    seed: seed + trial,
    ...(calibrated ? { calibrated: { base: calibrated, candidate: calibrated } } : {}),
  });
  return r.verdict === 'slower' || r.verdict === 'faster' ? r.verdict : undefined;
};

const methods: Method[] = [
  {
    name: 'repeats in one invocation (Welch t on log values)',
    ns: [3, 5, 10],
    trials: 2000,
    flagged: (d, n, factor, trial) => {
      const [a, b] = sameInvocation(d, n, factor);
      return verdictOf([a], [b], trial);
    },
  },
  {
    name: 'separate invocations, n result files per side (spread between invocations from the data)',
    ns: [3, 5, 10],
    trials: 2000,
    flagged: (d, n, factor, trial) =>
      verdictOf(
        Array.from({ length: n }, (_, i) => invocation(d, `a${i}`, 1, 1, false, 0)),
        Array.from({ length: n }, (_, i) => invocation(d, `b${i}`, 1, factor, false, 0)),
        trial,
      ),
  },
  {
    name: `one invocation per side, noise.json from ${CALIBRATION_INVOCATIONS} separate invocations (n = 1: within-run interval + calibrated spread)`,
    ns: [1, 3, 5, 10],
    trials: 1000,
    flagged: (d, n, factor, trial) => {
      const series = n === 1;
      const calibration = estimateSpread(
        Array.from({ length: CALIBRATION_INVOCATIONS }, (_, i) =>
          invocation(d, `c${i}`, n, 1, series, trial * 100 + i * 10),
        ),
        'between-invocations',
      );
      return verdictOf(
        [invocation(d, 'a', n, 1, series, trial * 100 + 70)],
        [invocation(d, 'b', n, factor, series, trial * 100 + 80)],
        trial,
        calibration,
      );
    },
  },
  {
    name: 'one invocation per side, no noise.json',
    ns: [1, 3, 10],
    trials: 200,
    flagged: (d, n, factor, trial) =>
      verdictOf(
        [invocation(d, 'a', n, 1, n === 1, trial)],
        [invocation(d, 'b', n, factor, n === 1, trial + 50)],
        trial,
      ),
  },
];

interface Cell {
  method: string;
  n: number;
  aa: number;
  x2: number;
  x12: number;
  trials: number;
}

describe(`statistics on synthetic data with known truth (seed ${seed})`, () => {
  it('the within-run interval is not shrunk by autocorrelation: block bootstrap ≥ 88 % coverage of an AR(1) mean (φ 0.5, 30 windows), well above resampling single windows', () => {
    const random = seededRandom(seed);
    const trials = 1000;
    let covered = 0;
    let coveredIid = 0;
    // Truth: the expected window value E[exp(a)] = exp(σ²/2) of the stationary process.
    const truth = SIGMA_SECOND ** 2 / 2;
    const covers = (series: number[], spread: WithinRunSpread) =>
      Math.abs(Math.log(series.reduce((a, b) => a + b, 0) / SECONDS) - truth) <=
      studentTQuantile(0.975, spread.df) * Math.sqrt(spread.variance);
    for (let t = 0; t < trials; t++) {
      let ar = gaussian(random) * SIGMA_SECOND;
      const series = Array.from({ length: SECONDS }, () => {
        ar = PHI * ar + Math.sqrt(1 - PHI * PHI) * SIGMA_SECOND * gaussian(random);
        return Math.exp(ar);
      });
      if (covers(series, blockBootstrapLogMean(series, { seed: seed + t, iterations: 300 })!)) covered++;
      if (covers(series, blockBootstrapLogMean(series, { seed: seed + t, iterations: 300, blockLength: 1 })!))
        coveredIid++;
    }
    const pct = (v: number) => `${((v / trials) * 100).toFixed(1)} %`;
    console.log(
      `within-run interval over ${SECONDS} windows of an AR(1) process (φ ${PHI}), nominal 95 %: block bootstrap covered the mean in ${pct(covered)} of ${trials} runs, single-window resampling in ${pct(coveredIid)}`,
    );
    expect(covered / trials).toBeGreaterThanOrEqual(0.88);
    expect(covered - coveredIid).toBeGreaterThan(0.05 * trials);
  });

  it('per method and runs per side: A/A ≤ 5 % flagged at α = 0.05; 2× found ≥ 95 % at n = 3; 20 % found ≥ 80 % at n = 10 where the method can', () => {
    const cells: Cell[] = [];
    for (const [m, method] of methods.entries()) {
      for (const n of method.ns) {
        const random = seededRandom(seed + 1000 * m + n);
        const d = { random };
        let aa = 0;
        let x2 = 0;
        let x12 = 0;
        for (let t = 0; t < method.trials; t++) {
          if (method.flagged(d, n, 1, t)) aa++;
          if (method.flagged(d, n, 2, t) === 'slower') x2++;
          if (method.flagged(d, n, 1.2, t) === 'slower') x12++;
        }
        cells.push({
          method: method.name,
          n,
          aa: aa / method.trials,
          x2: x2 / method.trials,
          x12: x12 / method.trials,
          trials: method.trials,
        });
      }
    }
    const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
    console.log(
      [
        `| method | runs per side | A/A flagged | 2× found | 20 % found | trials |`,
        `| --- | --- | --- | --- | --- | --- |`,
        ...cells.map(
          (c) =>
            `| ${c.method} | ${c.n === 1 ? '1 (within-run)' : c.n} | ${pct(c.aa)} | ${pct(c.x2)} | ${pct(c.x12)} | ${c.trials} |`,
        ),
      ].join('\n'),
    );
    for (const c of cells) {
      // A valid test flags α of A/A comparisons on average: at the default seed (the table the README
      // quotes) the rate must be ≤ 5 %; other seeds may land above it by Monte Carlo error (2 SE allowed).
      const tolerance = process.env['DALBENCH_SEED'] ? 2 * Math.sqrt((0.05 * 0.95) / c.trials) : 0;
      expect(c.aa, `${c.method} n=${c.n} A/A (seed ${seed})`).toBeLessThanOrEqual(0.05 + tolerance);
      // Without noise.json one invocation per side cannot be judged at all: it flags nothing, by design.
      if (c.method.endsWith('no noise.json')) {
        expect(c.aa + c.x2 + c.x12, c.method).toBe(0);
        continue;
      }
      if (c.n === 3) expect(c.x2, `${c.method} n=3 2× (seed ${seed})`).toBeGreaterThanOrEqual(0.95);
      // One invocation per side cannot average the invocation effect away, however many repeats:
      // a 20 % change against 7 % between invocations needs more invocations (the second method).
      if (c.n === 10 && !c.method.startsWith('one invocation per side'))
        expect(c.x12, `${c.method} n=10 20 % (seed ${seed})`).toBeGreaterThanOrEqual(0.8);
    }
  });
});
