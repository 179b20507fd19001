// The same time-series contract against TimescaleDB, when one is reachable (DALBENCH_TIMESCALE_URL,
// a local install or the docker provisioner), plain and with the hourly rollup; skipped with the reason otherwise.
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
    build: (db, copy) => new TimescaleTimeSeriesRepository(db, {}, copy),
  });
});

describe.skipIf(missing !== undefined)(
  `timescaledb with the hourly rollup${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    // Never refreshed here, so the real-time aggregate computes every hour from the raw rows: the
    // contract's whole-hour queries go through the rollup's recombination SQL and must agree with the model.
    timeSeriesContractOnFreshDatabase({
      title: 'timescaledb (hypertable + hourly continuous aggregate)',
      label: 'ts_timescale_rollup',
      store: 'timescaledb',
      server: () => requireStore('timescaledb').url,
      migrate: (pool) => TimescaleTimeSeriesRepository.migrate(pool, { rollup: 'hourly' }),
      build: (db, copy) => new TimescaleTimeSeriesRepository(db, { rollup: 'hourly' }, copy),
    });
  },
);
