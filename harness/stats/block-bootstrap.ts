// The within-run interval of one run: its per-second windows are autocorrelated (a slow second is
// followed by another), so resampling single windows would shrink the interval. The circular block
// bootstrap resamples runs of consecutive windows instead, with the block length chosen from the data
// (Politis & White 2004, with Patton, Politis & White's 2009 correction) but never shorter than √n: on
// the 10–120 windows of a benchmark run the automatic length often misses real autocorrelation (at
// AR(1) φ 0.5 and 30 windows it alone covers the mean in ~80 % instead of 95 %; with the √n floor ~93 %).
// The result is the variance of the log of the window mean, in the unit every comparison here works in
// (log ratios), with blocks − 1 degrees of freedom.
import { mean } from 'simple-statistics';
import { seededRandom } from './random.ts';

/** Fewer one-second windows than this give no within-run interval: too few blocks to resample. */
export const MIN_WINDOWS = 8;

export interface WithinRunSpread {
  /** Variance of log(mean of the windows) across block-bootstrap resamples. */
  variance: number;
  /** Degrees of freedom credited to that variance: independent blocks − 1. */
  df: number;
  windows: number;
  blockLength: number;
  /** Per-second windows (block bootstrap), or — for throughput of a run too short for them — its completion count. */
  basis: 'windows' | 'count';
}

function autocovariances(x: readonly number[], maxLag: number): number[] {
  const n = x.length;
  const m = mean([...x]);
  const out: number[] = [];
  for (let k = 0; k <= maxLag; k++) {
    let sum = 0;
    for (let t = 0; t + k < n; t++) sum += (x[t]! - m) * (x[t + k]! - m);
    out.push(sum / n);
  }
  return out;
}

/** Automatic block length for the circular block bootstrap; 1 when the windows look independent. */
export function politisWhiteBlockLength(x: readonly number[]): number {
  const n = x.length;
  if (n < 4) return 1;
  const kn = Math.max(5, Math.ceil(Math.sqrt(Math.log10(n))));
  const mMax = Math.min(n - 1, Math.ceil(Math.sqrt(n)) + kn);
  const cov = autocovariances(x, mMax);
  const c0 = cov[0]!;
  if (c0 <= 0) return 1;
  const threshold = 2 * Math.sqrt(Math.log10(n) / n);
  const rho = (k: number) => (k <= mMax ? cov[k]! / c0 : 0);
  let mHat = mMax;
  for (let m = 0; m <= mMax; m++) {
    let small = true;
    for (let k = 1; k <= kn; k++) if (Math.abs(rho(m + k)) >= threshold) small = false;
    if (small) {
      mHat = m;
      break;
    }
  }
  const bigM = Math.min(2 * mHat, mMax);
  if (bigM === 0) return 1;
  const flatTop = (t: number) => {
    const a = Math.abs(t);
    return a <= 0.5 ? 1 : a <= 1 ? 2 * (1 - a) : 0;
  };
  let g = 0;
  let g0 = c0;
  for (let k = 1; k <= bigM; k++) {
    const w = flatTop(k / bigM);
    g += 2 * w * k * cov[k]!;
    g0 += 2 * w * cov[k]!;
  }
  const d = (4 / 3) * g0 * g0;
  if (d <= 0) return 1;
  const b = Math.pow((2 * g * g) / d, 1 / 3) * Math.pow(n, 1 / 3);
  return Math.max(1, Math.min(Math.round(b), Math.floor(n / 3), Math.ceil(3 * Math.sqrt(n))));
}

/**
 * Spread of log(mean of `values`) by circular block bootstrap; undefined below MIN_WINDOWS windows or
 * when the mean is not positive (a log ratio needs positive values).
 */
export function blockBootstrapLogMean(
  values: readonly number[],
  options: {
    seed: number;
    iterations?: number;
    /** Fixed block length (1: the i.i.d. bootstrap). */ blockLength?: number;
  },
): WithinRunSpread | undefined {
  const n = values.length;
  if (n < MIN_WINDOWS || !(mean([...values]) > 0)) return undefined;
  const blockLength =
    options.blockLength ??
    Math.min(Math.max(politisWhiteBlockLength(values), Math.ceil(Math.sqrt(n))), Math.floor(n / 3));
  const random = seededRandom(options.seed);
  const iterations = options.iterations ?? 1000;
  const blocks = Math.ceil(n / blockLength);
  const logs: number[] = [];
  for (let i = 0; i < iterations; i++) {
    let sum = 0;
    let taken = 0;
    for (let b = 0; b < blocks && taken < n; b++) {
      const start = Math.floor(random() * n);
      for (let j = 0; j < blockLength && taken < n; j++, taken++) sum += values[(start + j) % n]!;
    }
    const m = sum / n;
    if (m > 0) logs.push(Math.log(m));
  }
  const m = mean(logs);
  const variance = logs.reduce((acc, v) => acc + (v - m) ** 2, 0) / Math.max(1, logs.length - 1);
  return {
    variance,
    df: Math.max(1, Math.floor(n / blockLength) - 1),
    windows: n,
    blockLength,
    basis: 'windows',
  };
}
