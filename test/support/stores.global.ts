// TEMPORARY bootstrap until harness/provision lands: reads external URLs from the environment.
// Will be replaced by the provisioner (local processes / docker / external).
import type { TestProject } from 'vitest/node';
import type { ProvidedStores } from './stores.ts';
import type { StoreKind } from '../../harness/provision/provisioner.ts';

const ENV: Record<StoreKind, string> = {
  postgres: 'DALBENCH_POSTGRES_URL',
  timescaledb: 'DALBENCH_TIMESCALE_URL',
  redis: 'DALBENCH_REDIS_URL',
  elasticsearch: 'DALBENCH_ELASTICSEARCH_URL',
  s3: 'DALBENCH_S3_URL',
};

export default function setup(project: TestProject): void {
  const provided: ProvidedStores = { endpoints: {}, unavailable: {} };
  for (const [kind, name] of Object.entries(ENV) as [StoreKind, string][]) {
    const url = process.env[name];
    if (url)
      provided.endpoints[kind] = {
        kind,
        url,
        mode: 'external',
        serverVersion: 'unknown',
        startMs: 0,
        notes: [],
      };
    else provided.unavailable[kind] = `${name} not set`;
  }
  project.provide('dalbenchStores', provided);
}
