// One PostgreSQL server given as both `postgres` and `timescaledb` (what `docker` mode does with its
// TimescaleDB container, and what a user's external TimescaleDB usually is): the test run's stores
// lent to the orchestration with the timescaledb endpoint mapped onto the postgres server.
import type { ProvisionedStores, StoreEndpoint, StoreKind } from '../../../harness/provision/provisioner.ts';
import type { Results } from '../../../harness/results/schema.ts';
import { requireStore } from '../../support/stores.ts';
import { lentStores, runOnProfiles, type DefectRun } from './run-defect.ts';

/** The test run's stores, with `timescaledb` served by the `postgres` server (same URL). */
export function oneServerStores(kinds: readonly StoreKind[]): ProvisionedStores {
  const lent = lentStores(kinds.filter((k) => k !== 'timescaledb'));
  if (!kinds.includes('timescaledb')) return lent;
  const postgres = requireStore('postgres');
  const timescaledb: StoreEndpoint = { ...postgres, kind: 'timescaledb' };
  return { ...lent, endpoints: { ...lent.endpoints, timescaledb } };
}

/** runOnProfiles' run, on stores where one PostgreSQL server is behind postgres and timescaledb. */
export function runOnOneServer(run: DefectRun): Promise<Results> {
  return runOnProfiles({ ...run, stores: oneServerStores });
}
