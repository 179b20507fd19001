// Effect sizes: how big a change is, independent of how many repeats showed it.
import { mean, sampleVariance } from 'simple-statistics';

/** Cliff's delta in [-1, 1]: P(b > a) − P(b < a). Rank-based, pairs with Mann–Whitney. */
export function cliffsDelta(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let greater = 0;
  let less = 0;
  for (const x of a) {
    for (const y of b) {
      if (y > x) greater++;
      else if (y < x) less++;
    }
  }
  return (greater - less) / (a.length * b.length);
}

/** Romano et al. thresholds (0.147 / 0.33 / 0.474). */
export function cliffsMagnitude(delta: number): 'negligible' | 'small' | 'medium' | 'large' {
  const d = Math.abs(delta);
  if (d < 0.147) return 'negligible';
  if (d < 0.33) return 'small';
  if (d < 0.474) return 'medium';
  return 'large';
}

/** Hedges' g (bias-corrected standardized mean difference, b − a); undefined below 2 values per side. */
export function hedgesG(a: readonly number[], b: readonly number[]): number | undefined {
  if (a.length < 2 || b.length < 2) return undefined;
  const n1 = a.length;
  const n2 = b.length;
  const pooled = Math.sqrt(
    ((n1 - 1) * sampleVariance([...a]) + (n2 - 1) * sampleVariance([...b])) / (n1 + n2 - 2),
  );
  if (pooled === 0) return undefined;
  const correction = 1 - 3 / (4 * (n1 + n2) - 9);
  return ((mean([...b]) - mean([...a])) / pooled) * correction;
}
