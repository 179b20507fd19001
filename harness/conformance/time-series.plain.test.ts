// The time-series contract against the plain-table postgres backend (single-postgres profile).
import { PlainPostgresTimeSeriesRepository } from '../../reference-dal/backends/postgres/time-series-plain.ts';
import { requireStore } from '../../test/support/stores.ts';
import { timeSeriesContractOnFreshDatabase } from './support/postgres-subjects.ts';

timeSeriesContractOnFreshDatabase({
  title: 'postgres plain table (single-postgres profile)',
  label: 'ts_plain',
  store: 'postgres',
  server: () => requireStore('postgres').url,
  migrate: (pool) => PlainPostgresTimeSeriesRepository.migrate(pool),
  build: (db, copy) => new PlainPostgresTimeSeriesRepository(db, copy),
});
