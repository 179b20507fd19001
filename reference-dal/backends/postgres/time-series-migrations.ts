// Time-series on plain PostgreSQL (namespace "timeseries-postgres"): a table range-partitioned on
// time; weekly partitions are created on demand by time-series-partitions.ts.
import type { Migration } from '../../sql/migrate.ts';
import { saveFunctionSql, type MetricTableSpec } from '../../sql/metric-table.ts';

export const TIME_SERIES_NAMESPACE = 'timeseries-postgres';

export const POSTGRES_METRIC_TABLE = {
  table: 'dal_metrics',
  saveFunction: 'dal_metrics_save',
  // Same origin as TimescaleDB's time_bucket default (BUCKET_ORIGIN), so both backends agree.
  bucketSql: `date_bin($2::interval, ts, TIMESTAMPTZ '2000-01-03 00:00:00+00')`,
} as const satisfies MetricTableSpec;

export const TIME_SERIES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'metrics table partitioned by range on ts',
    async up(client) {
      await client.query(`CREATE TABLE IF NOT EXISTS ${POSTGRES_METRIC_TABLE.table} (
        ts timestamptz NOT NULL,
        metric_name text NOT NULL,
        value double precision NOT NULL,
        tags jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (metric_name, ts)
      ) PARTITION BY RANGE (ts)`);
    },
  },
  {
    version: 2,
    description: 'save function: plain INSERT of a batch, the upsert only when a key exists',
    async up(client) {
      await client.query(saveFunctionSql(POSTGRES_METRIC_TABLE));
    },
  },
];
