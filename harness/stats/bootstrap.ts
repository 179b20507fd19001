// Percentile bootstrap confidence intervals over repeats. simple-statistics supplies the resampling
// (`sampleWithReplacement` with our seeded source) and the quantiles (`quantileSorted`).
import { median, quantileSorted, sampleWithReplacement } from 'simple-statistics';
import { seededRandom } from './random.ts';

export interface BootstrapOptions {
  /** Two-sided confidence level, e.g. 0.95. */
  confidence?: number;
  iterations?: number;
  seed: number;
}

export type Interval = [number, number];

/** CI of `statistic` (default: median) over one sample; undefined for fewer than 2 values. */
export function bootstrapCi(
  values: readonly number[],
  options: BootstrapOptions,
  statistic: (sample: number[]) => number = median,
): Interval | undefined {
  if (values.length < 2) return undefined;
  const random = seededRandom(options.seed);
  const iterations = options.iterations ?? 2000;
  const stats: number[] = [];
  const pool = [...values];
  for (let i = 0; i < iterations; i++) {
    stats.push(statistic(sampleWithReplacement(pool, pool.length, random)));
  }
  return percentileInterval(stats, options.confidence ?? 0.95);
}

/** CI of `combine(stat(a), stat(b))` resampling both samples independently (e.g. a relative change). */
export function bootstrapTwoSampleCi(
  a: readonly number[],
  b: readonly number[],
  combine: (statA: number, statB: number) => number,
  options: BootstrapOptions,
  statistic: (sample: number[]) => number = median,
): Interval | undefined {
  if (a.length < 2 || b.length < 2) return undefined;
  const random = seededRandom(options.seed);
  const iterations = options.iterations ?? 2000;
  const poolA = [...a];
  const poolB = [...b];
  const stats: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const value = combine(
      statistic(sampleWithReplacement(poolA, poolA.length, random)),
      statistic(sampleWithReplacement(poolB, poolB.length, random)),
    );
    if (Number.isFinite(value)) stats.push(value);
  }
  if (stats.length === 0) return undefined;
  return percentileInterval(stats, options.confidence ?? 0.95);
}

function percentileInterval(stats: number[], confidence: number): Interval {
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence: expected (0, 1), got ${confidence}`);
  stats.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  return [quantileSorted(stats, tail), quantileSorted(stats, 1 - tail)];
}
