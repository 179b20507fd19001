// The timescaledb backend's `rollup: "hourly"` option (profile polyglot-caggs): a continuous
// aggregate of each series per hour (sum, count, min, max), kept real-time (rows newer than its
// last refresh are aggregated from the hypertable on the fly), and read instead of the raw points by
// every bucketed query whose buckets and range are whole hours. Those answers equal the raw ones: an
// hour lies wholly inside one bucket of any width that is a multiple of an hour (buckets share
// BUCKET_ORIGIN, itself on an hour), and avg is sum ÷ count of the hours, not an average of averages.
import type pg from 'pg';
import { INTERVALS, type MetricQuery } from '../../ports/time-series.ts';
import type { Migration } from '../../sql/migrate.ts';
import type { MetricTableSpec } from '../../sql/metric-table.ts';
import { TIMESCALE_METRIC_TABLE } from './time-series-migrations.ts';

export const HOURLY_ROLLUP_NAMESPACE = 'timeseries-timescaledb-hourly';
export const HOURLY_VIEW = 'dal_metrics_hourly';
const HOUR_MS = 3_600_000;

export const HOURLY_ROLLUP_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'hourly continuous aggregate (sum, count, min, max per series), real-time',
    async up(client) {
      await client.query(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${HOURLY_VIEW}
        WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket(INTERVAL '1 hour', ts) AS bucket, metric_name,
               sum(value) AS total, count(*) AS n, min(value) AS low, max(value) AS high
          FROM ${TIMESCALE_METRIC_TABLE.table}
         GROUP BY 1, 2
        WITH NO DATA`);
    },
  },
];

/**
 * Materialise every hour up to the end of the newest point's hour (a refresh policy's job; run after
 * a load). Not to "no end": the rollup's watermark would then lie past any time, and points written
 * later would be read from the raw rows only after the next refresh instead of in real time.
 */
export async function refreshHourlyRollup(client: pg.ClientBase): Promise<void> {
  const newest = await client.query<{ end: Date | null }>(
    `SELECT time_bucket(INTERVAL '1 hour', max(ts)) + INTERVAL '1 hour' AS end FROM ${TIMESCALE_METRIC_TABLE.table}`,
  );
  const end = newest.rows[0]?.end;
  if (!end) return;
  await client.query(`CALL refresh_continuous_aggregate('${HOURLY_VIEW}', NULL, $1::timestamptz)`, [end]);
}

/** Whether the rollup answers this query exactly: buckets of whole hours over a range of whole hours. */
export function servedByHourlyRollup(query: Pick<MetricQuery, 'interval' | 'start' | 'end'>): boolean {
  if (!(query.start instanceof Date && query.end instanceof Date)) return false;
  if (!Object.hasOwn(INTERVALS, query.interval)) return false;
  const width = INTERVALS[query.interval].ms;
  return (
    width % HOUR_MS === 0 && query.start.getTime() % HOUR_MS === 0 && query.end.getTime() % HOUR_MS === 0
  );
}

/** The rollup as a metric table the shared bucket queries read: each aggregation recombined from the hours. */
export const HOURLY_ROLLUP_TABLE = {
  table: HOURLY_VIEW,
  bucketSql: 'time_bucket($2::interval, bucket)',
  timeColumn: 'bucket',
  aggregates: {
    avg: 'sum(total) / sum(n)',
    min: 'min(low)',
    max: 'max(high)',
    sum: 'sum(total)',
    count: 'sum(n)::float8',
  },
} as const satisfies MetricTableSpec;
