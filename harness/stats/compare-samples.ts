// The two-sample decision compare and relative gates share: change %, its CI, a rank test, an effect
// size and one verdict. A change is called only when it is significant AND beyond both the user's
// threshold and the measured run-to-run noise; a single sample is never dressed up as significant.
import { median } from 'simple-statistics';
import { bootstrapTwoSampleCi, type Interval } from './bootstrap.ts';
import { cliffsDelta, cliffsMagnitude } from './effect-size.ts';
import { mannWhitneyU } from './mann-whitney.ts';

export type Direction = 'lower-is-better' | 'higher-is-better';
export type ChangeVerdict = 'faster' | 'slower' | 'no change' | 'inconclusive';

export interface CompareSamplesOptions {
  direction: Direction;
  alpha?: number;
  /** A change smaller than this (in %) is "no change" even when significant. */
  thresholdPct?: number;
  /** Run-to-run coefficient of variation of this metric from noise.json (0.05 = 5 %). */
  noiseCv?: number;
  seed: number;
  /** Multiple-comparison adjustment of the raw p-value (compare tables use Benjamini–Hochberg). */
  adjustPValue?: (raw: number) => number;
}

export interface SampleComparison {
  base: number;
  candidate: number;
  nBase: number;
  nCandidate: number;
  /** (candidate − base) / base × 100. */
  changePct: number;
  changeCi?: Interval;
  pValue?: number;
  cliffsDelta?: number;
  effect?: ReturnType<typeof cliffsMagnitude>;
  /** Smallest change (in %) that counts: max(threshold, noise band). */
  bandPct: number;
  verdict: ChangeVerdict;
  /** Worse than base beyond the band: significant with repeats; single samples only against a measured noise band. */
  regression: boolean;
  note: string;
}

export function relativeChangePct(base: number, candidate: number): number {
  if (base === 0) return candidate === 0 ? 0 : Number.POSITIVE_INFINITY * Math.sign(candidate);
  return ((candidate - base) / Math.abs(base)) * 100;
}

/** Noise band in % for comparing medians of nBase and nCandidate runs: ≈95 % of A/A differences fall inside. */
export function noiseBandPct(cv: number, nBase: number, nCandidate: number): number {
  return 1.96 * cv * Math.sqrt(1 / nBase + 1 / nCandidate) * 100;
}

export function compareSamples(
  base: readonly number[],
  candidate: readonly number[],
  options: CompareSamplesOptions,
): SampleComparison {
  if (base.length === 0 || candidate.length === 0) {
    throw new RangeError('compareSamples: both samples need at least one value');
  }
  const alpha = options.alpha ?? 0.05;
  const baseValue = median([...base]);
  const candidateValue = median([...candidate]);
  const changePct = relativeChangePct(baseValue, candidateValue);
  const noise =
    options.noiseCv === undefined ? 0 : noiseBandPct(options.noiseCv, base.length, candidate.length);
  const bandPct = Math.max(options.thresholdPct ?? 0, noise);
  const worse = options.direction === 'lower-is-better' ? changePct > 0 : changePct < 0;
  const beyondBand = Math.abs(changePct) > bandPct;
  const common = {
    base: baseValue,
    candidate: candidateValue,
    nBase: base.length,
    nCandidate: candidate.length,
    changePct,
    bandPct,
  };

  if (base.length < 2 || candidate.length < 2) {
    // One run each: only a measured noise band can tell a change from run-to-run spread, so without
    // noise.json a single-sample difference never gates (it would flap on every noisy tail metric).
    const gated = options.noiseCv !== undefined;
    return {
      ...common,
      verdict: 'inconclusive',
      regression: gated && worse && beyondBand,
      note: `single sample (${base.length} vs ${candidate.length}): no significance test possible${gated ? '; gated on the noise band' : '; not gated without --noise or repeats'}`,
    };
  }

  const raw = mannWhitneyU(base, candidate).pValue;
  const pValue = options.adjustPValue ? options.adjustPValue(raw) : raw;
  const delta = cliffsDelta(base, candidate);
  const changeCi = bootstrapTwoSampleCi(base, candidate, relativeChangePct, { seed: options.seed });
  const significant = pValue < alpha;
  let verdict: ChangeVerdict;
  let note: string;
  if (significant && beyondBand) {
    verdict = worse ? 'slower' : 'faster';
    note = `p=${pValue.toFixed(3)} < ${alpha}`;
  } else if (significant) {
    verdict = 'no change';
    note = `significant (p=${pValue.toFixed(3)}) but within ±${bandPct.toFixed(1)}% band`;
  } else if (changeCi && Math.max(Math.abs(changeCi[0]), Math.abs(changeCi[1])) <= Math.max(bandPct, 5)) {
    verdict = 'no change';
    note = `p=${pValue.toFixed(3)}; CI within ±${Math.max(bandPct, 5).toFixed(1)}%`;
  } else {
    verdict = 'inconclusive';
    note = `p=${pValue.toFixed(3)} ≥ ${alpha}; CI too wide to rule out a change`;
  }
  return {
    ...common,
    ...(changeCi ? { changeCi } : {}),
    pValue,
    cliffsDelta: delta,
    effect: cliffsMagnitude(delta),
    verdict,
    regression: verdict === 'slower',
    note,
  };
}
