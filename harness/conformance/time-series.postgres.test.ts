// The time-series contract against the partitioned-table postgres backend, on a fresh database.
import { PostgresTimeSeriesRepository } from '../../reference-dal/backends/postgres/time-series-repository.ts';
import { requireStore } from '../../test/support/stores.ts';
import { timeSeriesContractOnFreshDatabase } from './support/postgres-subjects.ts';

timeSeriesContractOnFreshDatabase({
  title: 'postgres (range-partitioned table, date_bin)',
  label: 'ts_postgres',
  store: 'postgres',
  server: () => requireStore('postgres').url,
  migrate: (pool) => PostgresTimeSeriesRepository.migrate(pool),
  build: (db, copy) => new PostgresTimeSeriesRepository(db, copy),
});
