// ADR-024's DataAccessLayer: one entry point that builds a backend per configured storage type
// (from a factory table), hands out their repositories, runs transactional sessions, checks
// health and releases everything on close. Owns every pool it builds; AsyncDisposable.
import type pg from 'pg';
import { parseStorageConfigs, type StorageConfig, type StorageType } from '../config/storage-config.ts';
import { DalError, StoreError } from '../errors.ts';
import type { CacheStore } from '../ports/cache.ts';
import type { DocumentRepository } from '../ports/documents.ts';
import type { ObjectRepository } from '../ports/objects.ts';
import type { TimeSeriesRepository } from '../ports/time-series.ts';
import type { TransactionalSession } from '../ports/transactional.ts';
import { newRetryCounters, type RetryCounters } from '../sql/retry.ts';
import { backendNames, defaultBackendFactories } from './backend-factories.ts';
import { checkAll, type HealthReport } from './health.ts';
import { CircuitBreaker, guardService, type CircuitStats } from '../resilience/circuit-breaker.ts';
import type { BackendContext, BackendFactories, StorageServices, StoreHandle } from './services.ts';

export interface DataAccessLayerOptions {
  /** Backend factory table; default: defaultBackendFactories(). */
  readonly factories?: BackendFactories;
}

type AnyFactory = (context: BackendContext) => Promise<StoreHandle<StorageType>>;

interface Slot {
  readonly config: StorageConfig;
  readonly handle: StoreHandle<StorageType>;
  readonly counters: RetryCounters;
  readonly breaker?: CircuitBreaker;
}

/** Port methods that go through the store's circuit breaker (the transactional store has none). */
const GUARDED_METHODS: Readonly<Record<StorageType, readonly string[]>> = {
  transactional: [],
  timeseries: ['saveMetrics', 'loadMetrics', 'queryMetrics', 'readPoints', 'countPoints'],
  document: ['index', 'bulkIndex', 'loadDocuments', 'get', 'delete', 'search', 'refresh', 'count'],
  object: ['put', 'get', 'getStream', 'head', 'delete', 'list', 'presignGet'],
  cache: ['get', 'mget', 'set', 'del', 'ping', 'serverStats'],
};

export class DataAccessLayer implements AsyncDisposable {
  readonly #slots: ReadonlyMap<StorageType, Slot>;
  #closing: Promise<void> | undefined;

  private constructor(slots: ReadonlyMap<StorageType, Slot>) {
    this.#slots = slots;
  }

  /**
   * Validate `configs` (parseStorageConfigs: a ValidationError names the field) and build every
   * backend in parallel. If any fails, the ones already built are closed and the first failure
   * is thrown (a StoreError naming the store and redacted URL).
   */
  static async initialize(configs: unknown, options: DataAccessLayerOptions = {}): Promise<DataAccessLayer> {
    const factories = options.factories ?? defaultBackendFactories();
    const parsed = parseStorageConfigs(configs, 'storage config', backendNames(factories));
    const built = await Promise.allSettled(
      parsed.map(async (config): Promise<Slot> => {
        // The table is typed per storage type; looked up by a runtime key it widens to any type.
        const factory = factories[config.type]?.[config.backend] as AnyFactory | undefined;
        if (!factory) {
          throw new DalError(
            `no backend factory for storage type "${config.type}" with backend "${config.backend}"; register one in reference-dal/dal/backend-factories.ts, or a profile's own in its storage(env).backends`,
          );
        }
        const counters = newRetryCounters();
        const built = await factory({ config, retry: { attempts: config.retryAttempts }, counters });
        const methods = GUARDED_METHODS[config.type];
        if (!config.circuitBreaker || methods.length === 0) return { config, handle: built, counters };
        const breaker = new CircuitBreaker(built.store, config.url, config.circuitBreaker);
        const handle = { ...built, service: guardService(built.service, methods, breaker) };
        return { config, handle, counters, breaker };
      }),
    );
    const slots = new Map<StorageType, Slot>();
    for (const result of built)
      if (result.status === 'fulfilled') slots.set(result.value.config.type, result.value);
    const failure = built.find((r) => r.status === 'rejected');
    if (failure) {
      await Promise.allSettled([...slots.values()].map((slot) => slot.handle.close()));
      throw failure.reason;
    }
    return new DataAccessLayer(slots);
  }

  /** Storage types this DAL was configured with. */
  get types(): readonly StorageType[] {
    return [...this.#slots.keys()];
  }

  has(type: StorageType): boolean {
    return this.#slots.has(type);
  }

  /** The service of one storage type; throws a DalError when not configured or closed. */
  service<T extends StorageType>(type: T): StorageServices[T] {
    return this.#slot(type).handle.service as StorageServices[T];
  }

  #slot(type: StorageType): Slot {
    if (this.#closing) throw new DalError('the data access layer is closed');
    const slot = this.#slots.get(type);
    if (!slot) throw new DalError(`storage type "${type}" is not configured`);
    return slot;
  }

  /** Autocommit metadata repositories (detectors, experiments, models). */
  get metadata(): StorageServices['transactional'] {
    return this.service('transactional');
  }

  get timeSeries(): TimeSeriesRepository {
    return this.service('timeseries');
  }

  get documents(): DocumentRepository {
    return this.service('document');
  }

  get objects(): ObjectRepository {
    return this.service('object');
  }

  get cacheStore(): CacheStore {
    return this.service('cache');
  }

  /**
   * Run `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws, and the
   * original error is rethrown. Resolves with what `fn` resolved with.
   */
  session<T>(type: 'transactional', fn: (session: TransactionalSession) => Promise<T>): Promise<T> {
    return this.service(type).transaction(fn);
  }

  /**
   * The pg.Pool a PostgreSQL-backed storage type runs on, for raw SQL that must share the DAL's
   * connections and server processes (bench:dal's raw side does). Borrowed: the DAL ends it on
   * close. Throws a DalError when the type is not configured, not on PostgreSQL, or the DAL is closed.
   */
  postgresPool(type: StorageType): pg.Pool {
    const slot = this.#slot(type);
    if (!slot.handle.pool) {
      throw new DalError(
        `storage type "${type}" runs on ${slot.handle.store} (backend "${slot.config.backend}"), not on a PostgreSQL pool`,
      );
    }
    return slot.handle.pool;
  }

  /** Every configured store in parallel, each bounded by its own timeout (default: its config's timeoutMs). */
  healthCheck(options: { timeoutMs?: number } = {}): Promise<HealthReport> {
    if (this.#closing) throw new DalError('the data access layer is closed');
    return checkAll(
      [...this.#slots.entries()].map(([type, slot]) => ({
        type,
        store: slot.handle.store,
        timeoutMs: options.timeoutMs ?? slot.config.timeoutMs,
        ping: (signal: AbortSignal) => slot.handle.ping(signal),
      })),
    );
  }

  /** Snapshot of retry counters per storage type (retries made, retries exhausted). */
  retryCounters(): Readonly<Partial<Record<StorageType, Readonly<RetryCounters>>>> {
    return Object.fromEntries([...this.#slots.entries()].map(([type, slot]) => [type, { ...slot.counters }]));
  }

  /** Circuit state per storage type that has a breaker (opened, rejected calls). */
  circuitStats(): Readonly<Partial<Record<StorageType, CircuitStats>>> {
    return Object.fromEntries(
      [...this.#slots.entries()].flatMap(([type, slot]) =>
        slot.breaker ? [[type, slot.breaker.stats()]] : [],
      ),
    );
  }

  /** Release every pool. Idempotent; a failure to close one store does not stop the others. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const results = await Promise.allSettled([...this.#slots.values()].map((slot) => slot.handle.close()));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) {
        throw failed.reason instanceof StoreError
          ? failed.reason
          : new DalError('closing the data access layer failed', { cause: failed.reason });
      }
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
