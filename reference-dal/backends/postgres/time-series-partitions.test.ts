// Weekly partitions: aligned to BUCKET_ORIGIN (a Monday), created on demand, re-created when one
// the repository remembered has been dropped.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertProperty } from '../../../harness/conformance/support/seed.ts';
import { openPool } from '../../../harness/conformance/support/postgres-subjects.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { requireStore } from '../../../test/support/stores.ts';
import { BUCKET_ORIGIN } from '../../ports/time-series.ts';
import { PARTITION_MS, partitionName, partitionStart } from './time-series-partitions.ts';
import { PostgresTimeSeriesRepository } from './time-series-repository.ts';

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase(requireStore('postgres').url, 'partitions');
});
afterAll(async () => {
  await database?.[Symbol.asyncDispose]();
});

describe('time-series partitions', () => {
  it('a partition starts on a Monday 00:00 UTC at or before the time, less than a week before', async () => {
    await assertProperty(
      fc.asyncProperty(
        fc.integer({ min: Date.parse('1970-01-01'), max: Date.parse('2100-01-01') }),
        async (t) => {
          const start = partitionStart(t);
          expect(start).toBeLessThanOrEqual(t);
          expect(t - start).toBeLessThan(PARTITION_MS);
          expect(new Date(start).getUTCDay()).toBe(1);
          expect(Math.abs((start - BUCKET_ORIGIN.getTime()) % PARTITION_MS)).toBe(0);
          await Promise.resolve();
        },
      ),
      200,
    );
  });

  it('creates one partition per week written, and re-creates a dropped one', async () => {
    if (!database) throw new Error('database not created');
    await using subject = openPool(database.url, 'postgres');
    await PostgresTimeSeriesRepository.migrate(subject.pool);
    const repo = new PostgresTimeSeriesRepository(subject.db);
    const monday = Date.parse('2026-03-02T00:00:00Z');
    const weeks = [0, 1, 3].map((w) => monday + w * PARTITION_MS + 3_600_000);
    await repo.saveMetrics(weeks.map((t, i) => ({ timestamp: new Date(t), metricName: 'p', value: i })));
    const partitions = async () =>
      (
        await subject.pool.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'dal_metrics'::regclass ORDER BY 1`,
        )
      ).rows.map((r) => r.name);
    expect(await partitions()).toEqual(weeks.map((t) => partitionName('dal_metrics', partitionStart(t))));
    expect(await partitions()).toContain('dal_metrics_p20260302');

    await subject.pool.query('DROP TABLE dal_metrics_p20260302');
    await repo.saveMetrics([{ timestamp: new Date(weeks[0] as number), metricName: 'p', value: 9 }]);
    expect(await partitions()).toContain('dal_metrics_p20260302');
    expect(await repo.countPoints('p')).toBe(3);
  });
});
