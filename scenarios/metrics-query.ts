// ADR-024 "50-80% faster time-series queries": the real-time dashboard query, one series' last 15
// minutes in 10 s buckets (op `query`, the one the ADR budget judges), and one whole series in hourly
// buckets (`range`); and TSBS's multi-series shapes, each its own operation with its own percentiles:
// every series' hourly average over the last 12 hours (`wide`, TSBS double-groupby), the newest
// point of every series (`last-point`, TSBS lastpoint), and the five series with the highest maximum
// over the last hour (`top-k`).
import { defineScenario, type OperationContext, type Scenario } from '../harness/workload/scenario.ts';
import { AGGREGATIONS, loadMetricPoints, type Interval } from '../reference-dal/ports/time-series.ts';
import type { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { SERIES_END_MS, seriesBatches } from './support/data.ts';
import { errorRate } from './support/derive.ts';
import { scaled, type ScenarioBuildOptions } from './support/sizes.ts';

const STEP_MS = 10_000;
const HOUR_MS = 3_600_000;

/** One series (the operation's key) over the last `windowMs` of the data, a random aggregation. */
function oneSeries(windowMs: number, interval: Interval) {
  return async ({ sut, key, rng }: OperationContext<SystemUnderTest>): Promise<void> => {
    await sut.dal.timeSeries.queryMetrics({
      metricName: `cpu-${key}`,
      start: new Date(SERIES_END_MS - windowMs),
      end: new Date(SERIES_END_MS),
      aggregation: AGGREGATIONS[rng.int(4)]!,
      interval,
    });
  };
}

export function metricsQuery(options: ScenarioBuildOptions = {}): Scenario<SystemUnderTest> {
  const { metrics, points } = scaled(
    options,
    { quick: { metrics: 4, points: 4_000 }, full: { metrics: 20, points: 30_000 } },
    (scale) => ({ metrics: scale.metrics.series, points: scale.metrics.pointsPerSeries }),
  );
  const allSeries = Array.from({ length: metrics }, (_, m) => `cpu-${m}`);
  return defineScenario<SystemUnderTest>({
    name: 'metrics-query',
    description: `bucketed aggregations over a recent window and a whole series, and multi-series shapes (wide, last point, top-k) (${metrics} series × ${points} points, 10 s apart)`,
    stores: ['postgres'],
    data: { records: metrics, readOnly: true },
    operations: [
      {
        // The real-time dashboard query: one series' last 15 minutes in 10 s buckets.
        name: 'query',
        weight: 2,
        keys: { type: 'zipfian' },
        run: oneSeries(15 * 60_000, '10s'),
      },
      {
        // One whole series in hourly buckets: every point loaded is read, so the data's size shows.
        // Its own operation, not a share of `query`: a mix of two latency modes has no stable p50.
        // The window starts on the hour before the first point, as a dashboard aligns hourly buckets.
        name: 'range',
        weight: 1,
        keys: { type: 'zipfian' },
        run: oneSeries(Math.ceil((points * STEP_MS) / HOUR_MS) * HOUR_MS, '1h'),
      },
      {
        name: 'wide',
        weight: 1,
        async run({ sut }) {
          await sut.dal.timeSeries.queryMetricsMany({
            metricNames: allSeries,
            start: new Date(SERIES_END_MS - 12 * HOUR_MS),
            end: new Date(SERIES_END_MS),
            aggregation: 'avg',
            interval: '1h',
          });
        },
      },
      {
        name: 'last-point',
        weight: 1,
        async run({ sut }) {
          await sut.dal.timeSeries.latestPoints({ metricNames: allSeries, before: new Date(SERIES_END_MS) });
        },
      },
      {
        name: 'top-k',
        weight: 1,
        async run({ sut }) {
          await sut.dal.timeSeries.topSeries({
            metricNames: allSeries,
            start: new Date(SERIES_END_MS - HOUR_MS),
            end: new Date(SERIES_END_MS),
            aggregation: 'max',
            k: 5,
          });
        },
      },
    ],
    async load({ sut, rng, records }) {
      // Streamed into the backend's bulk path (COPY on the SQL backends): 15 M points at m.
      function* all() {
        for (let m = 0; m < records; m++)
          for (const batch of seriesBatches(rng, `cpu-${m}`, points, STEP_MS, 5_000)) yield* batch;
      }
      await loadMetricPoints(sut.dal.timeSeries, all());
    },
    derive: errorRate,
  });
}

export default metricsQuery();
