// bench:dal paths of the time-series store: saveMetrics of a 5,000-point batch against the fastest
// raw inserts of the same rows (an `unnest` upsert, and COPY via pg-copy-streams), and the bucketed
// range query the metrics-query scenario runs against the same SQL sent raw, on every backend a
// profile uses: partitioned PostgreSQL (polyglot without TimescaleDB), the plain table
// (single-postgres) and TimescaleDB when the run's stores have it (installed for the local
// PostgreSQL, docker, or DALBENCH_TIMESCALE_URL). Works in scratch databases it creates and drops.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataAccessLayer } from '../../../reference-dal/dal/data-access-layer.ts';
import { redactUrl } from '../../../reference-dal/errors.ts';
import { prepareBatch, type MetricTableSpec } from '../../../reference-dal/sql/metric-table.ts';
import { POSTGRES_METRIC_TABLE } from '../../../reference-dal/backends/postgres/time-series-migrations.ts';
import { PLAIN_METRIC_TABLE } from '../../../reference-dal/backends/postgres/time-series-plain.ts';
import { TIMESCALE_METRIC_TABLE } from '../../../reference-dal/backends/timescaledb/time-series-migrations.ts';
import {
  INTERVALS,
  type MetricPoint,
  type TimeSeriesRepository,
} from '../../../reference-dal/ports/time-series.ts';
import { createScratchDatabase } from '../../provision/scratch-database.ts';
import { needUrl, type BenchPath, type PathGroupSpec } from './path.ts';
import { BENCH_POOL, DAL_POOL_SETTINGS } from './scratch-dal.ts';

const BATCH = 5_000;
const SERIES_POINTS = 30_000;
const SERIES_STEP_MS = 10_000;
const SERIES_END_MS = Date.UTC(2024, 0, 15, 12, 0, 0);
const SERIES_NAME = 'cpu-bench';
/** Save batches land in one week (100 ms apart), a fresh metric name per call: new rows every time. */
const SAVE_BASE_MS = Date.UTC(2026, 0, 5);
const SAVE_TIMES = Array.from({ length: BATCH }, (_, i) => new Date(SAVE_BASE_MS + i * 100));

interface Backend {
  /** Path id segment and title words. */
  readonly name: string;
  readonly title: string;
  /** The backend's own table and bucket expression (`$2` the interval): the raw side sends the same SQL. */
  readonly spec: MetricTableSpec;
  readonly config: Record<string, unknown>;
  readonly url: string;
}

export const timeSeriesGroup: PathGroupSpec = {
  name: 'time-series',
  needs: ['postgres'],
  wants: ['timescaledb'],
  async open(urls, unavailable) {
    // Closed in reverse order (no AsyncDisposableStack: Node 20 lacks it).
    const disposables: AsyncDisposable[] = [];
    const use = <T extends AsyncDisposable>(resource: T): T => {
      disposables.push(resource);
      return resource;
    };
    const closeAll = async () => {
      const errors: unknown[] = [];
      for (const resource of disposables.splice(0).reverse()) {
        try {
          await resource[Symbol.asyncDispose]();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw new AggregateError(errors, 'closing the time-series bench group');
    };
    try {
      const postgres = use(await createScratchDatabase(needUrl(urls, 'postgres'), 'bench_ts'));
      const backends: Backend[] = [
        {
          name: 'partitioned',
          title: 'partitioned PostgreSQL',
          spec: POSTGRES_METRIC_TABLE,
          config: { backend: 'postgres', options: { layout: 'partitioned' } },
          url: postgres.url,
        },
        {
          name: 'plain',
          title: 'plain-table PostgreSQL',
          spec: PLAIN_METRIC_TABLE,
          config: { backend: 'postgres', options: { layout: 'plain' } },
          url: postgres.url,
        },
      ];
      const timescaleUrl = urls.timescaledb;
      let timescaleNote = `TimescaleDB not measured: ${unavailable.timescaledb ?? 'not started'}`;
      if (timescaleUrl) {
        try {
          const timescale = use(await createScratchDatabase(timescaleUrl, 'bench_ts'));
          backends.push({
            name: 'timescale',
            title: 'TimescaleDB',
            spec: TIMESCALE_METRIC_TABLE,
            config: { backend: 'timescaledb' },
            url: timescale.url,
          });
          timescaleNote = `TimescaleDB at ${redactUrl(timescaleUrl)}`;
        } catch (error) {
          timescaleNote = `TimescaleDB not measured: ${redactUrl(timescaleUrl)} unreachable (${(error as Error).message})`;
        }
      }
      const paths: BenchPath[] = [];
      for (const backend of backends) {
        const opened = await openBackend(backend, timescaleNote).catch((error: unknown) => {
          if (backend.name !== 'timescale') throw error;
          timescaleNote = `TimescaleDB not measured: ${(error as Error).message}`;
          return undefined;
        });
        if (!opened) continue;
        use(opened);
        paths.push(...opened.paths);
      }
      return { paths, [Symbol.asyncDispose]: closeAll };
    } catch (error) {
      await closeAll().catch(() => undefined);
      throw error;
    }
  },
};

async function openBackend(
  backend: Backend,
  timescaleNote: string,
): Promise<AsyncDisposable & { paths: BenchPath[] }> {
  const dal = await DataAccessLayer.initialize([
    { type: 'timeseries', url: backend.url, ...BENCH_POOL, ...backend.config },
  ]);
  const close = () => dal.close();
  try {
    // The raw side runs on the repository's own pool: one server process serves both sides.
    const raw = dal.postgresPool('timeseries');
    const series = dal.timeSeries;
    for (let offset = 0; offset < SERIES_POINTS; offset += BATCH) {
      const points: MetricPoint[] = [];
      for (let i = offset; i < Math.min(SERIES_POINTS, offset + BATCH); i++) {
        points.push({
          timestamp: new Date(SERIES_END_MS - (SERIES_POINTS - i) * SERIES_STEP_MS),
          metricName: SERIES_NAME,
          value: 100 + 20 * Math.sin(i / 50) + (i % 7),
        });
      }
      await series.saveMetrics(points);
    }
    // Warm the partitions the save paths write to, so both sides insert into existing tables.
    await series.saveMetrics(batchOf('bench.warm'));
    return { paths: backendPaths(backend, series, raw, timescaleNote), [Symbol.asyncDispose]: close };
  } catch (error) {
    await close();
    throw error;
  }
}

function backendPaths(
  backend: Backend,
  series: TimeSeriesRepository,
  raw: pg.Pool,
  timescaleNote: string,
): BenchPath[] {
  const id = (what: string) => `time-series.${backend.name}.${what}`;
  let dalBatches = 0;
  let rawBatches = 0;
  const common = `${backend.title}, sequential, scratch database, one pool of 1 for both sides; DAL with its default config (retries, timeouts, circuit breaker); ${DAL_POOL_SETTINGS}${backend.name === 'timescale' ? `; ${timescaleNote}` : ''}`;
  const saveNote = `${common}; ${BATCH.toLocaleString('en-US')} new points per call (fresh metric name, one week, 8 distinct tag sets), the batch built inside the call on both sides`;
  const validation = {
    title: `validation + last-wins dedupe of ${BATCH.toLocaleString('en-US')} points`,
    task: () => {
      prepareBatch(batchOf('bench.validation'));
    },
  };
  const dalSave = async () => {
    const { written } = await series.saveMetrics(batchOf(`bench.dal.${dalBatches++}`));
    if (written !== BATCH) throw new Error(`saveMetrics wrote ${written} of ${BATCH}`);
  };
  const upsert = rawUnnestSql(backend.spec.table);
  const paths: BenchPath[] = [
    {
      id: id('save-vs-unnest'),
      title: `saveMetrics ${BATCH} points vs raw unnest upsert (${backend.title})`,
      store: 'postgres',
      dal: dalSave,
      raw: async () => {
        const result = await raw.query({
          name: 'bench_raw_unnest',
          text: upsert,
          values: rawColumns(batchOf(`bench.raw.${rawBatches++}`)),
        });
        if (result.rowCount !== BATCH) throw new Error(`raw unnest wrote ${result.rowCount} of ${BATCH}`);
      },
      guarantee: validation,
      note: `${saveNote}; raw sends the same upsert (ON CONFLICT DO UPDATE) with array literals it builds in one pass, no validation or dedupe`,
    },
    {
      id: id('save-vs-copy'),
      title: `saveMetrics ${BATCH} points vs raw COPY FROM STDIN (${backend.title})`,
      store: 'postgres',
      dal: dalSave,
      raw: async () => {
        const text = copyText(batchOf(`bench.copy.${rawBatches++}`));
        const client = await raw.connect();
        try {
          const stream = client.query(
            copyFrom(`COPY ${backend.spec.table} (ts, metric_name, value, tags) FROM STDIN`),
          );
          await pipeline(Readable.from([text]), stream);
          if (stream.rowCount !== BATCH) throw new Error(`COPY wrote ${stream.rowCount} of ${BATCH}`);
        } finally {
          client.release();
        }
      },
      guarantee: validation,
      note: `${saveNote}; raw COPY is a plain insert: it cannot upsert (a duplicate key fails the whole batch), so raw is given a semantics the DAL cannot offer (idempotent, retry-safe batches)`,
    },
  ];
  const queries = [
    {
      what: 'query-short',
      label: 'last 15 min, 10 s buckets',
      startMs: SERIES_END_MS - 15 * 60_000,
      interval: '10s',
    },
    {
      what: 'query-long',
      label: `whole series (${SERIES_POINTS.toLocaleString('en-US')} points), 1 h buckets`,
      startMs: SERIES_END_MS - SERIES_POINTS * SERIES_STEP_MS,
      interval: '1h',
    },
  ] as const;
  for (const query of queries) {
    const start = new Date(query.startMs);
    const end = new Date(SERIES_END_MS);
    const text = `SELECT ${backend.spec.bucketSql} AS bucket, avg(value) AS value FROM ${backend.spec.table}
                  WHERE metric_name = $1 AND ts >= $3 AND ts < $4 GROUP BY 1 ORDER BY 1`;
    const expected = Math.ceil((SERIES_END_MS - query.startMs) / INTERVALS[query.interval].ms);
    paths.push({
      id: id(query.what),
      title: `queryMetrics avg, ${query.label} vs raw SQL (${backend.title})`,
      store: 'postgres',
      dal: async () => {
        const buckets = await series.queryMetrics({
          metricName: SERIES_NAME,
          start,
          end,
          aggregation: 'avg',
          interval: query.interval,
        });
        if (Math.abs(buckets.length - expected) > 1)
          throw new Error(`${buckets.length} buckets, expected ${expected}`);
      },
      raw: async () => {
        const result = await raw.query<{ bucket: Date; value: number }>({
          name: 'bench_raw_buckets', // one statement for both ranges, as the DAL has
          text,
          values: [SERIES_NAME, INTERVALS[query.interval].sql, start.toISOString(), end.toISOString()],
        });
        const buckets = result.rows.map((row) => ({ bucket: row.bucket, value: row.value }));
        if (Math.abs(buckets.length - expected) > 1)
          throw new Error(`${buckets.length} buckets, expected ${expected}`);
      },
      note: `${common}; the metrics-query scenario's query: one ${SERIES_POINTS.toLocaleString('en-US')}-point series 10 s apart, raw sends the same SQL as one named (prepared) statement for both ranges, as the DAL does, and maps rows to the same bucket objects`,
    });
  }
  return paths;
}

function batchOf(metricName: string): MetricPoint[] {
  const points: MetricPoint[] = new Array<MetricPoint>(BATCH);
  for (let i = 0; i < BATCH; i++) {
    // A fresh tags object per point, as the metrics-ingest scenario makes them.
    points[i] = {
      timestamp: SAVE_TIMES[i]!,
      metricName,
      value: Math.sin(i) * 100,
      tags: { host: `h${i % 8}` },
    };
  }
  return points;
}

function rawUnnestSql(table: string): string {
  return `INSERT INTO ${table} (ts, metric_name, value, tags)
          SELECT to_timestamp(p.epoch_ms / 1000.0), p.name, p.value, p.tags
            FROM unnest($1::float8[], $2::text[], $3::float8[], $4::jsonb[]) AS p(epoch_ms, name, value, tags)
          ON CONFLICT (metric_name, ts) DO UPDATE SET value = EXCLUDED.value, tags = EXCLUDED.tags`;
}

/** What a raw caller writing for speed sends: one array literal per column, built in one pass. */
function rawColumns(points: readonly MetricPoint[]): string[] {
  let ts = '{';
  let names = '{';
  let values = '{';
  let tags = '{';
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!;
    const sep = i === 0 ? '' : ',';
    ts += sep + point.timestamp.getTime();
    names += `${sep}"${point.metricName.replace(/["\\]/g, '\\$&')}"`;
    values += sep + point.value;
    tags += `${sep}"${JSON.stringify(point.tags ?? {}).replace(/["\\]/g, '\\$&')}"`;
  }
  return [`${ts}}`, `${names}}`, `${values}}`, `${tags}}`];
}

const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};
const copyEscape = (text: string) => text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!);

/** COPY's text format: tab-separated columns, one row a line, `\` escapes. */
function copyText(points: readonly MetricPoint[]): string {
  let out = '';
  for (const point of points) {
    out += `${point.timestamp.toISOString()}\t${copyEscape(point.metricName)}\t${point.value}\t${copyEscape(JSON.stringify(point.tags ?? {}))}\n`;
  }
  return out;
}
