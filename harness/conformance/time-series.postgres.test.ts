// The time-series contract against the partitioned-table postgres backend, on a fresh database.
import { afterAll, beforeAll } from 'vitest';
import { PostgresTimeSeriesRepository } from '../../reference-dal/backends/postgres/time-series-repository.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { requireStore } from '../../test/support/stores.ts';
import { openTimeSeries } from './support/postgres-subjects.ts';
import { timeSeriesContract } from './time-series.contract.ts';

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase(requireStore('postgres').url, 'ts_postgres');
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
      (pool) => PostgresTimeSeriesRepository.migrate(pool),
      (db) => new PostgresTimeSeriesRepository(db),
    );
  return repo().then((repository) => ({
    repository,
    openAnother: repo,
    [Symbol.asyncDispose]: () => repository[Symbol.asyncDispose](),
  }));
}

timeSeriesContract('postgres (range-partitioned table, date_bin)', open);
