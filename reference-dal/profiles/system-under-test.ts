// What scenarios drive: one profile's DAL plus the ADR's helpers around it (the cache, the outbox
// writer and relay), built for one run and disposed with everything it created: its databases,
// Redis keys, Elasticsearch indices and S3 bucket. Scenarios see only ports and these helpers, never
// a concrete backend, so the same scenario runs unchanged on every profile.
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { ElasticsearchDocumentRepository } from '../backends/elasticsearch/document-repository.ts';
import { S3ObjectRepository } from '../backends/s3/object-repository.ts';
import type { CacheManager } from '../cache/cache-manager.ts';
import type { CacheManagerOptionsInput } from '../cache/cache-options.ts';
import { openCacheManager } from './open-cache-manager.ts';
import { RedisAtomicWrites, withAtomicWrites } from '../cache/redis-atomic-writes.ts';
import type { StorageConfig, StorageType } from '../config/storage-config.ts';
import { ExperimentWriter } from '../consistency/experiment-writer.ts';
import { OutboxRelay, type RunInTransaction } from '../consistency/relay.ts';
import { DataAccessLayer } from '../dal/data-access-layer.ts';
import type { BackendContext, BackendFactories, BackendFactory } from '../dal/services.ts';
import { parseStorageConfigs } from '../config/storage-config.ts';
import { createProfileDatabase, type DatabaseStore, type ProfileDatabase } from './profile-databases.ts';
import {
  settleStores,
  storageFacts,
  timescaleSettling,
  type StorageFacts,
  type TimescaleSettling,
} from './settle-stores.ts';
import { nameSlug } from './store-names.ts';
import { inventoryChanges, takeInventory, type DatasetInventory } from './dataset-inventory.ts';
import {
  datasetIdentity,
  datasetLabel,
  loadedDataset,
  markLoaded,
  type DatasetRequest,
} from './profile-dataset.ts';
import { backendNames, defaultBackendFactories, mergeBackendFactories } from '../dal/backend-factories.ts';
import {
  checkOwnBackends,
  resolveBehaviour,
  type Profile,
  type ProfileEnvironment,
  type ProfileStore,
  type ResolvedBehaviour,
  type ServiceWrappers,
} from './profile.ts';

/** Collections scenarios index into; dropped on dispose (ES indices; PostgreSQL goes with its database). */
export const SUT_COLLECTIONS = ['experiments', 'detections'] as const;

/**
 * A switch that takes one store's network path down and back up (the harness's TCP fault proxy fits it
 * structurally; the DAL never imports the harness).
 */
export interface FaultSwitch {
  cut(): void;
  restore(): void;
}

/** Fault switch per store whose endpoint was routed through one. */
export type FaultSwitches = Readonly<Partial<Record<ProfileStore, FaultSwitch>>>;

export interface SystemUnderTestOptions {
  /** Endpoint URL per store that is up (servers; the profile's databases are created on them). */
  readonly endpoints: Readonly<Partial<Record<ProfileStore, string>>>;
  /** Unique per run (and per scenario, when each scenario gets a fresh system): lowercase a-z0-9. */
  readonly runLabel: string;
  readonly factories?: BackendFactories;
  readonly relay?: { readonly pollIntervalMs?: number; readonly batchSize?: number };
  /** Outage switches for stores whose endpoints go through a fault proxy (failure-isolation scenarios). */
  readonly faults?: FaultSwitches;
  /**
   * `--reuse-data`: the databases, indices and bucket are named by this dataset and kept once
   * `markDatasetLoaded` is called; a kept dataset with exactly this identity is reused (no load).
   */
  readonly dataset?: DatasetRequest;
}

/** A system built with a dataset: whether its data was there already, and what it is. */
export interface DatasetState {
  readonly id: string;
  /** The data was loaded by an earlier system with the same identity: skip the load. */
  readonly reused: boolean;
  /** Why kept data with this identity was dropped and loaded afresh (its stores changed since the load). */
  readonly reloaded?: string;
}

/** Shared with the cleanups, which keep a dataset's data once it is loaded or reused. */
interface DatasetKeeping {
  readonly id: string;
  readonly databaseUrl: string;
  readonly identity: string;
  readonly existed: boolean;
  reused: boolean;
  kept: boolean;
  /** Set when the marker matched but the stores no longer held what the load left. */
  reloaded?: string;
}

export interface Capabilities {
  /** Backend per storage type the profile configured (a built-in name, or the profile's own). */
  readonly backends: Readonly<Partial<Record<StorageType, string>>>;
  readonly cache: boolean;
  /** Presigned URLs (S3 yes, PostgreSQL bytea no). */
  readonly presign: boolean;
}

/**
 * Plain data from which another client opens the same transactional store and cache as this
 * system (its own pool and connection): the parsed storage configs and the cache manager's
 * options. Profile `wrap` decorators are code and do not cross to another client.
 */
export interface ClientSetup {
  readonly configs: readonly StorageConfig[];
  /** The cache manager's options; absent when the profile has no cache. */
  readonly cache?: CacheManagerOptionsInput;
}

export class SystemUnderTest implements AsyncDisposable {
  readonly #cleanups: (() => Promise<void>)[];
  readonly #attachments = new Map<string, Promise<AsyncDisposable>>();
  readonly #clientSetup: ClientSetup;
  readonly #dataset: DatasetKeeping | undefined;
  readonly #databases: Readonly<Partial<Record<DatabaseStore, string>>>;
  readonly #timescale: TimescaleSettling | undefined;
  #disposing: Promise<void> | undefined;

  private constructor(
    readonly profile: string,
    readonly dal: DataAccessLayer,
    /** The profile's cache, or undefined when it has none (reads fall through to the store). */
    readonly cache: CacheManager | undefined,
    /** Experiment row + outbox event in one transaction; invalidates the cached copy after commit. */
    readonly experiments: ExperimentWriter,
    /** Publishes outbox events to the document store (scenarios start it when they need it). */
    readonly relay: OutboxRelay,
    readonly capabilities: Capabilities,
    readonly warnings: readonly string[],
    cleanups: (() => Promise<void>)[],
    /** Outage switches handed in by the harness (empty unless a scenario asked for faults). */
    readonly faults: FaultSwitches,
    /** The profile's coherence settings (defaults unless a defect profile changed one). */
    readonly behaviour: ResolvedBehaviour,
    clientSetup: ClientSetup,
    dataset: DatasetKeeping | undefined,
    databases: Readonly<Partial<Record<DatabaseStore, string>>>,
    timescale: TimescaleSettling | undefined,
  ) {
    this.#cleanups = cleanups;
    this.#clientSetup = clientSetup;
    this.#dataset = dataset;
    this.#databases = databases;
    this.#timescale = timescale;
  }

  /**
   * After a load, before measuring: TimescaleDB's older chunks compressed (as a compression policy
   * would have; profile option `compression: "off"` keeps them as loaded), then VACUUM (ANALYZE) of
   * the profile's databases, so the planner has statistics, the visibility map allows index-only
   * scans and GIN pending lists are merged, as on a settled production database. Otherwise
   * autovacuum does it when it chooses, perhaps in the middle of the measure phase.
   */
  async settleAfterLoad(): Promise<void> {
    await settleStores(this.#databases, this.#timescale);
  }

  /** What a result records about the stores as measured (TimescaleDB chunks and compression ratio). */
  storageFacts(): Promise<StorageFacts> {
    return storageFacts(this.#timescale);
  }

  /**
   * Build `profile`; with a dataset whose stores hold anything but exactly its identity's finished
   * load (a changed spec, an interrupted load), that is dropped first and the system built afresh.
   */
  static async build(profile: Profile, options: SystemUnderTestOptions): Promise<SystemUnderTest> {
    const sut = await SystemUnderTest.#build(profile, options);
    const dataset = sut.#dataset;
    if (!dataset?.existed || dataset.reused) return sut;
    await sut[Symbol.asyncDispose]();
    const fresh = await SystemUnderTest.#build(profile, options);
    if (fresh.#dataset && dataset.reloaded) fresh.#dataset.reloaded = dataset.reloaded;
    if (fresh.#dataset?.existed) {
      await fresh[Symbol.asyncDispose]().catch(() => undefined);
      throw new Error(
        `profile ${profile.name}: dataset ${options.dataset?.id.slice(0, 12)} was created again while this run dropped its stale copy: is another run loading it?`,
      );
    }
    return fresh;
  }

  /** With `--reuse-data`: the dataset and whether its data was reused. */
  get dataset(): DatasetState | undefined {
    const dataset = this.#dataset;
    return (
      dataset && {
        id: dataset.id,
        reused: dataset.reused,
        ...(dataset.reloaded ? { reloaded: dataset.reloaded } : {}),
      }
    );
  }

  /** The load finished: keep this dataset's data for later systems with the same identity. */
  async markDatasetLoaded(): Promise<void> {
    const dataset = this.#dataset;
    if (!dataset || dataset.reused) return;
    await markLoaded(dataset.databaseUrl, dataset.identity, await takeInventory(this.dal, SUT_COLLECTIONS));
    dataset.kept = true;
  }

  /**
   * Build `profile` on the stores in `options.endpoints`: create its databases, build the DAL,
   * the cache manager, the outbox tables, writer and relay. On any failure everything already made
   * is undone before the error propagates.
   */
  static async #build(profile: Profile, options: SystemUnderTestOptions): Promise<SystemUnderTest> {
    const cleanups: (() => Promise<void>)[] = [];
    const undo = async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    };
    try {
      const label = `${profile.name}_${options.runLabel}`;
      // A dataset's stores are named by the dataset (kept across systems); the cache by the run.
      const dataLabel = options.dataset ? datasetLabel(profile.name, options.dataset) : label;
      const keeping = { kept: false };
      let existed = false;
      const databases: Partial<Record<'postgres' | 'timescaledb', string>> = {};
      for (const kind of ['postgres', 'timescaledb'] as const) {
        const server = options.endpoints[kind];
        const used = profile.requires.includes(kind) || profile.optional.includes(kind);
        if (!server || !used) continue;
        const db: ProfileDatabase = await createProfileDatabase(kind, server, dataLabel, {
          reuse: options.dataset !== undefined,
        });
        existed ||= db.existed;
        cleanups.push(async () => {
          if (!keeping.kept) await db[Symbol.asyncDispose]();
        });
        databases[kind] = db.url;
      }
      const runSlug = nameSlug(profile.name, options.runLabel);
      const dataSlug = options.dataset
        ? nameSlug(profile.name, `ds${options.dataset.id.slice(0, 12)}`)
        : runSlug;
      const env: ProfileEnvironment = {
        endpoints: options.endpoints,
        databases,
        names: {
          cachePrefix: `dalbench:${runSlug}`,
          indexPrefix: `dalbench-${dataSlug}-`,
          bucket: `dalbench-${dataSlug}`.replace(/-+$/, ''),
        },
      };
      const storage = profile.storage(env);
      const behaviour = resolveBehaviour(profile.name, storage);
      const own = checkOwnBackends(profile.name, storage);
      const configs = parseStorageConfigs(
        storage.configs,
        `profile ${profile.name} storage`,
        backendNames(own),
      );
      const transactional = configs.find((c) => c.type === 'transactional');
      if (!transactional) throw new Error(`profile ${profile.name} has no transactional storage`);

      // The transactional factory applies the outbox tables with the metadata migrations; the
      // profile's own backends go over the built-in table (or the one the caller handed in).
      const factories = withAtomicCacheWrites(
        mergeBackendFactories(options.factories ?? defaultBackendFactories(), own),
      );
      const dal = await DataAccessLayer.initialize(configs, {
        factories: storage.wrap ? wrapFactories(factories, storage.wrap) : factories,
      });
      // Dropping indices / the bucket needs the live repositories, so it runs before the DAL closes.
      cleanups.push(() => dal.close());
      cleanups.push(async () => {
        if (!keeping.kept) await removeExternalData(dal);
      });
      let dataset: DatasetKeeping | undefined;
      if (options.dataset) {
        const databaseUrl = databases.postgres;
        if (!databaseUrl)
          throw new Error(`profile ${profile.name}: --reuse-data needs a PostgreSQL database`);
        // Options too: data kept compressed must not be reused by a profile that keeps it uncompressed.
        const storedAs = Object.fromEntries(
          configs.map((c) => [c.type, { backend: c.backend, options: c.options }]),
        );
        const identity = await datasetIdentity(databaseUrl, options.dataset, storedAs);
        const loaded = existed ? await loadedDataset(databaseUrl) : undefined;
        const changed =
          loaded?.identity === identity
            ? storesChanged(loaded.inventory, await takeInventory(dal, SUT_COLLECTIONS))
            : undefined;
        const reused = changed === '';
        dataset = Object.assign(keeping, {
          id: options.dataset.id,
          databaseUrl,
          identity,
          existed,
          reused,
          kept: reused,
          ...(changed ? { reloaded: changed } : {}),
        });
      }

      const cacheOptions: CacheManagerOptionsInput = {
        prefix: env.names.cachePrefix,
        staleFillGuard: behaviour.staleFillGuard,
        ...(behaviour.cacheTtlMs === undefined ? {} : { defaultTtlMs: behaviour.cacheTtlMs }),
      };
      const cache = dal.has('cache') ? await openCacheManager(dal.cacheStore, cacheOptions) : undefined;
      if (cache) {
        cleanups.push(() => cache.close());
        cleanups.push(async () => void (await cache.invalidatePattern(cache.keys.everything())));
      }
      const transaction: RunInTransaction = (fn) => dal.session('transactional', fn);
      const invalidate = async (id: string) => {
        if (cache) await cache.invalidate([cache.key('experiment', id)]);
      };
      // After COMMIT the write has happened: Redis down must not turn it into an error for the
      // caller (ADR failure isolation); the invalidation is deferred and this process reads around
      // the key until it completes (CacheManager.invalidateOrDefer).
      const invalidateCommitted = async (id: string) => {
        if (cache) await cache.invalidateOrDefer([cache.key('experiment', id)]);
      };
      const experiments = new ExperimentWriter(transaction, {
        ...(behaviour.invalidation === 'after-commit' ? { afterCommit: invalidateCommitted } : {}),
        ...(behaviour.invalidation === 'before-commit' ? { beforeCommit: invalidate } : {}),
      });
      const relay = new OutboxRelay(transaction, dal.documents, {
        pollIntervalMs: options.relay?.pollIntervalMs ?? 5,
        batchSize: options.relay?.batchSize ?? 500,
      });
      cleanups.push(() => relay.stop());
      const backends = Object.fromEntries(configs.map((c) => [c.type, c.backend]));
      const reused = configs.filter((c) => c.type === 'transactional' || c.type === 'cache');
      return new SystemUnderTest(
        profile.name,
        dal,
        cache,
        experiments,
        relay,
        Object.freeze({ backends, cache: cache !== undefined, presign: backends.object === 's3' }),
        Object.freeze([...(storage.warnings ?? [])]),
        cleanups,
        options.faults ?? {},
        behaviour,
        Object.freeze({
          configs: Object.freeze(reused),
          ...(cache ? { cache: Object.freeze(cacheOptions) } : {}),
        }),
        dataset,
        databases,
        timescaleSettling(configs),
      );
    } catch (error) {
      await undo();
      throw error;
    }
  }

  /** Cache key in this profile's namespace (also valid without a cache: it is then only a name). */
  key(namespace: string, ...parts: readonly (string | number)[]): string {
    return this.cache ? this.cache.key(namespace, ...parts) : [namespace, ...parts].join(':');
  }

  /** Read-through when the profile has a cache; straight to the loader when it has none. */
  async cached<T>(key: string, loader: () => Promise<T | undefined>): Promise<T | undefined> {
    return this.cache ? this.cache.getOrLoad(key, loader) : loader();
  }

  /** Drop cached keys after a write (no-op without a cache). */
  async invalidate(keys: readonly string[]): Promise<void> {
    // Called after a committed write: Redis down defers the invalidation (read around the keys
    // until it completes) instead of turning a write that happened into an error.
    if (this.cache) await this.cache.invalidateOrDefer(keys);
  }

  /**
   * The cache manager's hits and misses, and its keyspace lookups by what Redis found (what Redis's
   * keyspace_hits / keyspace_misses should have grown by); undefined without a cache.
   */
  cacheCounters():
    { hits: number; misses: number; keyspaceHits: number; keyspaceMisses: number } | undefined {
    if (!this.cache) return undefined;
    const stats = this.cache.stats();
    return {
      hits: stats.hits,
      misses: stats.misses,
      keyspaceHits: stats.keyspace.hits,
      keyspaceMisses: stats.keyspace.misses,
    };
  }

  /** Redis's own keyspace_hits / keyspace_misses (server-wide), or undefined without a cache. */
  async serverCacheCounters(): Promise<{ hits: number; misses: number } | undefined> {
    if (!this.cache) return undefined;
    const stats = await this.cache.store.serverStats();
    return { hits: stats.keyspaceHits, misses: stats.keyspaceMisses };
  }

  /**
   * Plain data for another client of this system's transactional store and cache (e.g. a worker
   * thread reading concurrently with this process's writers).
   */
  clientSetup(): ClientSetup {
    return this.#clientSetup;
  }

  /**
   * A resource a scenario opens for this system (a second client, a server setting it changed):
   * opened once per `name` (later calls get the same one), disposed with the system — after the
   * fault switches are restored, before the stores' data are removed. A failed open is not kept.
   */
  async attach<T extends AsyncDisposable>(name: string, open: () => Promise<T>): Promise<T> {
    if (this.#disposing) throw new Error(`profile ${this.profile}: cannot attach "${name}" while disposing`);
    let pending = this.#attachments.get(name);
    if (!pending) {
      pending = open();
      this.#attachments.set(name, pending);
      pending.catch(() => this.#attachments.delete(name));
    }
    return (await pending) as T;
  }

  /** Stop the relay, remove this profile's data from every store, close the DAL. Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.#disposing ??= (async () => {
      const errors: unknown[] = [];
      // First: cleanup (attachments, dropping indices, the bucket) needs the network path a
      // scenario may have cut.
      for (const fault of Object.values(this.faults)) fault.restore();
      const attached = [...this.#attachments.values()].reverse();
      this.#attachments.clear();
      for (const pending of attached) {
        try {
          await (await pending)[Symbol.asyncDispose]();
        } catch (error) {
          errors.push(error);
        }
      }
      for (const cleanup of this.#cleanups.splice(0).reverse()) {
        try {
          await cleanup();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) {
        throw new AggregateError(errors, `profile ${this.profile}: ${errors.length} cleanup step(s) failed`);
      }
    })();
    return this.#disposing;
  }
}

/**
 * The Redis cache factory's store, with the conditional writes the cross-client stale-fill guard
 * needs (on a connection of their own, closed with the store). Another client of the same system
 * builds its DAL with the same table, so both guard their fills alike.
 */
export function withAtomicCacheWrites(factories: BackendFactories): BackendFactories {
  const redis = factories.cache?.redis;
  if (!redis) return factories;
  return {
    ...factories,
    cache: {
      ...factories.cache,
      redis: async (context: BackendContext) => {
        const handle = await redis(context);
        let writes: RedisAtomicWrites;
        try {
          writes = await RedisAtomicWrites.open(context.config);
        } catch (error) {
          await handle.close();
          throw error;
        }
        return {
          ...handle,
          service: withAtomicWrites(handle.service, writes),
          close: async () => {
            try {
              await handle.close();
            } finally {
              await writes.close();
            }
          },
        };
      },
    },
  };
}

/** Every factory of a wrapped storage type hands out the wrapped service. */
function wrapFactories(factories: BackendFactories, wrap: ServiceWrappers): BackendFactories {
  const out: Record<string, unknown> = { ...factories };
  for (const type of Object.keys(wrap) as StorageType[]) {
    const decorate = wrap[type] as ((service: unknown) => unknown) | undefined;
    const table = factories[type] as Record<string, BackendFactory<StorageType>> | undefined;
    if (!decorate || !table) continue;
    out[type] = Object.fromEntries(
      Object.entries(table).map(([backend, factory]) => [
        backend,
        async (context: BackendContext) => {
          const handle = await factory(context);
          return { ...handle, service: decorate(handle.service) };
        },
      ]),
    );
  }
  return out;
}

/**
 * Elasticsearch indices and the S3 bucket outlive a dropped database: remove them explicitly (the
 * given collections' indices; every object and then the bucket). Used by the migration job too.
 */
/** '' when the stores hold what the load left; otherwise what changed (or that nothing was recorded). */
function storesChanged(recorded: DatasetInventory | undefined, now: DatasetInventory): string {
  if (!recorded) return 'its marker records no inventory (written by an older dalbench)';
  const changes = inventoryChanges(recorded, now);
  return changes.length === 0 ? '' : `its stores changed since the load: ${changes.join(', ')}`;
}

export async function removeExternalData(
  dal: DataAccessLayer,
  collections: readonly string[] = SUT_COLLECTIONS,
): Promise<void> {
  if (dal.has('document') && dal.documents instanceof ElasticsearchDocumentRepository) {
    const documents = dal.documents;
    for (const collection of collections) await documents.dropCollection(collection);
  }
  if (dal.has('object') && dal.objects instanceof S3ObjectRepository) {
    const objects = dal.objects;
    for (;;) {
      const batch = await objects.list('', { limit: 500 });
      if (batch.length === 0) break;
      await Promise.all(batch.map((info) => objects.delete(info.key)));
    }
    await objects.client.send(new DeleteBucketCommand({ Bucket: objects.bucket }));
  }
}
