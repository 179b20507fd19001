// Factories for the PostgreSQL-family backends this module owns: transactional metadata and
// time-series (partitioned postgres, TimescaleDB). Each builds its own pool from its config,
// migrates (idempotently), and wraps driver errors as StoreErrors with retries counted.
import type pg from 'pg';
import { ValidationError, type StoreName } from '../errors.ts';
import { PlainPostgresTimeSeriesRepository } from '../backends/postgres/time-series-plain.ts';
import { OUTBOX_MIGRATIONS, OUTBOX_NAMESPACE } from '../consistency/outbox-schema.ts';
import { applyMigrations } from '../sql/migrate.ts';
import { createMetadataRepositories } from '../backends/postgres/metadata-repository.ts';
import { migrateMetadata } from '../backends/postgres/metadata-schema.ts';
import { PostgresTimeSeriesRepository } from '../backends/postgres/time-series-repository.ts';
import { runInTransaction } from '../backends/postgres/transaction.ts';
import { timescaleOptions } from '../backends/timescaledb/options.ts';
import { TimescaleTimeSeriesRepository } from '../backends/timescaledb/time-series-repository.ts';
import { createPool, storeError } from '../sql/pool.ts';
import { storeErrorsFrom, type Queryable } from '../sql/queryable.ts';
import { copySegmentMs, type CopyPath } from '../sql/metric-copy.ts';
import { retryingQueryable, withRetry } from '../sql/retry.ts';
import { StatementNames } from '../sql/statement-names.ts';
import type { BackendContext, BackendFactory, StorageServices, StoreHandle } from './services.ts';

interface PgParts {
  readonly pool: pg.Pool;
  readonly db: Queryable;
  readonly store: StoreName;
}

/** Pool + migrations; on any failure the pool is ended before the error propagates. */
async function openPostgres(
  context: BackendContext,
  store: StoreName,
  migrate: (pool: pg.Pool) => Promise<unknown>,
): Promise<PgParts> {
  const { config, retry, counters } = context;
  const pool = createPool(config, store);
  try {
    await withRetry(retry, counters, () => migrate(pool));
  } catch (error) {
    await pool.end();
    throw storeError(store, config.url, 'could not initialise (connect + migrations)', error);
  }
  const db = storeErrorsFrom(retryingQueryable(pool, retry, counters), store, config.url);
  return { pool, db, store };
}

function copyPath(parts: PgParts, context: BackendContext): CopyPath {
  return { pool: parts.pool, url: context.config.url, segmentMs: copySegmentMs(context.config.timeoutMs) };
}

function handle<T extends keyof StorageServices>(
  parts: PgParts,
  service: StorageServices[T],
): StoreHandle<T> {
  let closed: Promise<void> | undefined;
  return {
    store: parts.store,
    service,
    pool: parts.pool,
    async ping() {
      await parts.pool.query('SELECT 1');
    },
    close() {
      closed ??= parts.pool.end();
      return closed;
    },
  };
}

export const postgresTransactional: BackendFactory<'transactional'> = async (context) => {
  // The outbox lives beside the rows it describes, so a write and its event share a transaction.
  const parts = await openPostgres(context, 'postgres', async (pool) => {
    await migrateMetadata(pool);
    await applyMigrations(pool, OUTBOX_NAMESPACE, OUTBOX_MIGRATIONS);
  });
  const { config, retry, counters } = context;
  const statements = new StatementNames('dal_tx_');
  const service: StorageServices['transactional'] = {
    ...createMetadataRepositories(parts.db),
    transaction: (fn) =>
      runInTransaction(
        {
          store: 'postgres',
          url: config.url,
          statements,
          connect: () =>
            withRetry(retry, counters, () => parts.pool.connect()).catch((error: unknown) => {
              throw storeError('postgres', config.url, 'could not acquire a connection', error);
            }),
        },
        fn,
      ),
  };
  return handle(parts, service);
};

/** `options.layout`: 'partitioned' (default, weekly range partitions) or 'plain' (one indexed table). */
export const postgresTimeSeries: BackendFactory<'timeseries'> = async (context) => {
  const layout = context.config.options.layout ?? 'partitioned';
  if (layout !== 'partitioned' && layout !== 'plain') {
    throw new ValidationError(
      'options.layout',
      `expected "partitioned" or "plain", got ${JSON.stringify(layout)}`,
    );
  }
  if (layout === 'plain') {
    const parts = await openPostgres(context, 'postgres', (pool) =>
      PlainPostgresTimeSeriesRepository.migrate(pool),
    );
    return handle(parts, new PlainPostgresTimeSeriesRepository(parts.db, copyPath(parts, context)));
  }
  const parts = await openPostgres(context, 'postgres', (pool) => PostgresTimeSeriesRepository.migrate(pool));
  return handle(parts, new PostgresTimeSeriesRepository(parts.db, copyPath(parts, context)));
};

export const timescaleTimeSeries: BackendFactory<'timeseries'> = async (context) => {
  // Compression is applied by the system under test after a load; parsed here too, so a bad option fails early.
  const { rollup } = timescaleOptions(context.config);
  const options = { rollup };
  const parts = await openPostgres(context, 'timescaledb', (pool) =>
    TimescaleTimeSeriesRepository.migrate(pool, options),
  );
  return handle(parts, new TimescaleTimeSeriesRepository(parts.db, options, copyPath(parts, context)));
};
