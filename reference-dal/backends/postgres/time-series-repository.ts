// TimeSeriesRepository on plain PostgreSQL: a range-partitioned table, weekly partitions made on
// demand, date_bin buckets. One upsert statement per batch; validation happens before any SQL.
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
import { countRows, prepareBatch, queryBuckets, readRows, upsertMetrics } from '../../sql/metric-table.ts';
import { latestRows, queryManyBuckets, topSeriesRows } from '../../sql/metric-shapes.ts';
import { sqlState, type Queryable } from '../../sql/queryable.ts';
import type pg from 'pg';
import {
  POSTGRES_METRIC_TABLE,
  TIME_SERIES_MIGRATIONS,
  TIME_SERIES_NAMESPACE,
} from './time-series-migrations.ts';
import { PartitionManager } from './time-series-partitions.ts';
import { copyLoader, type CopyPath } from '../../sql/metric-copy.ts';
import { POSTGRES_METRICS_TARGET } from './time-series-copy.ts';

const NO_PARTITION = '23514'; // check_violation: "no partition of relation … found for row"

export class PostgresTimeSeriesRepository implements TimeSeriesRepository {
  readonly #db: Queryable;
  readonly #partitions: PartitionManager;
  /** COPY, streamed; a point in a week without a partition ends one COPY, makes it, starts the next. Present when given a CopyPath. */
  readonly loadMetrics?: TimeSeriesRepository['loadMetrics'];

  constructor(db: Queryable, copy?: CopyPath) {
    this.#db = db;
    this.#partitions = new PartitionManager(db, POSTGRES_METRIC_TABLE.table);
    if (copy) {
      this.loadMetrics = copyLoader(copy, POSTGRES_METRICS_TARGET, 'postgres', {
        ready: (point) => this.#partitions.covers(point.timestamp.getTime()),
        prepare: (point) => this.#partitions.ensure([point.timestamp.getTime()]),
      });
    }
  }

  /** Apply this backend's migrations (idempotent). */
  static async migrate(pool: pg.Pool): Promise<void> {
    await applyMigrations(pool, TIME_SERIES_NAMESPACE, TIME_SERIES_MIGRATIONS);
  }

  async saveMetrics(points: readonly MetricPoint[]): Promise<{ written: number }> {
    const batch = prepareBatch(points);
    if (batch.length === 0) return { written: 0 };
    await this.#partitions.ensure(batch.map((p) => p.timestamp.getTime()));
    try {
      return { written: await upsertMetrics(this.#db, POSTGRES_METRIC_TABLE, batch) };
    } catch (error) {
      // A partition we remembered was dropped (retention): re-create and try the batch once more.
      if (sqlState(error) !== NO_PARTITION) throw error;
      this.#partitions.reset();
      await this.#partitions.ensure(batch.map((p) => p.timestamp.getTime()));
      return { written: await upsertMetrics(this.#db, POSTGRES_METRIC_TABLE, batch) };
    }
  }

  queryMetrics(query: MetricQuery): Promise<MetricBucket[]> {
    return queryBuckets(this.#db, POSTGRES_METRIC_TABLE, query);
  }

  queryMetricsMany(query: MultiMetricQuery): Promise<SeriesBucket[]> {
    return queryManyBuckets(this.#db, POSTGRES_METRIC_TABLE, query);
  }

  latestPoints(query: LatestQuery): Promise<MetricPoint[]> {
    return latestRows(this.#db, POSTGRES_METRIC_TABLE, query);
  }

  topSeries(query: TopSeriesQuery): Promise<SeriesValue[]> {
    return topSeriesRows(this.#db, POSTGRES_METRIC_TABLE, query);
  }

  readPoints(metricName: string, start: Date, end: Date): Promise<MetricPoint[]> {
    return readRows(this.#db, POSTGRES_METRIC_TABLE, metricName, start, end);
  }

  countPoints(metricName?: string): Promise<number> {
    return countRows(this.#db, POSTGRES_METRIC_TABLE, metricName);
  }
}
