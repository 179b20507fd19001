// The SQL both time-series backends share (postgres partitioned table, TimescaleDB hypertable):
// one-statement unnest upsert, allow-listed aggregations and intervals bound as parameters.
// Each backend supplies its table name (a constant) and its bucket expression.
import { ValidationError } from '../errors.ts';
import { dedupeLastWins, validateMetricPoints } from '../domain/metric-point.ts';
import {
  AGGREGATIONS,
  INTERVALS,
  type Aggregation,
  type Interval,
  type MetricBucket,
  type MetricPoint,
  type MetricQuery,
} from '../ports/time-series.ts';
import { textArrayLiteral } from './pg-array.ts';
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
  /** Trusted constant table name (or a parenthesised, aliased subquery over $3/$4, the range). */
  readonly table: string;
  /** Names its prepared statements (default `table`): for a subquery `table`. */
  readonly name?: string;
  /** SQL computing the bucket of column `ts` from interval parameter `$2::interval`. */
  readonly bucketSql: string;
  /**
   * Trusted constant name of the table's save function (saveFunctionSql, created by the backend's
   * migrations). Without one, batches are sent as the INSERT … ON CONFLICT statement itself.
   */
  readonly saveFunction?: string;
  /** Trusted constant name of the time column the range filters (default `ts`). */
  readonly timeColumn?: string;
  /**
   * Trusted constant SQL per aggregation (default: over column `value`); a rollup of partial
   * aggregates recombines them here.
   */
  readonly aggregates?: Readonly<Record<Aggregation, string>>;
}

/** The aggregation's SQL over `spec`'s rows; the aggregation is validated (allow-listed) first. */
export function aggregateSqlFor(spec: MetricTableSpec, aggregation: Aggregation): string {
  const plain = aggregateSqlOf(aggregation);
  return spec.aggregates ? spec.aggregates[aggregation] : plain;
}

export interface MetricRow {
  ts: Date;
  metric_name: string;
  value: number;
  tags: Record<string, string>;
}

/**
 * Columns as array literals for `unnest` (see pg-array.ts), built in one pass. Timestamps travel as
 * a base epoch in milliseconds (its own parameter) plus one offset per point: offsets within a
 * batch are small integers, which format about ten times faster than 13-digit epochs, and
 * base + offset is the same exact integer in float8, so to_timestamp gets the same value as before
 * (exact to the millisecond through its microsecond rounding). Tag objects travel once per
 * distinct value plus an index per point, since a batch usually repeats a handful of tag sets
 * thousands of times; a run of points of one metric quotes its name once.
 */
export function toColumns(points: readonly MetricPoint[]): [string, string, string, string, string, number] {
  const baseMs = points.length === 0 ? 0 : (points[0] as MetricPoint).timestamp.getTime();
  let offsets = '{';
  let names = '{';
  let values = '{';
  let tagIndexes = '{';
  let lastName: string | undefined;
  let lastQuoted = '';
  const distinctTags = new Map<string, number>();
  for (let i = 0; i < points.length; i++) {
    const point = points[i] as MetricPoint;
    const separator = i === 0 ? '' : ',';
    offsets += separator + (point.timestamp.getTime() - baseMs);
    if (point.metricName !== lastName) {
      lastName = point.metricName;
      lastQuoted = quoteArrayElement(lastName);
    }
    names += separator + lastQuoted;
    values += separator + (Object.is(point.value, -0) ? '-0' : String(point.value));
    const tags = point.tags === undefined ? '{}' : JSON.stringify(point.tags);
    let index = distinctTags.get(tags);
    if (index === undefined) {
      index = distinctTags.size + 1; // PostgreSQL arrays are 1-based
      distinctTags.set(tags, index);
    }
    tagIndexes += separator + index;
  }
  return [
    `${offsets}}`,
    `${names}}`,
    `${values}}`,
    textArrayLiteral([...distinctTags.keys()]),
    `${tagIndexes}}`,
    baseMs,
  ];
}

/** One element of a text array literal: double-quoted, `"` and `\` escaped (as textArrayLiteral). */
function quoteArrayElement(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

export function validateQuery(query: MetricQuery): { aggregateSql: string; intervalSql: string } {
  const aggregateSql = aggregateSqlOf(query.aggregation);
  const intervalSql = intervalSqlOf(query.interval);
  if (typeof query.metricName !== 'string' || query.metricName.length === 0) {
    throw new ValidationError('metricName', 'expected a non-empty string');
  }
  validateRange(query.start, query.end);
  return { aggregateSql, intervalSql };
}

/** The constant SQL of an allow-listed aggregation; anything else is a ValidationError. */
export function aggregateSqlOf(aggregation: Aggregation): string {
  if (!(AGGREGATIONS as readonly string[]).includes(aggregation)) {
    throw new ValidationError('aggregation', `expected one of ${AGGREGATIONS.join(', ')}`);
  }
  return AGGREGATE_SQL[aggregation];
}

/** The interval literal of an allow-listed bucket width; anything else is a ValidationError. */
export function intervalSqlOf(interval: Interval): string {
  if (!Object.hasOwn(INTERVALS, interval)) {
    throw new ValidationError('interval', `expected one of ${Object.keys(INTERVALS).join(', ')}`);
  }
  return INTERVALS[interval].sql;
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

/** `INSERT … SELECT unnest(…)` of toColumns' arrays, given how the six arrays are referred to. */
function insertSql(spec: MetricTableSpec, args: readonly string[], onConflict: string): string {
  const [offsets, names, values, tagSets, tagIndexes, baseMs] = args;
  return `INSERT INTO ${spec.table} (ts, metric_name, value, tags)
          SELECT to_timestamp((${baseMs} + p.offset_ms) / 1000.0), p.name, p.value, (${tagSets})[p.tag_index]
            FROM unnest(${offsets}, ${names}, ${values}, ${tagIndexes}) AS p(offset_ms, name, value, tag_index)
          ${onConflict}`;
}

const ON_CONFLICT =
  'ON CONFLICT (metric_name, ts) DO UPDATE SET value = EXCLUDED.value, tags = EXCLUDED.tags';
const PARAMETERS = ['$1::float8[]', '$2::text[]', '$3::float8[]', '$4::jsonb[]', '$5::int[]', '$6::float8'];

/**
 * The save function of a metric table: upserts one batch (toColumns' arrays), last write wins,
 * atomically, in the one statement that calls it. Most batches are new points (ingestion appends),
 * and a plain INSERT of them costs the server about a third less than INSERT … ON CONFLICT (no
 * speculative insertion per row), so the plain INSERT runs first; only when it meets an existing
 * key does the exception block undo it (a subtransaction: nothing of it remains) and run the
 * upsert. The result is the upsert's either way, still one round trip per batch.
 */
export function saveFunctionSql(spec: MetricTableSpec & { readonly saveFunction: string }): string {
  const args = ['p_offsets', 'p_names', 'p_values', 'p_tag_sets', 'p_tag_indexes', 'p_base_ms'];
  return `CREATE OR REPLACE FUNCTION ${spec.saveFunction}(
      p_offsets float8[], p_names text[], p_values float8[], p_tag_sets jsonb[], p_tag_indexes int[],
      p_base_ms float8)
    RETURNS bigint LANGUAGE plpgsql AS $save$
    DECLARE
      written bigint;
    BEGIN
      BEGIN
        ${insertSql(spec, args, '')};
        GET DIAGNOSTICS written = ROW_COUNT;
      EXCEPTION WHEN unique_violation THEN
        ${insertSql(spec, args, ON_CONFLICT)};
        GET DIAGNOSTICS written = ROW_COUNT;
      END;
      RETURN written;
    END
    $save$`;
}

/** Upsert a validated, deduplicated batch in one statement (one round trip), last write wins. */
export async function upsertMetrics(
  db: Queryable,
  spec: MetricTableSpec,
  batch: readonly MetricPoint[],
): Promise<number> {
  if (batch.length === 0) return 0;
  const values = toColumns(batch);
  if (spec.saveFunction === undefined) {
    const result = await db.query({
      name: `${spec.table}_upsert`,
      text: insertSql(spec, PARAMETERS, ON_CONFLICT),
      values,
    });
    return result.rowCount ?? batch.length;
  }
  const result = await db.query<{ written: string }>({
    name: `${spec.saveFunction}_call`,
    text: `SELECT ${spec.saveFunction}(${PARAMETERS.join(', ')}) AS written`,
    values,
  });
  return Number(result.rows[0]?.written ?? batch.length);
}

export async function queryBuckets(
  db: Queryable,
  spec: MetricTableSpec,
  query: MetricQuery,
): Promise<MetricBucket[]> {
  const { intervalSql } = validateQuery(query);
  const time = spec.timeColumn ?? 'ts';
  const result = await db.query<{ bucket: Date; value: number }>({
    // One prepared statement per table and aggregation (the only parts spliced into the text).
    name: `${spec.name ?? spec.table}_buckets_${query.aggregation}`,
    text: `SELECT ${spec.bucketSql} AS bucket, ${aggregateSqlFor(spec, query.aggregation)} AS value
           FROM ${spec.table}
           WHERE metric_name = $1 AND ${time} >= $3 AND ${time} < $4
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
  return result.rows.map(toMetricPoint);
}

/** A metric table's row as the port's point. */
export function toMetricPoint(row: MetricRow): MetricPoint {
  return { timestamp: row.ts, metricName: row.metric_name, value: row.value, tags: row.tags };
}

export async function countRows(db: Queryable, spec: MetricTableSpec, metricName?: string): Promise<number> {
  const result = await db.query<{ n: string }>({
    text: `SELECT count(*) AS n FROM ${spec.table} WHERE ($1::text IS NULL OR metric_name = $1)`,
    values: [metricName ?? null],
  });
  return Number(result.rows[0]?.n ?? 0);
}
