// appendMetricPoints, the COPY path of the SQL time-series backends' loadMetrics: one streamed COPY
// until a point needs preparing (a partition made), errors that name the point's place in the whole
// input or the store, what a failure leaves, the source closed and the connection never kept.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { requireStore, unavailableReason } from '../../test/support/stores.ts';
import { StoreError, ValidationError } from '../errors.ts';
import { loadMetricPoints, type MetricPoint } from '../ports/time-series.ts';
import { PostgresTimeSeriesRepository } from '../backends/postgres/time-series-repository.ts';
import { ensureMetricPartitions, POSTGRES_METRICS_TARGET } from '../backends/postgres/time-series-copy.ts';
import { appendMetricPoints, copySegmentMs } from './metric-copy.ts';

const WEEK = 7 * 86_400_000;
const BASE = Date.UTC(2026, 2, 2);

/** `count` points of `name`, `stepMs` apart from `from`. */
function series(name: string, count: number, stepMs: number, from = BASE): MetricPoint[] {
  const none: Record<string, string> = {};
  return Array.from({ length: count }, (_, i) => ({
    timestamp: new Date(from + i * stepMs),
    metricName: name,
    value: i - 2.5,
    tags: i % 3 === 0 ? { host: `h${i % 2}` } : none,
  }));
}

describe.skipIf(unavailableReason('postgres') !== undefined)('appendMetricPoints (COPY in chunks)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let url = '';
  beforeAll(async () => {
    db = await createTestDatabase(requireStore('postgres').url, 'append');
    url = db.url;
    // One connection: a chunk whose connection was kept would make the next load wait forever.
    pool = new pg.Pool({ connectionString: url, max: 1 });
    await PostgresTimeSeriesRepository.migrate(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.[Symbol.asyncDispose]();
  });

  it('streams one COPY until a point falls in a week without a partition, makes it, and goes on', async () => {
    // Two series over six weeks, a day apart: the first makes six partitions, the second needs none.
    const repository = new PostgresTimeSeriesRepository(pool, { pool, url });
    const points = [...series('weeks-a', 40, 86_400_000), ...series('weeks-b', 40, 86_400_000)];
    expect(await repository.loadMetrics!(points)).toEqual({ written: 80 });
    const end = new Date(BASE + 6 * WEEK);
    expect(await repository.readPoints('weeks-a', new Date(BASE), end)).toEqual(points.slice(0, 40));
    expect(await repository.readPoints('weeks-b', new Date(BASE), end)).toEqual(points.slice(40));
  });

  it('ends a COPY at each point that is not ready and prepares it first', async () => {
    await ensureMetricPartitions(pool, POSTGRES_METRICS_TARGET, BASE, BASE + WEEK);
    const prepared: number[] = [];
    const points = series('segments', 10, 1_000);
    const written = await appendMetricPoints(pool, POSTGRES_METRICS_TARGET, points, {
      store: 'postgres',
      url,
      ready: (point) =>
        (point.value !== 0.5 && point.value !== 4.5 && point.value !== -2.5) ||
        prepared.includes(point.value),
      prepare: (point) => {
        prepared.push(point.value);
        return Promise.resolve();
      },
    });
    expect(written).toBe(10);
    // The first point (-2.5) before the first COPY, then two more in the middle of the stream.
    expect(prepared).toEqual([-2.5, 0.5, 4.5]);
    expect(await new PostgresTimeSeriesRepository(pool).countPoints('segments')).toBe(10);
  });

  it('names an invalid point by its place in the whole input and closes the source', async () => {
    await ensureMetricPartitions(pool, POSTGRES_METRICS_TARGET, BASE, BASE + WEEK);
    const repository = new PostgresTimeSeriesRepository(pool, { pool, url });
    // The first point, before any COPY, and one in the middle of a COPY.
    for (const bad of [0, 16]) {
      let closed = false;
      function* source() {
        try {
          const points = series('bad', 20, 60_000);
          points[bad] = { ...points[bad]!, metricName: '' };
          yield* points;
        } finally {
          closed = true;
        }
      }
      const error = await repository.loadMetrics!(source()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(`points[${bad}].metricName`);
      expect(closed).toBe(true);
    }
  });

  it('keeps each COPY inside the pool’s statement and read timeouts, however long the load', async () => {
    // Reproduced at m: one COPY of 15 M points outlived the 30 s timeouts ("Query read timeout").
    const timeoutMs = 400;
    const timed = new pg.Pool({
      connectionString: url,
      max: 1,
      statement_timeout: timeoutMs,
      query_timeout: timeoutMs,
    });
    try {
      const repository = new PostgresTimeSeriesRepository(timed, {
        pool: timed,
        url,
        segmentMs: copySegmentMs(timeoutMs),
      });
      await ensureMetricPartitions(timed, POSTGRES_METRICS_TARGET, BASE, BASE + 2 * WEEK);
      const started = performance.now();
      function* many() {
        for (let i = 0; i < 400_000; i++)
          yield { timestamp: new Date(BASE + i * 1_000), metricName: 'long-load', value: i };
      }
      expect(await repository.loadMetrics!(many())).toEqual({ written: 400_000 });
      // Only meaningful if the whole load took longer than one statement may.
      expect(performance.now() - started).toBeGreaterThan(timeoutMs);
      expect(await repository.countPoints('long-load')).toBe(400_000);
    } finally {
      await timed.end();
    }
  }, 60_000);

  it('rethrows an error of the source itself, not as a failure of the COPY it broke off', async () => {
    await ensureMetricPartitions(pool, POSTGRES_METRICS_TARGET, BASE, BASE + WEEK);
    const failure = new Error('source broke');
    function* source() {
      yield* series('source-error', 5, 1_000);
      throw failure;
    }
    const repository = new PostgresTimeSeriesRepository(pool, { pool, url });
    expect(await repository.loadMetrics!(source()).catch((e: unknown) => e)).toBe(failure);
    // The COPY it broke off was not committed, and the connection came back (the pool has one).
    expect(await repository.countPoints('source-error')).toBe(0);
  });

  it('fails on a key already stored, naming the store, and gives its connection back', async () => {
    const repository = new PostgresTimeSeriesRepository(pool, { pool, url });
    await repository.saveMetrics(series('dup', 1, 1_000, BASE + 9_000));
    const error = await repository.loadMetrics!(series('dup', 12, 1_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).store).toBe('postgres');
    expect((error as Error).message).toMatch(/COPY into dal_metrics failed .*duplicate key/);
    // One COPY held all twelve: nothing of it was written.
    expect(await repository.countPoints('dup')).toBe(1);
    // With one connection in the pool, this waits forever if the failed COPY kept it.
    expect(await repository.loadMetrics!(series('after-dup', 3, 1_000))).toEqual({ written: 3 });
  });

  it('a repository without a COPY path loads through saveMetrics batches, which upsert', async () => {
    const repository = new PostgresTimeSeriesRepository(pool);
    expect(repository.loadMetrics).toBeUndefined();
    await repository.saveMetrics([{ timestamp: new Date(BASE), metricName: 'fallback', value: 99 }]);
    const points = series('fallback', 12, 1_000);
    expect(await loadMetricPoints(repository, points, 5)).toEqual({ written: 12 });
    expect(await repository.readPoints('fallback', new Date(BASE), new Date(BASE + 12_000))).toEqual(points);
  });

  it('the saveMetrics fallback names an invalid point by its place in the whole input, not in its batch', async () => {
    const repository = new PostgresTimeSeriesRepository(pool);
    const points = series('fallback-bad', 12, 1_000);
    points[7] = { ...points[7]!, value: Number.NaN };
    const error = await loadMetricPoints(repository, points, 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('points[7].value');
    // The first batch (points 0–4) was written before the bad one was met; nothing of the second.
    expect(await repository.countPoints('fallback-bad')).toBe(5);
  });
});
