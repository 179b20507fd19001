// The SQL both time-series backends share (postgres partitioned table, TimescaleDB hypertable):
// one-statement unnest upsert, allow-listed aggregations and intervals bound as parameters.
// Each backend supplies its table name (a constant) and its bucket expression.
import { ValidationError } from '../errors.ts';
import { dedupeLastWins, validateMetricPoints } from '../domain/metric-point.ts';
import {
  AGGREGATIONS,
  INTERVALS,
  type Aggregation,
  type MetricBucket,
  type MetricPoint,
  type MetricQuery,
} from '../ports/time-series.ts';
import { numberArrayLiteral, textArrayLiteral } from './pg-array.ts';
import type { Queryable } from './queryable.ts';

/** Constant SQL per aggregation; input only selects a key, it is never spliced. */
const AGGREGATE_SQL: Readonly<Record<Aggregation, string>> = {
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  sum: 'sum(value)',
  count: 'count(*)::float8',
};

export interface MetricTableSpec {
  /** Trusted constant table name. */
  readonly table: string;
  /** SQL computing the bucket of column `ts` from interval parameter `$2::interval`. */
  readonly bucketSql: string;
}

export interface MetricRow {
  ts: Date;
  metric_name: string;
  value: number;
  tags: Record<string, string>;
}

/**
 * Columns as array literals for `unnest` (see pg-array.ts). Timestamps travel as epoch
 * milliseconds (cheaper to format and parse than ISO text; exact to the millisecond through
 * to_timestamp's microsecond rounding), and tag objects once per distinct value plus an index per
 * point, since a batch usually repeats a handful of tag sets thousands of times.
 */
export function toColumns(points: readonly MetricPoint[]): [string, string, string, string, string] {
  const epochMs: number[] = [];
  const names: string[] = [];
  const values: number[] = [];
  const tagIndex: number[] = [];
  const distinctTags = new Map<string, number>();
  for (const point of points) {
    epochMs.push(point.timestamp.getTime());
    names.push(point.metricName);
    values.push(point.value);
    const tags = point.tags === undefined ? '{}' : JSON.stringify(point.tags);
    let index = distinctTags.get(tags);
    if (index === undefined) {
      index = distinctTags.size + 1; // PostgreSQL arrays are 1-based
      distinctTags.set(tags, index);
    }
    tagIndex.push(index);
  }
  return [
    numberArrayLiteral(epochMs),
    textArrayLiteral(names),
    numberArrayLiteral(values),
    textArrayLiteral([...distinctTags.keys()]),
    numberArrayLiteral(tagIndex),
  ];
}

export function validateQuery(query: MetricQuery): { aggregateSql: string; intervalSql: string } {
  if (!(AGGREGATIONS as readonly string[]).includes(query.aggregation)) {
    throw new ValidationError('aggregation', `expected one of ${AGGREGATIONS.join(', ')}`);
  }
  if (!Object.hasOwn(INTERVALS, query.interval)) {
    throw new ValidationError('interval', `expected one of ${Object.keys(INTERVALS).join(', ')}`);
  }
  if (typeof query.metricName !== 'string' || query.metricName.length === 0) {
    throw new ValidationError('metricName', 'expected a non-empty string');
  }
  validateRange(query.start, query.end);
  return { aggregateSql: AGGREGATE_SQL[query.aggregation], intervalSql: INTERVALS[query.interval].sql };
}

export function validateRange(start: Date, end: Date): void {
  if (!(start instanceof Date) || Number.isNaN(start.getTime())) {
    throw new ValidationError('start', 'expected a valid Date');
  }
  if (!(end instanceof Date) || Number.isNaN(end.getTime())) {
    throw new ValidationError('end', 'expected a valid Date');
  }
}

/** Validated, deduplicated batch (last write per key wins). */
export function prepareBatch(points: readonly MetricPoint[]): MetricPoint[] {
  return dedupeLastWins(validateMetricPoints(points));
}

export async function upsertMetrics(
  db: Queryable,
  spec: MetricTableSpec,
  batch: readonly MetricPoint[],
): Promise<number> {
  if (batch.length === 0) return 0;
  const result = await db.query({
    name: `${spec.table}_upsert`,
    text: `INSERT INTO ${spec.table} (ts, metric_name, value, tags)
           SELECT to_timestamp(p.epoch_ms / 1000.0), p.name, p.value, t.tags[p.tag_index]
             FROM unnest($1::float8[], $2::text[], $3::float8[], $5::int[]) AS p(epoch_ms, name, value, tag_index),
                  (SELECT $4::jsonb[] AS tags) AS t
           ON CONFLICT (metric_name, ts) DO UPDATE SET value = EXCLUDED.value, tags = EXCLUDED.tags`,
    values: toColumns(batch),
  });
  return result.rowCount ?? batch.length;
}

export async function queryBuckets(
  db: Queryable,
  spec: MetricTableSpec,
  query: MetricQuery,
): Promise<MetricBucket[]> {
  const { aggregateSql, intervalSql } = validateQuery(query);
  const result = await db.query<{ bucket: Date; value: number }>({
    text: `SELECT ${spec.bucketSql} AS bucket, ${aggregateSql} AS value
           FROM ${spec.table}
           WHERE metric_name = $1 AND ts >= $3 AND ts < $4
           GROUP BY 1 ORDER BY 1`,
    values: [query.metricName, intervalSql, query.start.toISOString(), query.end.toISOString()],
  });
  return result.rows.map((row) => ({ bucket: row.bucket, value: row.value }));
}

export async function readRows(
  db: Queryable,
  spec: MetricTableSpec,
  metricName: string,
  start: Date,
  end: Date,
): Promise<MetricPoint[]> {
  validateRange(start, end);
  const result = await db.query<MetricRow>({
    name: `${spec.table}_read`,
    text: `SELECT ts, metric_name, value, tags FROM ${spec.table}
           WHERE metric_name = $1 AND ts >= $2 AND ts < $3 ORDER BY ts`,
    values: [metricName, start.toISOString(), end.toISOString()],
  });
  return result.rows.map((row) => ({
    timestamp: row.ts,
    metricName: row.metric_name,
    value: row.value,
    tags: row.tags,
  }));
}

export async function countRows(db: Queryable, spec: MetricTableSpec, metricName?: string): Promise<number> {
  const result = await db.query<{ n: string }>({
    text: `SELECT count(*) AS n FROM ${spec.table} WHERE ($1::text IS NULL OR metric_name = $1)`,
    values: [metricName ?? null],
  });
  return Number(result.rows[0]?.n ?? 0);
}
