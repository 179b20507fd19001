// What the DAL hands out per storage type, and the shape every backend factory returns.
// To plug in a backend, add a factory to backend-factories.ts (or pass your own table to
// DataAccessLayer.initialize, or name it in a profile's storage(env).backends); the service type
// for its storage type is fixed here.
import type pg from 'pg';
import type { StorageConfig, StorageType } from '../config/storage-config.ts';
import type { StoreName } from '../errors.ts';
import type { CacheStore } from '../ports/cache.ts';
import type { DocumentRepository } from '../ports/documents.ts';
import type { ObjectRepository } from '../ports/objects.ts';
import type { TimeSeriesRepository } from '../ports/time-series.ts';
import type { MetadataRepositories, TransactionalSession } from '../ports/transactional.ts';
import type { RetryCounters, RetryPolicy } from '../sql/retry.ts';

/** Autocommit repositories plus transactions. */
export interface TransactionalService extends MetadataRepositories {
  transaction<T>(fn: (session: TransactionalSession) => Promise<T>): Promise<T>;
}

export interface StorageServices {
  transactional: TransactionalService;
  timeseries: TimeSeriesRepository;
  document: DocumentRepository;
  object: ObjectRepository;
  /** The raw cache store; the CacheManager is built over it (see the cache helper's module). */
  cache: CacheStore;
}

/** A constructed backend: its service, a liveness probe and a way to release everything it holds. */
export interface StoreHandle<T extends StorageType> {
  readonly store: StoreName;
  readonly service: StorageServices[T];
  /** The pg.Pool a PostgreSQL-family backend runs on (absent for other stores): DataAccessLayer.postgresPool. */
  readonly pool?: pg.Pool;
  /** One round trip proving the store answers; rejects otherwise. Not retried. */
  ping(signal: AbortSignal): Promise<void>;
  /** Release pools/connections (and flush anything pending). Called once by the DAL. */
  close(): Promise<void>;
}

export interface BackendContext {
  readonly config: StorageConfig;
  readonly retry: RetryPolicy;
  /** Owned by the DAL, one per storage type; the backend increments it on every retry. */
  readonly counters: RetryCounters;
}

export type BackendFactory<T extends StorageType> = (context: BackendContext) => Promise<StoreHandle<T>>;

/** Storage type → backend name (a built-in Backend, or the caller's own) → factory. */
export type BackendFactories = {
  readonly [T in StorageType]?: Readonly<Partial<Record<string, BackendFactory<T>>>>;
};
