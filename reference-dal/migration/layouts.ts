// The two storage layouts a migration moves between, as DAL storage configs: the single-postgres
// layout (every type in one database: metadata tables, the plain metrics table, JSONB documents,
// bytea objects) and the polyglot layout (ADR-024's stores).
import type { StorageConfigInput } from '../config/storage-config.ts';

/** Every type in one PostgreSQL database; metrics in the plain (unpartitioned) table. */
export function singlePostgresLayout(databaseUrl: string): StorageConfigInput[] {
  return [
    { type: 'transactional', backend: 'postgres', url: databaseUrl },
    { type: 'timeseries', backend: 'postgres', url: databaseUrl, options: { layout: 'plain' } },
    { type: 'document', backend: 'postgres', url: databaseUrl },
    { type: 'object', backend: 'postgres', url: databaseUrl },
  ];
}

export interface PolyglotTarget {
  /** The polyglot transactional database (metadata, checkpoints). */
  readonly postgresUrl: string;
  readonly elasticsearchUrl: string;
  /** S3 endpoint URL with credentials in the userinfo (see harness/provision/s3-url.ts). */
  readonly s3Url: string;
  /** TimescaleDB database for metrics; without it metrics go to partitioned PostgreSQL in `postgresUrl`. */
  readonly timescaleUrl?: string;
  readonly indexPrefix: string;
  readonly bucket: string;
}

export function polyglotLayout(target: PolyglotTarget): StorageConfigInput[] {
  return [
    { type: 'transactional', backend: 'postgres', url: target.postgresUrl },
    target.timescaleUrl
      ? { type: 'timeseries', backend: 'timescaledb', url: target.timescaleUrl }
      : {
          type: 'timeseries',
          backend: 'postgres',
          url: target.postgresUrl,
          options: { layout: 'partitioned' },
        },
    {
      type: 'document',
      backend: 'elasticsearch',
      url: target.elasticsearchUrl,
      options: { indexPrefix: target.indexPrefix },
    },
    { type: 'object', backend: 's3', url: target.s3Url, options: { bucket: target.bucket } },
  ];
}
