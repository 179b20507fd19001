// Time-series on TimescaleDB (namespace "timeseries-timescaledb"): a hypertable with weekly chunks.
import type { Migration } from '../../sql/migrate.ts';
import { saveFunctionSql, type MetricTableSpec } from '../../sql/metric-table.ts';

export const TIMESCALE_NAMESPACE = 'timeseries-timescaledb';

export const TIMESCALE_METRIC_TABLE = {
  table: 'dal_metrics_hyper',
  // The same insert-first save function as the PostgreSQL tables: ingestion appends, and a plain
  // INSERT into a chunk costs less than INSERT … ON CONFLICT.
  saveFunction: 'dal_metrics_hyper_save',
  // time_bucket's default origin for timestamptz is 2000-01-03 00:00 UTC = BUCKET_ORIGIN.
  bucketSql: 'time_bucket($2::interval, ts)',
} as const satisfies MetricTableSpec;

export const TIMESCALE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'timescaledb extension and metrics hypertable',
    async up(client) {
      await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
      await client.query(`CREATE TABLE IF NOT EXISTS ${TIMESCALE_METRIC_TABLE.table} (
        ts timestamptz NOT NULL,
        metric_name text NOT NULL,
        value double precision NOT NULL,
        tags jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (metric_name, ts))`);
      await client.query(
        `SELECT create_hypertable($1::regclass, 'ts', chunk_time_interval => INTERVAL '7 days', if_not_exists => TRUE)`,
        [TIMESCALE_METRIC_TABLE.table],
      );
    },
  },
  {
    version: 2,
    description: 'save function: plain INSERT of a batch, the upsert only when a key exists',
    async up(client) {
      await client.query(saveFunctionSql(TIMESCALE_METRIC_TABLE));
    },
  },
];
