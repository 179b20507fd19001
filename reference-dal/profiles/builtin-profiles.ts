// The storage options dalbench compares: ADR-024's polyglot design and the alternatives it rejected.
import { defineProfile, type Profile, type ProfileEnvironment } from './profile.ts';

/** How long cached reads live; long enough to outlast a quick run, so hit ratios reflect key skew. */
const CACHE_TTL_MS = 300_000;

function database(env: ProfileEnvironment, kind: 'postgres' | 'timescaledb'): string {
  const url = env.databases[kind];
  if (!url) throw new Error(`no ${kind} database was created for this profile`);
  return url;
}

/** Time-series on TimescaleDB when it is up, else on partitioned PostgreSQL with a warning. */
function timeSeries(env: ProfileEnvironment) {
  const timescale = env.databases.timescaledb;
  return timescale
    ? { config: { type: 'timeseries', backend: 'timescaledb', url: timescale } as const, warnings: [] }
    : {
        config: { type: 'timeseries', backend: 'postgres', url: database(env, 'postgres') } as const,
        warnings: [
          "WARNING: TimescaleDB unavailable; time-series ran on the partitioned-PostgreSQL backend, not the ADR's choice",
        ],
      };
}

/**
 * A cached answer slower than the store behind it is worthless: the cache fails fast (500 ms, no
 * retry of a command caught by a dropped connection) so a paused or dying Redis costs a read at most
 * that before it falls through (bench:faults measured reads held for the 30 s default otherwise).
 */
const CACHE_CONFIG = (url: string) =>
  ({ type: 'cache', backend: 'redis', url, timeoutMs: 500, retryAttempts: 0 }) as const;

function polyglotStorage(env: ProfileEnvironment, withCache: boolean) {
  const pg = database(env, 'postgres');
  const ts = timeSeries(env);
  return {
    configs: [
      { type: 'transactional', backend: 'postgres', url: pg },
      ts.config,
      {
        type: 'document',
        backend: 'elasticsearch',
        url: env.endpoints.elasticsearch ?? '',
        options: { indexPrefix: env.names.indexPrefix },
      },
      { type: 'object', backend: 's3', url: env.endpoints.s3 ?? '', options: { bucket: env.names.bucket } },
      ...(withCache ? [CACHE_CONFIG(env.endpoints.redis ?? '')] : []),
    ] as const,
    cacheTtlMs: CACHE_TTL_MS,
    warnings: ts.warnings,
  };
}

export const polyglotProfile: Profile = defineProfile({
  name: 'polyglot',
  description:
    'ADR-024: PostgreSQL (transactional) + TimescaleDB (time-series) + Elasticsearch (documents) + S3 (objects) + Redis (cache)',
  requires: ['postgres', 'elasticsearch', 's3', 'redis'],
  optional: ['timescaledb'],
  storage: (env) => polyglotStorage(env, true),
});

export const polyglotNoCacheProfile: Profile = defineProfile({
  name: 'polyglot-nocache',
  description: 'The polyglot stores without the Redis cache: every read goes to its store',
  requires: ['postgres', 'elasticsearch', 's3'],
  optional: ['timescaledb'],
  storage: (env) => polyglotStorage(env, false),
});

export const singlePostgresProfile: Profile = defineProfile({
  name: 'single-postgres',
  description:
    'The rejected alternative: one PostgreSQL database for everything (time-series table, JSONB + full-text documents, bytea objects), no cache',
  requires: ['postgres'],
  storage: (env) => {
    const pg = database(env, 'postgres');
    return {
      configs: [
        { type: 'transactional', backend: 'postgres', url: pg },
        // The single-database option of the ADR: one plain indexed table, no partitioning or extension.
        { type: 'timeseries', backend: 'postgres', url: pg, options: { layout: 'plain' } },
        { type: 'document', backend: 'postgres', url: pg },
        { type: 'object', backend: 'postgres', url: pg },
      ],
      warnings: [],
    };
  },
});

export const polyglotCaggsProfile: Profile = defineProfile({
  name: 'polyglot-caggs',
  description:
    'polyglot with a TimescaleDB hourly continuous aggregate: bucketed time-series queries of whole hours read the rollup (needs TimescaleDB)',
  requires: ['postgres', 'timescaledb', 'elasticsearch', 's3', 'redis'],
  storage: (env) => {
    const storage = polyglotStorage(env, true);
    return {
      ...storage,
      configs: storage.configs.map((c) =>
        c.type === 'timeseries' ? { ...c, options: { rollup: 'hourly' } } : c,
      ),
    };
  },
});

/** Built-in profiles by name, in report order (a fresh map per call: no module-level registry). */
export function builtInProfiles(): ReadonlyMap<string, Profile> {
  return new Map(
    [polyglotProfile, singlePostgresProfile, polyglotNoCacheProfile, polyglotCaggsProfile].map((p) => [
      p.name,
      p,
    ]),
  );
}
