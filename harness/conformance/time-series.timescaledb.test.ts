// The same time-series contract against TimescaleDB, when one is reachable (DALBENCH_TIMESCALE_URL
// or the docker provisioner); skipped with the reason otherwise.
import { afterAll, beforeAll, describe } from 'vitest';
import { TimescaleTimeSeriesRepository } from '../../reference-dal/backends/timescaledb/time-series-repository.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { requireStore, unavailableReason } from '../../test/support/stores.ts';
import { openTimeSeries } from './support/postgres-subjects.ts';
import { timeSeriesContract } from './time-series.contract.ts';

const missing = unavailableReason('timescaledb');

describe.skipIf(missing !== undefined)(`timescaledb${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(requireStore('timescaledb').url, 'ts_timescale');
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
        'timescaledb',
        (pool) => TimescaleTimeSeriesRepository.migrate(pool),
        (db) => new TimescaleTimeSeriesRepository(db),
      );
    return repo().then((repository) => ({
      repository,
      openAnother: repo,
      [Symbol.asyncDispose]: () => repository[Symbol.asyncDispose](),
    }));
  }

  timeSeriesContract('timescaledb (hypertable, time_bucket)', open);
});
