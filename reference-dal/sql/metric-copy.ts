// COPY FROM STDIN (pg-copy-streams) of metric points into a metric table: the text format written
// in 256 KiB chunks, names and tags JSON cached. Shared by the postgres and TimescaleDB backends
// (TimescaleDB speaks PostgreSQL's COPY; backends never import each other).
import type pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { StoreError, ValidationError, type StoreName } from '../errors.ts';
import type { MetricPoint, TimeSeriesRepository } from '../ports/time-series.ts';
import { silentProgress, type Progress } from '../ports/load-progress.ts';
import { MetricPointValidator } from '../domain/metric-point.ts';
import type { MetricCopyTarget } from './metric-copy-target.ts';
import { storeError } from './pool.ts';

const COLUMNS = '(ts, metric_name, value, tags)';
/** Characters per write to the COPY stream. */
const CHUNK_CHARS = 256 * 1024;

/** COPY text-format escaping: backslash, and the row/column separators. */
function escapeCopyText(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}

/** Rows of COPY text, joined into chunks; tags JSON and timestamps are cached by reference/value. */
async function* copyChunks(
  points: Iterable<MetricPoint> | AsyncIterable<MetricPoint>,
  progress: Progress,
  counter: { rows: number },
): AsyncGenerator<string> {
  const tagsJson = new Map<object, string>();
  const nameText = new Map<string, string>();
  let lastMs = NaN;
  let lastTs = '';
  let chunk = '';
  let rowsInChunk = 0;
  for await (const point of points) {
    const ms = point.timestamp.getTime();
    if (ms !== lastMs) {
      if (!Number.isFinite(ms))
        throw new ValidationError(`points[${counter.rows}].timestamp`, 'expected a valid Date');
      lastMs = ms;
      lastTs = point.timestamp.toISOString();
    }
    if (!Number.isFinite(point.value)) {
      throw new ValidationError(
        `points[${counter.rows}].value`,
        `expected a finite number, got ${point.value}`,
      );
    }
    let name = nameText.get(point.metricName);
    if (name === undefined) {
      if (point.metricName.length === 0 || point.metricName.includes('\u0000')) {
        throw new ValidationError(
          `points[${counter.rows}].metricName`,
          'expected a non-empty string without NUL',
        );
      }
      name = escapeCopyText(point.metricName);
      if (nameText.size < 100_000) nameText.set(point.metricName, name);
    }
    let tags = '{}';
    if (point.tags !== undefined) {
      const cached = tagsJson.get(point.tags);
      if (cached === undefined) {
        tags = escapeCopyText(JSON.stringify(point.tags));
        if (tagsJson.size < 100_000) tagsJson.set(point.tags, tags);
      } else tags = cached;
    }
    // String(-0) is "0": the sign would be lost where saveMetrics keeps it.
    const value = Object.is(point.value, -0) ? '-0' : String(point.value);
    chunk += `${lastTs}\t${name}\t${value}\t${tags}\n`;
    rowsInChunk += 1;
    counter.rows += 1;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      progress.add(rowsInChunk);
      chunk = '';
      rowsInChunk = 0;
    }
  }
  if (chunk.length > 0) {
    yield chunk;
    progress.add(rowsInChunk);
  }
}

export interface CopyOptions {
  readonly progress?: Progress;
  /** For error messages (password redacted). */
  readonly url?: string;
  /** The store errors name (default 'postgres'). */
  readonly store?: StoreName;
}

/**
 * COPY `points` into `target.table` on `client` (inside the caller's transaction if one is open).
 * Weekly-partitioned targets need the partitions for the rows: see ensureMetricPartitions.
 * Duplicate (metric_name, ts) keys fail the COPY (it does not upsert). Returns the rows copied.
 */
export async function copyMetricPoints(
  client: pg.PoolClient | pg.Client,
  target: MetricCopyTarget,
  points: Iterable<MetricPoint> | AsyncIterable<MetricPoint>,
  options: CopyOptions = {},
): Promise<number> {
  const counter = { rows: 0 };
  const progress = options.progress ?? silentProgress();
  const sink = client.query(copyFrom(`COPY ${target.table} ${COLUMNS} FROM STDIN`));
  try {
    await pipeline(Readable.from(copyChunks(points, progress, counter)), sink);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new StoreError(
      options.store ?? 'postgres',
      `COPY into ${target.table} failed after ${counter.rows} rows: ${(error as Error).message}`,
      {
        url: options.url,
        cause: error,
      },
    );
  }
  return counter.rows;
}

/** What a repository needs for its COPY path: its own pool (COPY holds a connection) and URL. */
export interface CopyPath {
  readonly pool: pg.Pool;
  readonly url: string;
  /** See AppendOptions.segmentMs. */
  readonly segmentMs?: number;
}

/** A COPY's streaming time that stays well inside the store's statement and read timeouts. */
export function copySegmentMs(timeoutMs: number): number {
  return Math.max(50, Math.min(5_000, Math.floor(timeoutMs / 4)));
}

export interface AppendOptions {
  readonly store: StoreName;
  readonly url: string;
  /**
   * Whether a point can be copied now. At one that cannot, the running COPY ends, `prepare(point)`
   * runs and a new COPY starts with it: e.g. the weekly partition it falls in does not exist yet.
   */
  readonly ready?: (point: MetricPoint) => boolean;
  readonly prepare?: (point: MetricPoint) => Promise<unknown>;
  /**
   * A COPY streams for at most this long (default 5,000 ms) before the next one takes over: the
   * pool's statement_timeout and query_timeout apply to each COPY, and a load takes minutes.
   */
  readonly segmentMs?: number;
}

/**
 * Append `points` with COPY, streamed: one statement while every point is `ready`, for at most
 * `segmentMs`. Each
 * point is validated as saveMetrics validates a batch, the field naming its place in the input.
 * Not an upsert: a key already stored, or twice in the input, fails with a StoreError (unique
 * violation). Not atomic: the COPY statements before a failure stay. Returns the points written.
 */
export async function appendMetricPoints(
  pool: pg.Pool,
  target: MetricCopyTarget,
  points: Iterable<MetricPoint> | AsyncIterable<MetricPoint>,
  options: AppendOptions,
): Promise<number> {
  const iterator =
    Symbol.asyncIterator in points ? points[Symbol.asyncIterator]() : points[Symbol.iterator]();
  const validator = new MetricPointValidator('points');
  let read = 0;
  let finished = false;
  /** What the caller's source threw: rethrown as it is, not as a failure of the COPY it broke off. */
  let sourceFailure: { error: unknown } | undefined;
  const pull = async (): Promise<MetricPoint | undefined> => {
    let next: IteratorResult<MetricPoint>;
    try {
      next = await iterator.next();
    } catch (error) {
      finished = true;
      sourceFailure = { error };
      throw error;
    }
    if (next.done) {
      finished = true;
      return undefined;
    }
    return validator.check(next.value, read++);
  };
  let next: MetricPoint | undefined;
  /** The points from `next` on, up to the first that is not ready (then left in `next`). */
  const segmentMs = options.segmentMs ?? 5_000;
  async function* segment(): AsyncGenerator<MetricPoint> {
    const started = performance.now();
    let point = next;
    next = undefined;
    for (let n = 1; point !== undefined; n++) {
      yield point;
      point = await pull();
      if (point === undefined) return;
      // The clock is read every 1,024 points: at 200,000 points/s that is every 5 ms.
      const due = (n & 1023) === 0 && performance.now() - started > segmentMs;
      if (due || (options.ready && !options.ready(point))) {
        next = point;
        return;
      }
    }
  }
  let written = 0;
  try {
    next = await pull();
    while (next !== undefined) {
      if (options.ready && !options.ready(next)) await options.prepare?.(next);
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw storeError(options.store, options.url, 'connect for COPY', error);
      }
      let failed = false;
      try {
        written += await copyMetricPoints(client, target, segment(), {
          url: options.url,
          store: options.store,
        });
      } catch (error) {
        failed = true;
        throw sourceFailure ? sourceFailure.error : error;
      } finally {
        // A connection whose COPY failed midway is not handed to the next caller.
        client.release(failed);
      }
    }
  } finally {
    // A failed load closes the caller's generator, so that its own cleanup runs.
    if (!finished) await iterator.return?.();
  }
  return written;
}

/**
 * A repository's loadMetrics over its COPY path: appendMetricPoints into `target`, with `hooks`
 * for targets whose storage must exist before rows arrive.
 */
export function copyLoader(
  copy: CopyPath,
  target: MetricCopyTarget,
  store: StoreName,
  hooks: Pick<AppendOptions, 'ready' | 'prepare'> = {},
): NonNullable<TimeSeriesRepository['loadMetrics']> {
  return async (points) => ({
    written: await appendMetricPoints(copy.pool, target, points, {
      ...hooks,
      store,
      url: copy.url,
      segmentMs: copy.segmentMs,
    }),
  });
}
