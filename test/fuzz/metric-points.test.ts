// Fuzzed metric points against PostgreSQL (range-partitioned table, a scratch database): a batch
// with one hostile point is either saved with that point read back exactly (name, value, tags), or
// refused with a ValidationError naming points[i] and the field — with the row count unchanged.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertProperty } from '../../harness/conformance/support/seed.ts';
import {
  openTimeSeries,
  type CountedTimeSeries,
} from '../../harness/conformance/support/postgres-subjects.ts';
import { PostgresTimeSeriesRepository } from '../../reference-dal/backends/postgres/time-series-repository.ts';
import { ValidationError } from '../../reference-dal/errors.ts';
import type { MetricPoint } from '../../reference-dal/ports/time-series.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { storeEndpoint } from '../support/stores.ts';
import { hostileString, hostileValue, shownError } from './support/hostile.ts';

const BASE = Date.UTC(2026, 0, 1);
const validPoint = fc.record({
  timestamp: fc.integer({ min: 0, max: 86_400_000 }).map((ms) => new Date(BASE + ms)),
  metricName: fc.constantFrom('cpu', 'mem', 'disk.io'),
  value: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
  tags: fc.dictionary(fc.constantFrom('host', 'region'), fc.constantFrom('a', 'b')),
});

const hostileField = fc.oneof(
  fc.record({ field: fc.constant('metricName' as const), value: hostileString }),
  fc.record({ field: fc.constant('value' as const), value: hostileValue }),
  fc.record({
    field: fc.constant('timestamp' as const),
    value: fc.oneof(
      hostileValue,
      fc.constantFrom(new Date(NaN), new Date(-8.64e15), new Date(8.64e15), new Date(Date.UTC(-1, 0, 1))),
    ),
  }),
  fc.record({
    field: fc.constant('tags' as const),
    value: fc.oneof(hostileValue, fc.dictionary(hostileString, hostileString, { minKeys: 1, maxKeys: 2 })),
  }),
);

const available = storeEndpoint('postgres') !== undefined;

describe.skipIf(!available)('fuzzed metric points (postgres)', () => {
  let database: TestDatabase | undefined;
  let repository: CountedTimeSeries | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(storeEndpoint('postgres')!.url, 'fuzzts');
    repository = await openTimeSeries(
      database.url,
      'postgres',
      (pool) => PostgresTimeSeriesRepository.migrate(pool),
      (db) => new PostgresTimeSeriesRepository(db),
    );
  });
  afterAll(async () => {
    try {
      await repository?.[Symbol.asyncDispose]();
    } finally {
      await database?.[Symbol.asyncDispose]();
    }
  });

  it('a batch with one hostile point: saved and read back exactly, or refused naming points[i] with the count unchanged', async () => {
    let minute = 0;
    await assertProperty(
      fc.asyncProperty(
        fc.array(validPoint, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        hostileField,
        async (batch, at, { field, value }) => {
          const index = at % batch.length;
          // A fresh time per case: accepted points never collide with an earlier case's rows.
          const shift = ++minute * 86_400_000 * 2;
          const points = batch.map((p) => ({
            ...p,
            timestamp: new Date(p.timestamp.getTime() + shift),
          })) as MetricPoint[];
          const hostile = { ...points[index]!, [field]: value };
          points[index] = hostile;
          const before = await repository!.countPoints();
          let error: unknown;
          try {
            await repository!.saveMetrics(points);
          } catch (caught) {
            error = caught;
          }
          if (error !== undefined) {
            expect(error, shownError(error)).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).field).toMatch(new RegExp(`^points\\[${index}\\]\\.${field}`));
            expect(await repository!.countPoints(), 'a refused batch changed the row count').toBe(before);
            return;
          }
          const start = hostile.timestamp;
          const read = await repository!.readPoints(hostile.metricName, start, new Date(start.getTime() + 1));
          // Later points of the batch with the same key win (last write wins).
          const last = points.findLast(
            (p) => p.metricName === hostile.metricName && p.timestamp.getTime() === start.getTime(),
          )!;
          expect(read).toHaveLength(1);
          expect(read[0]?.metricName).toBe(last.metricName);
          expect(read[0]?.value).toBe(last.value);
          expect(read[0]?.tags ?? {}).toEqual(last.tags ?? {});
        },
      ),
      60,
    );
  });
});
