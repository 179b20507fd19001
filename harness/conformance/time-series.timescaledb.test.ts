// The same time-series contract against TimescaleDB, when one is reachable (DALBENCH_TIMESCALE_URL
// or the docker provisioner); skipped with the reason otherwise.
import { describe } from 'vitest';
import { TimescaleTimeSeriesRepository } from '../../reference-dal/backends/timescaledb/time-series-repository.ts';
import { requireStore, unavailableReason } from '../../test/support/stores.ts';
import { timeSeriesContractOnFreshDatabase } from './support/postgres-subjects.ts';

const missing = unavailableReason('timescaledb');

describe.skipIf(missing !== undefined)(`timescaledb${missing ? ` (skipped: ${missing})` : ''}`, () => {
  timeSeriesContractOnFreshDatabase({
    title: 'timescaledb (hypertable, time_bucket)',
    label: 'ts_timescale',
    store: 'timescaledb',
    server: () => requireStore('timescaledb').url,
    migrate: (pool) => TimescaleTimeSeriesRepository.migrate(pool),
    build: (db) => new TimescaleTimeSeriesRepository(db),
  });
});
