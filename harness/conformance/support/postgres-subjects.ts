// Backends under test, built the way the DAL builds them (pool, migrations, store-error wrapping,
// counted retries) but without the DAL, so a contract suite can open several views of one store.
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../provision/scratch-database.ts';
import { timeSeriesContract } from '../time-series.contract.ts';
import type { StoreName } from '../../../reference-dal/errors.ts';
import type { TimeSeriesRepository } from '../../../reference-dal/ports/time-series.ts';
import { queryableOf, storeErrorsFrom, type Queryable } from '../../../reference-dal/sql/queryable.ts';
import type { CopyPath } from '../../../reference-dal/sql/metric-copy.ts';
import { pgConnection } from '../../../reference-dal/sql/connection.ts';

export interface PoolSubject extends AsyncDisposable {
  readonly pool: pg.Pool;
  readonly db: Queryable;
}

export function openPool(url: string, store: StoreName, max = 4): PoolSubject {
  const pool = new pg.Pool({ ...pgConnection(url), max, allowExitOnIdle: true });
  return {
    pool,
    db: storeErrorsFrom(queryableOf(pool), store, url),
    [Symbol.asyncDispose]: () => pool.end(),
  };
}

/** A Queryable that counts the statements sent through it (round trips to the server). */
export function countingQueryable(db: Queryable): Queryable & { readonly count: () => number } {
  let sent = 0;
  return {
    query: (query) => {
      sent += 1;
      return db.query(query);
    },
    count: () => sent,
  };
}

export type CountedTimeSeries = TimeSeriesRepository &
  AsyncDisposable & {
    /** Statements this repository has sent to its store so far. */
    readonly roundTrips: () => number;
  };

export async function openTimeSeries(
  url: string,
  store: StoreName,
  migrate: (pool: pg.Pool) => Promise<void>,
  build: (db: Queryable, copy: CopyPath) => TimeSeriesRepository,
): Promise<CountedTimeSeries> {
  const subject = openPool(url, store);
  try {
    await migrate(subject.pool);
  } catch (error) {
    await subject[Symbol.asyncDispose]();
    throw error;
  }
  const counted = countingQueryable(subject.db);
  const repository = build(counted, { pool: subject.pool, url });
  return Object.assign(Object.create(repository) as TimeSeriesRepository, {
    saveMetrics: repository.saveMetrics.bind(repository),
    queryMetrics: repository.queryMetrics.bind(repository),
    queryMetricsMany: repository.queryMetricsMany.bind(repository),
    latestPoints: repository.latestPoints.bind(repository),
    topSeries: repository.topSeries.bind(repository),
    readPoints: repository.readPoints.bind(repository),
    countPoints: repository.countPoints.bind(repository),
    roundTrips: counted.count,
    [Symbol.asyncDispose]: () => subject[Symbol.asyncDispose](),
  });
}

/**
 * Register the time-series contract for one SQL backend on a fresh database of `server()`'s server.
 * `server` is called in beforeAll, so a skipped suite never asks for an unavailable store.
 */
export function timeSeriesContractOnFreshDatabase(options: {
  readonly title: string;
  readonly label: string;
  readonly store: StoreName;
  readonly server: () => string;
  readonly migrate: (pool: pg.Pool) => Promise<void>;
  /** `copy` is the backend's COPY path (its own pool), for a loadMetrics that needs one. */
  readonly build: (db: Queryable, copy: CopyPath) => TimeSeriesRepository;
}): void {
  let database: ScratchDatabase | undefined;
  beforeAll(async () => {
    database = await createScratchDatabase(options.server(), options.label);
  });
  afterAll(async () => {
    await database?.[Symbol.asyncDispose]();
  });
  timeSeriesContract(options.title, async () => {
    if (!database) throw new Error('database not created');
    const url = database.url;
    const repo = () => openTimeSeries(url, options.store, options.migrate, options.build);
    const repository = await repo();
    return {
      repository,
      openAnother: repo,
      roundTrips: repository.roundTrips,
      [Symbol.asyncDispose]: () => repository[Symbol.asyncDispose](),
    };
  });
}
