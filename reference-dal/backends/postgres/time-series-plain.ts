// The single-database alternative the ADR rejected: metrics in one plain indexed table (no
// partitioning, no time-series extension), same SQL as the partitioned backend otherwise.
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
import { applyMigrations, type Migration } from '../../sql/migrate.ts';
import {
  countRows,
  prepareBatch,
  queryBuckets,
  readRows,
  saveFunctionSql,
  upsertMetrics,
  type MetricTableSpec,
} from '../../sql/metric-table.ts';
import { latestRows, queryManyBuckets, topSeriesRows } from '../../sql/metric-shapes.ts';
import type { Queryable } from '../../sql/queryable.ts';
import { copyLoader, type CopyPath } from '../../sql/metric-copy.ts';
import type { MetricCopyTarget } from '../../sql/metric-copy-target.ts';

export const PLAIN_METRIC_TABLE = {
  table: 'dal_metrics_plain',
  saveFunction: 'dal_metrics_plain_save',
  bucketSql: `date_bin($2::interval, ts, TIMESTAMPTZ '2000-01-03 00:00:00+00')`,
} as const satisfies MetricTableSpec;

export const PLAIN_METRICS_TARGET: MetricCopyTarget = {
  table: PLAIN_METRIC_TABLE.table,
  partitioning: 'none',
  schemaVersion: 'timeseries-postgres-plain@1',
};

const PLAIN_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'plain metrics table with a (metric_name, ts) primary key',
    async up(client) {
      await client.query(`CREATE TABLE IF NOT EXISTS ${PLAIN_METRIC_TABLE.table} (
        ts timestamptz NOT NULL,
        metric_name text NOT NULL,
        value double precision NOT NULL,
        tags jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (metric_name, ts))`);
    },
  },
  {
    version: 2,
    description: 'save function: plain INSERT of a batch, the upsert only when a key exists',
    async up(client) {
      await client.query(saveFunctionSql(PLAIN_METRIC_TABLE));
    },
  },
];

export class PlainPostgresTimeSeriesRepository implements TimeSeriesRepository {
  readonly #db: Queryable;
  /** COPY, streamed; present when given a CopyPath. */
  readonly loadMetrics?: TimeSeriesRepository['loadMetrics'];

  constructor(db: Queryable, copy?: CopyPath) {
    this.#db = db;
    if (copy) this.loadMetrics = copyLoader(copy, PLAIN_METRICS_TARGET, 'postgres');
  }

  static async migrate(pool: pg.Pool): Promise<void> {
    await applyMigrations(pool, 'timeseries-postgres-plain', PLAIN_MIGRATIONS);
  }

  async saveMetrics(points: readonly MetricPoint[]): Promise<{ written: number }> {
    const batch = prepareBatch(points);
    if (batch.length === 0) return { written: 0 };
    return { written: await upsertMetrics(this.#db, PLAIN_METRIC_TABLE, batch) };
  }

  queryMetrics(query: MetricQuery): Promise<MetricBucket[]> {
    return queryBuckets(this.#db, PLAIN_METRIC_TABLE, query);
  }

  queryMetricsMany(query: MultiMetricQuery): Promise<SeriesBucket[]> {
    return queryManyBuckets(this.#db, PLAIN_METRIC_TABLE, query);
  }

  latestPoints(query: LatestQuery): Promise<MetricPoint[]> {
    return latestRows(this.#db, PLAIN_METRIC_TABLE, query);
  }

  topSeries(query: TopSeriesQuery): Promise<SeriesValue[]> {
    return topSeriesRows(this.#db, PLAIN_METRIC_TABLE, query);
  }

  readPoints(metricName: string, start: Date, end: Date): Promise<MetricPoint[]> {
    return readRows(this.#db, PLAIN_METRIC_TABLE, metricName, start, end);
  }

  countPoints(metricName?: string): Promise<number> {
    return countRows(this.#db, PLAIN_METRIC_TABLE, metricName);
  }
}
