// The within-run interval of one run's metric, from its per-second series: completions per second for
// throughput, the per-second percentile for latencies when the series records it (p99 today). Only
// whole seconds count (the last window of a 2.5 s phase holds half a second), and a second without a
// completion has no latency to contribute. Throughput of a run too short for windows falls back to its
// completion count: log(count) varies by about 1/count when completions arrive as a Poisson stream, an
// upper bound for a closed loop (whose completions come more regularly), so the bound is conservative.
import type { OperationResult } from '../results/schema.ts';
import { blockBootstrapLogMean, MIN_WINDOWS, type WithinRunSpread } from './block-bootstrap.ts';
import type { OperationMetric } from './samples.ts';

type SeriesPoint = OperationResult['series'][number];

/** Series fields per metric; p50/p95/p999 per second are read when a results file carries them. */
const FIELD: Record<OperationMetric, string> = {
  throughput: 'ops',
  p50: 'p50Us',
  p95: 'p95Us',
  p99: 'p99Us',
  p999: 'p999Us',
};

export type WithinRun = { spread: WithinRunSpread } | { missing: string };

export function withinRunSpread(
  repeat: { durationMs: number; count: number; series: readonly SeriesPoint[] },
  metric: OperationMetric,
  seed: number,
): WithinRun {
  const windows = fromWindows(repeat, metric, seed);
  if ('spread' in windows || metric !== 'throughput' || repeat.count < 1) return windows;
  return {
    spread: {
      variance: 1 / repeat.count,
      df: Number.POSITIVE_INFINITY,
      windows: 0,
      blockLength: 0,
      basis: 'count',
    },
  };
}

function fromWindows(
  repeat: { durationMs: number; series: readonly SeriesPoint[] },
  metric: OperationMetric,
  seed: number,
): WithinRun {
  const field = FIELD[metric];
  const whole = repeat.series.filter((p) => p.t + 1 <= repeat.durationMs / 1000 + 1e-9);
  const values: number[] = [];
  for (const point of whole) {
    const value = (point as Record<string, unknown>)[field];
    if (typeof value !== 'number') {
      return { missing: `no per-second ${metric === 'p999' ? 'p99.9' : metric} in the series` };
    }
    if (metric === 'throughput' || point.ops > 0) values.push(value);
  }
  if (values.length < MIN_WINDOWS)
    return {
      missing: `${values.length} whole one-second window(s) measured; a within-run interval needs ${MIN_WINDOWS}`,
    };
  const spread = blockBootstrapLogMean(values, { seed });
  return spread ? { spread } : { missing: 'no positive per-second values' };
}
