// A TimeSeriesRepository on one plain PostgreSQL table with a BRIN index on `ts`: a few kilobytes of
// index where a B-tree would grow with every point, cheap appends, and range scans that skip the
// block ranges outside the window — good when points arrive roughly in time order, as metrics do.
// The trade-off this example lets dalbench measure: the table has no unique key, so "last write
// wins" is a delete of the replaced points plus an insert, and writers of one metric take turns.
import {
  AGGREGATIONS,
  BUCKET_ORIGIN,
  INTERVALS,
  pgConnection,
  selectedSeries,
  StoreError,
  validateInstant,
  validateTopK,
  ValidationError,
  type Aggregation,
  type BackendFactory,
  type LatestQuery,
  type MetricBucket,
  type MetricPoint,
  type MetricQuery,
  type MultiMetricQuery,
  type SeriesBucket,
  type SeriesValue,
  type TimeSeriesRepository,
  type TopSeriesQuery,
} from 'dalbench';
import pg from 'pg';

/** What the repository sends its statements through (a pg.Pool; a test may count the calls). */
export interface SqlClient {
  query<R extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
}

const TABLE = 'brin_metrics';

// pages_per_range 16 (default 128): one summary per 128 KB of table, so a short window reads little.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  ts timestamptz NOT NULL,
  metric_name text NOT NULL,
  value double precision NOT NULL,
  tags jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS ${TABLE}_ts_brin ON ${TABLE} USING brin (ts) WITH (pages_per_range = 16);
CREATE OR REPLACE FUNCTION ${TABLE}_save(p_ts timestamptz[], p_names text[], p_values float8[], p_tags jsonb[])
RETURNS bigint LANGUAGE plpgsql AS $save$
DECLARE
  lo timestamptz;
  hi timestamptz;
  written bigint;
BEGIN
  -- No unique key arbitrates concurrent writers of one metric: they take turns on an advisory lock
  -- per metric, taken in one order so two batches never wait for each other in a cycle.
  PERFORM pg_advisory_xact_lock(hashtext('${TABLE}'), h)
     FROM (SELECT DISTINCT hashtext(name) AS h FROM unnest(p_names) AS name ORDER BY 1) AS locks;
  SELECT min(t), max(t) INTO lo, hi FROM unnest(p_ts) AS t;
  -- Last write wins: drop the stored points this batch replaces (the range lets BRIN skip the rest).
  DELETE FROM ${TABLE} AS m
   USING unnest(p_ts, p_names) AS b(ts, name)
   WHERE m.ts BETWEEN lo AND hi AND m.ts = b.ts AND m.metric_name = b.name;
  INSERT INTO ${TABLE} (ts, metric_name, value, tags)
    SELECT * FROM unnest(p_ts, p_names, p_values, p_tags);
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN written;
END
$save$;
`;

/** Create the table, its BRIN index and the save function (idempotent; concurrent callers take turns). */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('${TABLE}_migrate'))`);
    await client.query(SCHEMA);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new StoreError('postgres', `could not create ${TABLE}`, { cause: error });
  } finally {
    client.release();
  }
}

/** Constant SQL per aggregation: the query only selects a key, it is never spliced. */
const AGGREGATE_SQL: Readonly<Record<Aggregation, string>> = {
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  sum: 'sum(value)',
  count: 'count(*)::float8',
};

export class BrinTimeSeriesRepository implements TimeSeriesRepository {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
    this.#db = db;
  }

  async saveMetrics(points: readonly MetricPoint[]): Promise<{ written: number }> {
    const batch = lastWins(validatePoints(points));
    if (batch.length === 0) return { written: 0 };
    const result = await this.#query<{ written: string }>({
      name: `${TABLE}_save`,
      text: `SELECT ${TABLE}_save($1::timestamptz[], $2::text[], $3::float8[], $4::jsonb[]) AS written`,
      values: [
        batch.map((p) => p.timestamp.toISOString()),
        batch.map((p) => p.metricName),
        // String(-0) is "0": keep the sign, as the port stores what it was given.
        batch.map((p) => (Object.is(p.value, -0) ? '-0' : String(p.value))),
        batch.map((p) => JSON.stringify(p.tags ?? {})),
      ],
    });
    return { written: Number(result.rows[0]?.written ?? 0) };
  }

  async queryMetrics(query: MetricQuery): Promise<MetricBucket[]> {
    validateAggregation(query.aggregation);
    if (!Object.hasOwn(INTERVALS, query.interval))
      throw new ValidationError('interval', `expected one of ${Object.keys(INTERVALS).join(', ')}`);
    if (typeof query.metricName !== 'string' || query.metricName.length === 0)
      throw new ValidationError('metricName', 'expected a non-empty string');
    validateRange(query.start, query.end);
    const result = await this.#query<{ bucket: Date; value: number }>({
      name: `${TABLE}_buckets_${query.aggregation}`,
      text: `SELECT date_bin($2::interval, ts, $5::timestamptz) AS bucket, ${AGGREGATE_SQL[query.aggregation]} AS value
               FROM ${TABLE}
              WHERE metric_name = $1 AND ts >= $3 AND ts < $4
              GROUP BY 1 ORDER BY 1`,
      values: [
        query.metricName,
        INTERVALS[query.interval].sql,
        query.start.toISOString(),
        query.end.toISOString(),
        BUCKET_ORIGIN.toISOString(),
      ],
    });
    return result.rows.map((row) => ({ bucket: row.bucket, value: row.value }));
  }

  // The multi-series shapes: one scan of the window for all series (BRIN skips the rest of the
  // table), results put in the caller's order with array_position.
  async queryMetricsMany(query: MultiMetricQuery): Promise<SeriesBucket[]> {
    const names = selectedSeries(query);
    validateAggregation(query.aggregation);
    if (!Object.hasOwn(INTERVALS, query.interval))
      throw new ValidationError('interval', `expected one of ${Object.keys(INTERVALS).join(', ')}`);
    validateRange(query.start, query.end);
    const result = await this.#query<{ metric_name: string; bucket: Date; value: number }>({
      name: `${TABLE}_many_${query.aggregation}`,
      text: `SELECT metric_name, date_bin($2::interval, ts, $5::timestamptz) AS bucket,
                    ${AGGREGATE_SQL[query.aggregation]} AS value
               FROM ${TABLE}
              WHERE metric_name = ANY($1::text[]) AND ts >= $3 AND ts < $4
              GROUP BY 1, 2 ORDER BY array_position($1::text[], metric_name), 2`,
      values: [
        names,
        INTERVALS[query.interval].sql,
        query.start.toISOString(),
        query.end.toISOString(),
        BUCKET_ORIGIN.toISOString(),
      ],
    });
    return result.rows.map((row) => ({ metricName: row.metric_name, bucket: row.bucket, value: row.value }));
  }

  async latestPoints(query: LatestQuery): Promise<MetricPoint[]> {
    const names = selectedSeries(query);
    validateInstant(query.before, 'before');
    const result = await this.#query<PointRow>({
      name: `${TABLE}_latest`,
      text: `SELECT * FROM (
               SELECT DISTINCT ON (metric_name) ts, metric_name, value, tags FROM ${TABLE}
                WHERE metric_name = ANY($1::text[]) AND ts < $2
                ORDER BY metric_name, ts DESC) AS latest
              ORDER BY array_position($1::text[], metric_name)`,
      values: [names, query.before.toISOString()],
    });
    return result.rows.map(toPoint);
  }

  async topSeries(query: TopSeriesQuery): Promise<SeriesValue[]> {
    const names = selectedSeries(query);
    validateTopK(query.k);
    validateAggregation(query.aggregation);
    validateRange(query.start, query.end);
    const result = await this.#query<{ metric_name: string; value: number }>({
      name: `${TABLE}_top_${query.aggregation}`,
      text: `SELECT metric_name, ${AGGREGATE_SQL[query.aggregation]} AS value FROM ${TABLE}
              WHERE metric_name = ANY($1::text[]) AND ts >= $2 AND ts < $3
              GROUP BY 1 ORDER BY 2 DESC, array_position($1::text[], metric_name) LIMIT $4`,
      values: [names, query.start.toISOString(), query.end.toISOString(), query.k],
    });
    return result.rows.map((row) => ({ metricName: row.metric_name, value: row.value }));
  }

  async readPoints(metricName: string, start: Date, end: Date): Promise<MetricPoint[]> {
    validateRange(start, end);
    const result = await this.#query<PointRow>({
      name: `${TABLE}_read`,
      text: `SELECT ts, metric_name, value, tags FROM ${TABLE}
              WHERE metric_name = $1 AND ts >= $2 AND ts < $3 ORDER BY ts`,
      values: [metricName, start.toISOString(), end.toISOString()],
    });
    return result.rows.map(toPoint);
  }

  async countPoints(metricName?: string): Promise<number> {
    const result = await this.#query<{ n: string }>({
      text: `SELECT count(*) AS n FROM ${TABLE} WHERE ($1::text IS NULL OR metric_name = $1)`,
      values: [metricName ?? null],
    });
    return Number(result.rows[0]?.n ?? 0);
  }

  /** Driver errors become dalbench's StoreError: the DAL's circuit breaker counts those as the store's. */
  async #query<R extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    try {
      return await this.#db.query<R>(config);
    } catch (error) {
      throw new StoreError('postgres', `${TABLE}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * The backend factory a profile lists in storage(env).backends: its own pool on the config's URL,
 * the schema made, and everything released on close.
 */
export const brinTimeSeries: BackendFactory<'timeseries'> = async ({ config }) => {
  const pool = new pg.Pool({
    // dalbench's reading of the URL's TLS parameters (sslmode, sslrootcert), as its own backends do.
    ...pgConnection(config.url),
    max: config.poolSize,
    statement_timeout: config.timeoutMs,
  });
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    store: 'postgres',
    service: new BrinTimeSeriesRepository(pool),
    async ping() {
      await pool.query('SELECT 1');
    },
    close: () => (closing ??= pool.end()),
  };
};

// Validation before any SQL: a bad point rejects the whole batch, naming `points[i].field`.

function validatePoints(points: unknown): readonly MetricPoint[] {
  if (!Array.isArray(points)) throw new ValidationError('points', 'expected an array of metric points');
  points.forEach((point: unknown, i) => validatePoint(point, `points[${i}]`));
  return points as MetricPoint[];
}

// PostgreSQL reads the ISO timestamps Date#toISOString writes for the years 1 to 9999.
const MIN_TIME = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function validatePoint(point: unknown, at: string): void {
  if (typeof point !== 'object' || point === null || Array.isArray(point))
    throw new ValidationError(at, 'expected an object');
  const { timestamp, metricName, value, tags } = point as Record<string, unknown>;
  if (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime()))
    throw new ValidationError(`${at}.timestamp`, 'expected a valid Date');
  if (timestamp.getTime() < MIN_TIME || timestamp.getTime() > MAX_TIME)
    throw new ValidationError(`${at}.timestamp`, 'expected a Date between the years 1 and 9999');
  if (typeof metricName !== 'string' || metricName.trim().length === 0 || metricName.includes('\u0000'))
    throw new ValidationError(`${at}.metricName`, 'expected a non-empty string without NUL');
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ValidationError(`${at}.value`, 'expected a finite number');
  if (tags === undefined) return;
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags))
    throw new ValidationError(`${at}.tags`, 'expected an object of string values');
  for (const [key, tag] of Object.entries(tags)) {
    if (typeof tag !== 'string' || tag.includes('\u0000') || key.includes('\u0000'))
      throw new ValidationError(`${at}.tags.${key}`, 'expected a string without NUL');
  }
}

interface PointRow {
  ts: Date;
  metric_name: string;
  value: number;
  tags: Record<string, string>;
}

function toPoint(row: PointRow): MetricPoint {
  return { timestamp: row.ts, metricName: row.metric_name, value: row.value, tags: row.tags };
}

function validateAggregation(aggregation: unknown): void {
  if (!(AGGREGATIONS as readonly unknown[]).includes(aggregation))
    throw new ValidationError('aggregation', `expected one of ${AGGREGATIONS.join(', ')}`);
}

function validateRange(start: unknown, end: unknown): void {
  if (!(start instanceof Date) || Number.isNaN(start.getTime()))
    throw new ValidationError('start', 'expected a valid Date');
  if (!(end instanceof Date) || Number.isNaN(end.getTime()))
    throw new ValidationError('end', 'expected a valid Date');
}

/** One row per (timestamp, metric) in a batch: the last point for a key wins. */
function lastWins(points: readonly MetricPoint[]): MetricPoint[] {
  const byKey = new Map<string, MetricPoint>();
  for (const point of points) {
    const key = `${point.timestamp.getTime()}\u0000${point.metricName}`;
    byKey.delete(key);
    byKey.set(key, point);
  }
  return [...byKey.values()];
}
