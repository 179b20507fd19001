// The multi-series query shapes every SQL time-series backend shares (TSBS's double-groupby,
// lastpoint and top-k): the series travel as one text[] parameter, unnested WITH ORDINALITY so that
// results follow the caller's order without depending on the database's collation. Each series is
// looked up by (metric_name, ts) — the primary key of every metric table — so a partitioned table,
// a hypertable and a plain table all answer from an index.
import { ValidationError } from '../errors.ts';
import { validateMetricName } from '../domain/metric-point.ts';
import {
  MAX_QUERY_SERIES,
  type LatestQuery,
  type MetricPoint,
  type MultiMetricQuery,
  type SeriesBucket,
  type SeriesSelection,
  type SeriesValue,
  type TopSeriesQuery,
} from '../ports/time-series.ts';
import {
  aggregateSqlFor,
  aggregateSqlOf,
  intervalSqlOf,
  toMetricPoint,
  validateRange,
  type MetricRow,
  type MetricTableSpec,
} from './metric-table.ts';
import { textArrayLiteral } from './pg-array.ts';
import type { Queryable } from './queryable.ts';

/** The selection's names, validated, first occurrence kept; throws naming the bad entry. */
export function selectedSeries(selection: SeriesSelection): string[] {
  const names: unknown = selection?.metricNames;
  if (!Array.isArray(names) || names.length === 0) {
    throw new ValidationError('metricNames', 'expected a non-empty array of metric names');
  }
  if (names.length > MAX_QUERY_SERIES) {
    throw new ValidationError('metricNames', `${names.length} names; at most ${MAX_QUERY_SERIES} per query`);
  }
  names.forEach((name: unknown, i) => validateMetricName(name, `metricNames[${i}]`));
  return [...new Set(names as string[])];
}

/** A top-k's k: an integer 1 … MAX_QUERY_SERIES. */
export function validateTopK(k: unknown): asserts k is number {
  if (!Number.isInteger(k) || (k as number) < 1 || (k as number) > MAX_QUERY_SERIES) {
    throw new ValidationError('k', `expected an integer 1-${MAX_QUERY_SERIES}, got ${String(k)}`);
  }
}

/** A timestamp bound of a query: a valid Date. */
export function validateInstant(value: unknown, field: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(field, 'expected a valid Date');
  }
}

const seriesParameter = (selection: SeriesSelection) => textArrayLiteral(selectedSeries(selection));

const SERIES = 'unnest($1::text[]) WITH ORDINALITY AS s(name, position)';

export async function queryManyBuckets(
  db: Queryable,
  spec: MetricTableSpec,
  query: MultiMetricQuery,
): Promise<SeriesBucket[]> {
  const series = seriesParameter(query);
  const aggregateSql = aggregateSqlFor(spec, query.aggregation);
  const intervalSql = intervalSqlOf(query.interval);
  validateRange(query.start, query.end);
  const time = spec.timeColumn ?? 'ts';
  const result = await db.query<{ name: string; bucket: Date; value: number }>({
    name: `${spec.name ?? spec.table}_many_${query.aggregation}`,
    text: `SELECT s.name, b.bucket, b.value
             FROM ${SERIES}
             CROSS JOIN LATERAL (
               SELECT ${spec.bucketSql} AS bucket, ${aggregateSql} AS value
                 FROM ${spec.table}
                WHERE metric_name = s.name AND ${time} >= $3 AND ${time} < $4
                GROUP BY 1) AS b
            ORDER BY s.position, b.bucket`,
    values: [series, intervalSql, query.start.toISOString(), query.end.toISOString()],
  });
  return result.rows.map((row) => ({ metricName: row.name, bucket: row.bucket, value: row.value }));
}

export async function latestRows(
  db: Queryable,
  spec: MetricTableSpec,
  query: LatestQuery,
): Promise<MetricPoint[]> {
  const series = seriesParameter(query);
  validateInstant(query.before, 'before');
  const result = await db.query<MetricRow>({
    name: `${spec.table}_latest`,
    text: `SELECT p.ts, s.name AS metric_name, p.value, p.tags
             FROM ${SERIES}
             CROSS JOIN LATERAL (
               SELECT ts, value, tags FROM ${spec.table}
                WHERE metric_name = s.name AND ts < $2
                ORDER BY ts DESC LIMIT 1) AS p
            ORDER BY s.position`,
    values: [series, query.before.toISOString()],
  });
  return result.rows.map(toMetricPoint);
}

export async function topSeriesRows(
  db: Queryable,
  spec: MetricTableSpec,
  query: TopSeriesQuery,
): Promise<SeriesValue[]> {
  const series = seriesParameter(query);
  validateTopK(query.k);
  const aggregateSql = aggregateSqlOf(query.aggregation);
  validateRange(query.start, query.end);
  const result = await db.query<{ name: string; value: number }>({
    name: `${spec.table}_top_${query.aggregation}`,
    text: `SELECT s.name, a.value
             FROM ${SERIES}
             CROSS JOIN LATERAL (
               SELECT ${aggregateSql} AS value, count(*) AS n FROM ${spec.table}
                WHERE metric_name = s.name AND ts >= $2 AND ts < $3) AS a
            WHERE a.n > 0
            ORDER BY a.value DESC, s.position
            LIMIT $4`,
    values: [series, query.start.toISOString(), query.end.toISOString(), query.k],
  });
  return result.rows.map((row) => ({ metricName: row.name, value: row.value }));
}
