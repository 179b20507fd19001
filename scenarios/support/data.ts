// Deterministic synthetic data for the ADR's domain: metric series, experiment texts, artifacts.
// Everything is drawn from the Rng handed in, so one run seed gives the same data every time.
import type { Rng } from '../../harness/workload/random.ts';
import type { Experiment } from '../../reference-dal/ports/transactional.ts';

/** Loaded series end here (fixed, not the clock): windows and ranges are relative to it. */
export const SERIES_END_MS = Date.UTC(2024, 0, 15, 12, 0, 0);

const WORDS = [
  'anomaly',
  'latency',
  'throughput',
  'forecast',
  'seasonal',
  'baseline',
  'drift',
  'spike',
  'isolation',
  'forest',
  'autoencoder',
  'threshold',
  'gradient',
  'residual',
  'sensor',
  'network',
  'payment',
  'fraud',
  'cluster',
  'outlier',
  'window',
  'rolling',
  'median',
  'variance',
  'kernel',
  'density',
  'temporal',
  'regression',
  'holiday',
  'weekly',
  'hourly',
  'traffic',
  'error',
  'budget',
  'capacity',
  'memory',
  'storage',
  'cache',
  'replica',
  'region',
] as const;

export function word(rng: Rng): string {
  return WORDS[rng.int(WORDS.length)]!;
}

export function sentence(rng: Rng, words: number): string {
  return Array.from({ length: words }, () => word(rng)).join(' ');
}

/** A searchable query: two vocabulary words. */
export function searchText(rng: Rng): string {
  return `${word(rng)} ${word(rng)}`;
}

export function experiment(rng: Rng, index: number): Experiment {
  return {
    name: `experiment ${index} ${word(rng)}`,
    description: sentence(rng, 12),
    detectorId: null,
    status: (['running', 'completed', 'failed'] as const)[rng.int(3)]!,
    tags: [word(rng), word(rng)],
    metrics: { precision: rng.next(), recall: rng.next() },
  };
}

/** `points` values of a noisy daily-ish wave, one every `stepMs`, ending at SERIES_END_MS. */
export function seriesPoints(
  rng: Rng,
  metricName: string,
  points: number,
  stepMs: number,
): { timestamp: Date; metricName: string; value: number }[] {
  return [...seriesBatches(rng, metricName, points, stepMs, Math.max(1, points))].flat();
}

/**
 * The same points as seriesPoints (same draws, same order), `batch` at a time: a loader holds one
 * batch, not a whole series (150,000 points at scale m).
 */
export function* seriesBatches(
  rng: Rng,
  metricName: string,
  points: number,
  stepMs: number,
  batch: number,
): Generator<{ timestamp: Date; metricName: string; value: number }[]> {
  const start = SERIES_END_MS - points * stepMs;
  for (let from = 0; from < points; from += batch) {
    const to = Math.min(points, from + batch);
    const out = new Array<{ timestamp: Date; metricName: string; value: number }>(to - from);
    for (let i = from; i < to; i++) {
      out[i - from] = {
        timestamp: new Date(start + i * stepMs),
        metricName,
        value: 100 + 20 * Math.sin(i / 50) + rng.next() * 5,
      };
    }
    yield out;
  }
}
