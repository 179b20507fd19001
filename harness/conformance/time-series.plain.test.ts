// The time-series contract against the plain-table postgres backend (single-postgres), on a fresh database.
import { afterAll, beforeAll } from 'vitest';
import { PlainPostgresTimeSeriesRepository } from '../../reference-dal/backends/postgres/time-series-plain.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { requireStore } from '../../test/support/stores.ts';
import { openTimeSeries } from './support/postgres-subjects.ts';
import { timeSeriesContract } from './time-series.contract.ts';

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase(requireStore('postgres').url, 'ts_plain');
});
afterAll(async () => {
  await database?.[Symbol.asyncDispose]();
});

function open() {
  if (!database) throw new Error('database not created');
  const url = database.url;
  const repo = () =>
    openTimeSeries(
      url,
      'postgres',
      (pool) => PlainPostgresTimeSeriesRepository.migrate(pool),
      (db) => new PlainPostgresTimeSeriesRepository(db),
    );
  return repo().then((repository) => ({
    repository,
    openAnother: repo,
    [Symbol.asyncDispose]: () => repository[Symbol.asyncDispose](),
  }));
}

timeSeriesContract('postgres plain table (single-postgres profile)', open);
