// Time-series metrics: TimescaleDB in the ADR, a partitioned PostgreSQL table as the alternative.

import { validateMetricPoints } from '../domain/metric-point.ts';

export interface MetricPoint {
  readonly timestamp: Date;
  readonly metricName: string;
  readonly value: number;
  readonly tags?: Readonly<Record<string, string>>;
}

export const AGGREGATIONS = ['avg', 'min', 'max', 'sum', 'count'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** The only bucket widths accepted; each maps to a fixed PostgreSQL interval literal and its length. */
export const INTERVALS = {
  '1s': { sql: '1 second', ms: 1_000 },
  '10s': { sql: '10 seconds', ms: 10_000 },
  '30s': { sql: '30 seconds', ms: 30_000 },
  '1m': { sql: '1 minute', ms: 60_000 },
  '5m': { sql: '5 minutes', ms: 300_000 },
  '15m': { sql: '15 minutes', ms: 900_000 },
  '30m': { sql: '30 minutes', ms: 1_800_000 },
  '1h': { sql: '1 hour', ms: 3_600_000 },
  '6h': { sql: '6 hours', ms: 21_600_000 },
  '12h': { sql: '12 hours', ms: 43_200_000 },
  '1d': { sql: '1 day', ms: 86_400_000 },
  '7d': { sql: '7 days', ms: 604_800_000 },
} as const;
export type Interval = keyof typeof INTERVALS;

/** Buckets are aligned to this origin by both backends (TimescaleDB's time_bucket default). */
export const BUCKET_ORIGIN = new Date('2000-01-03T00:00:00.000Z');

export interface MetricQuery {
  readonly metricName: string;
  /** Inclusive. */
  readonly start: Date;
  /** Exclusive. */
  readonly end: Date;
  readonly aggregation: Aggregation;
  readonly interval: Interval;
}

export interface MetricBucket {
  readonly bucket: Date;
  readonly value: number;
}

/** Most series a multi-series query may name (one array parameter; a dashboard, not a dump). */
export const MAX_QUERY_SERIES = 10_000;

/** Several series at once (TSBS's multi-host shapes). Results follow the order of `metricNames`. */
export interface SeriesSelection {
  /** Non-empty, at most MAX_QUERY_SERIES; a repeated name counts once. */
  readonly metricNames: readonly string[];
}

/** Bucketed aggregation of each named series over one range (TSBS double-groupby). */
export interface MultiMetricQuery extends SeriesSelection {
  /** Inclusive. */
  readonly start: Date;
  /** Exclusive. */
  readonly end: Date;
  readonly aggregation: Aggregation;
  readonly interval: Interval;
}

export interface SeriesBucket extends MetricBucket {
  readonly metricName: string;
}

/** The newest point of each named series before `before` (TSBS lastpoint). */
export interface LatestQuery extends SeriesSelection {
  /** Exclusive. */
  readonly before: Date;
}

/** The k series with the highest aggregate over [start, end) (top-k, TSBS groupby-orderby-limit). */
export interface TopSeriesQuery extends SeriesSelection {
  readonly start: Date;
  readonly end: Date;
  readonly aggregation: Aggregation;
  /** 1 … MAX_QUERY_SERIES. */
  readonly k: number;
}

export interface SeriesValue {
  readonly metricName: string;
  readonly value: number;
}

export interface TimeSeriesRepository {
  /**
   * Upsert on (timestamp, metricName), one round trip per batch, atomic: a batch with an invalid
   * point is rejected with a ValidationError naming the point's index and nothing is written.
   * Within one batch the last point for a key wins.
   */
  saveMetrics(points: readonly MetricPoint[]): Promise<{ written: number }>;
  /** Buckets in ascending order; empty buckets are absent. */
  queryMetrics(query: MetricQuery): Promise<MetricBucket[]>;
  /**
   * Buckets of every named series, grouped by series in the order of `metricNames`, buckets
   * ascending; series without points in the range are absent.
   */
  queryMetricsMany(query: MultiMetricQuery): Promise<SeriesBucket[]>;
  /** One point per named series that has any before `before`, in the order of `metricNames`. */
  latestPoints(query: LatestQuery): Promise<MetricPoint[]>;
  /**
   * At most k series, highest aggregate first; equal values keep the order of `metricNames`.
   * Series without points in the range are absent.
   */
  topSeries(query: TopSeriesQuery): Promise<SeriesValue[]>;
  /** Raw points of one metric in [start, end), ascending by time (tests and migration). */
  readPoints(metricName: string, start: Date, end: Date): Promise<MetricPoint[]>;
  /** Number of stored points, optionally of one metric. */
  countPoints(metricName?: string): Promise<number>;
  /**
   * Optional bulk path for loading a dataset (COPY on the SQL backends), streamed: appends, each
   * (metricName, timestamp) at most once and not stored yet — a duplicate fails with a StoreError
   * (no upsert). Validated as saveMetrics validates, the field naming the point's place in the
   * input. Not atomic: what was appended before a failure stays. Callers use loadMetricPoints.
   */
  loadMetrics?(points: Iterable<MetricPoint> | AsyncIterable<MetricPoint>): Promise<{ written: number }>;
}

/**
 * Load points into `repository` by its bulk path, or where it has none by saveMetrics in batches of
 * `batchSize` (then duplicates upsert instead of failing).
 */
export async function loadMetricPoints(
  repository: TimeSeriesRepository,
  points: Iterable<MetricPoint> | AsyncIterable<MetricPoint>,
  batchSize = 5_000,
): Promise<{ written: number }> {
  if (repository.loadMetrics) return repository.loadMetrics(points);
  let written = 0;
  let offset = 0;
  let batch: MetricPoint[] = [];
  const save = async () => {
    // Checked here too, so an error names the point's place in the whole input, not in its batch.
    validateMetricPoints(batch, 'points', offset);
    written += (await repository.saveMetrics(batch)).written;
    offset += batch.length;
    batch = [];
  };
  for await (const point of points) {
    batch.push(point);
    if (batch.length >= batchSize) await save();
  }
  if (batch.length > 0) await save();
  return { written };
}
