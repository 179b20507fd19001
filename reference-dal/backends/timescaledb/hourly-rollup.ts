// The timescaledb backend's `rollup: "hourly"` option (profile polyglot-caggs): a continuous
// aggregate of each series per hour (sum, count, min, max), kept real-time (rows newer than its
// last refresh are aggregated from the hypertable on the fly), and read instead of the raw points by
// every bucketed query whose buckets are whole hours, for the whole hours of its range (the parts of
// an hour at either end come from the raw points). Those answers equal the raw ones: an
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

/**
 * How the rollup answers this query: 'hours' when buckets and range are whole hours; 'edges' when
 * the buckets are whole hours and the range holds at least one whole hour (the rollup for those, the
 * raw points for the parts of an hour at either end); 'raw' otherwise.
 */
export function hourlyRollupRoute(
  query: Pick<MetricQuery, 'interval' | 'start' | 'end'>,
): 'hours' | 'edges' | 'raw' {
  if (!(query.start instanceof Date && query.end instanceof Date)) return 'raw';
  if (!Object.hasOwn(INTERVALS, query.interval)) return 'raw';
  if (INTERVALS[query.interval].ms % HOUR_MS !== 0) return 'raw';
  const start = query.start.getTime();
  const end = query.end.getTime();
  if (start % HOUR_MS === 0 && end % HOUR_MS === 0) return 'hours';
  const firstWholeHour = Math.ceil(start / HOUR_MS) * HOUR_MS;
  return firstWholeHour + HOUR_MS <= end ? 'edges' : 'raw';
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

// The first whole hour at or after the range's start ($3), and the start of the hour its end ($4) falls in.
const MIDDLE_START = `(time_bucket(INTERVAL '1 hour', $3::timestamptz - INTERVAL '1 microsecond') + INTERVAL '1 hour')`;
const MIDDLE_END = `time_bucket(INTERVAL '1 hour', $4::timestamptz)`;

/**
 * The rollup's whole hours inside the range, and the raw points of the parts of an hour at its ends,
 * as one set of partial aggregates (a raw point is an "hour" of one point). The shared bucket queries
 * filter `t` to [$3, $4) and recombine as HOURLY_ROLLUP_TABLE does. Every hour of the middle lies in
 * one bucket (whole-hour widths from a common origin), so its partial aggregates combine exactly.
 */
export const HOURLY_ROLLUP_WITH_EDGES_TABLE = {
  ...HOURLY_ROLLUP_TABLE,
  name: `${HOURLY_VIEW}_edges`,
  table: `(SELECT bucket AS t, metric_name, total, n, low, high FROM ${HOURLY_VIEW}
            WHERE bucket >= ${MIDDLE_START} AND bucket < ${MIDDLE_END}
           UNION ALL
           SELECT ts, metric_name, value, 1, value, value FROM ${TIMESCALE_METRIC_TABLE.table}
            WHERE (ts >= $3 AND ts < ${MIDDLE_START}) OR (ts >= ${MIDDLE_END} AND ts < $4)) AS edged`,
  bucketSql: 'time_bucket($2::interval, t)',
  timeColumn: 't',
} as const satisfies MetricTableSpec;
