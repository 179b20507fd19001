// TimeSeriesRepository on TimescaleDB: a hypertable (chunks are TimescaleDB's business) and
// time_bucket buckets; the upsert and queries are the same allow-listed SQL as the postgres backend.
import type pg from 'pg';
import type {
  LatestQuery,
  MetricBucket,
  MetricPoint,
  MetricQuery,
  MultiMetricQuery,
  SeriesBucket,
  SeriesValue,
  TimeSeriesRepository,
  TopSeriesQuery,
} from '../../ports/time-series.ts';
import { applyMigrations } from '../../sql/migrate.ts';
import {
  countRows,
  prepareBatch,
  queryBuckets,
  readRows,
  upsertMetrics,
  type MetricTableSpec,
} from '../../sql/metric-table.ts';
import { latestRows, queryManyBuckets, topSeriesRows } from '../../sql/metric-shapes.ts';
import type { Queryable } from '../../sql/queryable.ts';
import { copyLoader, type CopyPath } from '../../sql/metric-copy.ts';
import { TIMESCALE_METRICS_TARGET } from './time-series-copy-target.ts';
import {
  HOURLY_ROLLUP_MIGRATIONS,
  HOURLY_ROLLUP_NAMESPACE,
  HOURLY_ROLLUP_TABLE,
  HOURLY_ROLLUP_WITH_EDGES_TABLE,
  hourlyRollupRoute,
} from './hourly-rollup.ts';
import type { RollupMode } from './options.ts';
import {
  TIMESCALE_METRIC_TABLE,
  TIMESCALE_MIGRATIONS,
  TIMESCALE_NAMESPACE,
} from './time-series-migrations.ts';

export interface TimescaleOptions {
  /** "hourly": bucketed queries of whole hours read the hourly continuous aggregate. */
  readonly rollup?: RollupMode;
}

export class TimescaleTimeSeriesRepository implements TimeSeriesRepository {
  readonly #db: Queryable;
  readonly #rollup: RollupMode;
  /** COPY into the hypertable, streamed; present when given a CopyPath. */
  readonly loadMetrics?: TimeSeriesRepository['loadMetrics'];

  constructor(db: Queryable, options: TimescaleOptions = {}, copy?: CopyPath) {
    this.#db = db;
    this.#rollup = options.rollup ?? 'none';
    // Chunks are TimescaleDB's business: COPY into the hypertable makes them as rows arrive.
    if (copy) this.loadMetrics = copyLoader(copy, TIMESCALE_METRICS_TARGET, 'timescaledb');
  }

  /** Apply this backend's migrations (idempotent); needs the timescaledb extension available. */
  static async migrate(pool: pg.Pool, options: TimescaleOptions = {}): Promise<void> {
    await applyMigrations(pool, TIMESCALE_NAMESPACE, TIMESCALE_MIGRATIONS);
    if (options.rollup === 'hourly')
      await applyMigrations(pool, HOURLY_ROLLUP_NAMESPACE, HOURLY_ROLLUP_MIGRATIONS);
  }

  /** The table a bucketed query over this range reads: the hourly rollup (with raw edges) where it answers exactly. */
  #bucketSource(query: Pick<MetricQuery, 'interval' | 'start' | 'end'>): MetricTableSpec {
    if (this.#rollup !== 'hourly') return TIMESCALE_METRIC_TABLE;
    const route = hourlyRollupRoute(query);
    if (route === 'hours') return HOURLY_ROLLUP_TABLE;
    return route === 'edges' ? HOURLY_ROLLUP_WITH_EDGES_TABLE : TIMESCALE_METRIC_TABLE;
  }

  async saveMetrics(points: readonly MetricPoint[]): Promise<{ written: number }> {
    const batch = prepareBatch(points);
    return { written: await upsertMetrics(this.#db, TIMESCALE_METRIC_TABLE, batch) };
  }

  queryMetrics(query: MetricQuery): Promise<MetricBucket[]> {
    return queryBuckets(this.#db, this.#bucketSource(query), query);
  }

  queryMetricsMany(query: MultiMetricQuery): Promise<SeriesBucket[]> {
    return queryManyBuckets(this.#db, this.#bucketSource(query), query);
  }

  latestPoints(query: LatestQuery): Promise<MetricPoint[]> {
    return latestRows(this.#db, TIMESCALE_METRIC_TABLE, query);
  }

  topSeries(query: TopSeriesQuery): Promise<SeriesValue[]> {
    return topSeriesRows(this.#db, TIMESCALE_METRIC_TABLE, query);
  }

  readPoints(metricName: string, start: Date, end: Date): Promise<MetricPoint[]> {
    return readRows(this.#db, TIMESCALE_METRIC_TABLE, metricName, start, end);
  }

  countPoints(metricName?: string): Promise<number> {
    return countRows(this.#db, TIMESCALE_METRIC_TABLE, metricName);
  }
}
