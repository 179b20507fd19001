// ADR-024's CacheManager over any CacheStore: read-through (`getOrLoad`), cache-aside primitives
// (`get`, `set`, `invalidate`, `invalidatePattern`) and write-behind, with the counters the harness
// reads. Reads never fail because the cache does: a failed read counts an error and a miss, and
// `getOrLoad` falls through to the loader. Writes and invalidations report failures by throwing
// (after counting them), because a caller that skipped an invalidation must know.
//
// The stale-fill guard: a read-through fill must never put back a value older than a completed
// invalidation, whichever client invalidated. On a store with conditional writes (atomic-writes.ts)
// a miss takes a lease on the key, loads, and fills only if the lease is still there; without
// them only invalidations made through this manager are seen (a process-local guard).
import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import type { CacheStore } from '../ports/cache.ts';
import { atomicWritesOf, type AtomicCacheWrites } from './atomic-writes.ts';
import { decodeCacheValue, encodeCacheValue, encodeLease, leaseToken } from './cache-codec.ts';
import { CacheKeys, type CachePattern, type KeyPart, type PatternPart } from './cache-keys.ts';
import {
  checkTtl,
  resolveCacheManagerOptions,
  type CacheManagerOptions,
  type CacheManagerOptionsInput,
} from './cache-options.ts';
import { CacheCounters, type CacheErrorKind, type CacheStats } from './cache-stats.ts';
import { WriteBehindQueue, type DeadLetter } from './write-behind-queue.ts';

export type CacheLookup<T> = { readonly hit: true; readonly value: T } | { readonly hit: false };

const MISS: CacheLookup<never> = Object.freeze({ hit: false });

/** A lookup as getOrLoad needs it: a miss may have found another load's lease. */
/** The store failed the read: a fill now would meet the same failure, and the reader would wait for it twice. */
const FAILED: { readonly hit: false; readonly failed: true } = Object.freeze({ hit: false, failed: true });
type Found<T> = CacheLookup<T> | { readonly hit: false; readonly lease: string } | typeof FAILED;

export interface CacheWriteOptions {
  /** Overrides the manager's `defaultTtlMs`. */
  readonly ttlMs?: number;
}

/**
 * A load in flight for one key. `stale` is set when the key is written or invalidated through this
 * manager meanwhile; `lease` is the token it holds in the store (conditional-write stores only).
 */
interface InflightLoad {
  stale: boolean;
  readonly lease: string | undefined;
  readonly promise: Promise<unknown>;
}

export class CacheManager implements AsyncDisposable {
  readonly store: CacheStore;
  readonly keys: CacheKeys;
  readonly options: CacheManagerOptions;
  readonly #ownsStore: boolean;
  readonly #counters = new CacheCounters();
  readonly #writeBehind: WriteBehindQueue | undefined;
  readonly #inflight = new Map<string, InflightLoad>();
  /**
   * Keys whose invalidation after a committed write failed (store down): their cached copy may be
   * stale, so until a later delete succeeds this manager reads around them and fills nothing.
   */
  readonly #unconfirmed = new Set<string>();
  /** The store's conditional writes when it has them and the stale-fill guard is on. */
  readonly #atomic: AtomicCacheWrites | undefined;
  #closing: Promise<void> | undefined;

  /**
   * `ownsStore`: close the store when the manager closes (true when a factory opened it for the
   * manager; false when the caller shares its own store).
   */
  constructor(
    store: CacheStore,
    options: CacheManagerOptionsInput = {},
    ownership: { ownsStore?: boolean } = {},
  ) {
    this.store = store;
    this.options = resolveCacheManagerOptions(options);
    this.keys = new CacheKeys(this.options.prefix);
    this.#ownsStore = ownership.ownsStore ?? false;
    this.#atomic = this.options.staleFillGuard ? atomicWritesOf(store) : undefined;
    const wb = this.options.writeBehind;
    if (wb) {
      this.#writeBehind = new WriteBehindQueue({
        ...wb,
        decode: (stored) => decodeCacheValue(stored as string),
        onFlushError: (error, attempt, batch) => {
          this.#counters.errors.flush++;
          this.options.onError?.('flush', error);
          wb.onFlushError?.(error, attempt, batch);
        },
      });
    }
  }

  /** `prefix:namespace:part:…` with glob and separator characters in parts escaped. */
  key(namespace: string, ...parts: readonly KeyPart[]): string {
    return this.keys.key(namespace, ...parts);
  }

  /** A MATCH pattern shaped like `key()`; `ANY` (from cache-keys.ts) matches any text. */
  pattern(namespace: string, ...parts: readonly PatternPart[]): CachePattern {
    return this.keys.pattern(namespace, ...parts);
  }

  /** Cache-aside read. A failed read or a foreign entry counts an error and returns a miss. */
  async get<T = unknown>(key: string): Promise<CacheLookup<T>> {
    if (!(await this.#confirmed(key))) return MISS;
    const found = await this.#find<T>(key);
    return found.hit ? found : MISS;
  }

  /** `get` for many keys in one round trip (MGET); results in the order of `keys`. */
  async getMany<T = unknown>(keys: readonly string[]): Promise<CacheLookup<T>[]> {
    if (keys.some((key) => this.#unconfirmed.has(key))) {
      return Promise.all(keys.map((key) => this.get<T>(key)));
    }
    let raws: (string | null)[];
    try {
      raws = await this.store.mget(keys);
    } catch (error) {
      this.#counters.misses += keys.length;
      this.#countError('read', error);
      return keys.map(() => MISS);
    }
    return raws.map((raw) => {
      const found = this.#lookup<T>(raw);
      return found.hit ? found : MISS;
    });
  }

  /**
   * Read-through: the cached value, else the loader's (cached unless the key was written or
   * invalidated while it loaded, so a slow load never puts back a value older than a completed
   * invalidation). Concurrent misses of one key share one load when that is safe: with leases,
   * only a load whose lease the store still shows (no invalidation since it began). A loader
   * result of `undefined` means "no such value" and is not cached (every call loads again); `null`
   * is a value and is. A write-behind value the sink has not got yet is returned instead of
   * loading from the source.
   */
  async getOrLoad<T>(
    key: string,
    loader: () => Promise<T | undefined> | T | undefined,
    options?: CacheWriteOptions,
  ): Promise<T | undefined> {
    if (!(await this.#confirmed(key))) return this.#loadOnly(loader);
    const found = await this.#find<T>(key);
    if (found.hit) return found.value;
    const pending = this.#writeBehind?.latest(key);
    if (pending) return pending.value as T;
    if ('failed' in found) return this.#loadOnly(loader);
    const ttlMs = options?.ttlMs === undefined ? this.options.defaultTtlMs : checkTtl(options.ttlMs);
    const running = this.#inflight.get(key);
    const atomic = this.#atomic;
    if (atomic) {
      if ('lease' in found) {
        // Someone is loading this key. Join only our own load whose lease is still in place.
        if (running && running.lease === found.lease) return (await running.promise) as T | undefined;
        return this.#loadOnly(loader);
      }
      this.#checkOwned(key);
      const token = randomUUID();
      let leased = false;
      try {
        leased = await atomic.setIfAbsent(key, encodeLease(token), this.options.leaseTtlMs);
      } catch (error) {
        this.#countError('write', error);
      }
      // Another reader took the key first (or the store failed): load for this caller, fill nothing.
      if (!leased) return this.#loadOnly(loader);
      return this.#track(key, token, (isStale) => this.#load(key, loader, ttlMs, isStale, token));
    }
    if (running) return (await running.promise) as T | undefined;
    return this.#track(key, undefined, (isStale) => this.#load(key, loader, ttlMs, isStale, undefined));
  }

  /** Cache-aside write. Throws (after counting a `write` error) when the store fails. */
  async set(key: string, value: unknown, options?: CacheWriteOptions): Promise<void> {
    this.#checkOwned(key);
    const encoded = encodeCacheValue(value);
    const ttlMs = options?.ttlMs === undefined ? this.options.defaultTtlMs : checkTtl(options.ttlMs);
    this.#markStale(key);
    try {
      await this.store.set(key, encoded, ttlMs);
    } catch (error) {
      this.#countError('write', error);
      throw error;
    }
    // The entry now holds the value just written: no stale copy left to remove.
    this.#unconfirmed.delete(key);
  }

  /** Remove keys (UNLINK). Returns how many existed. Throws (after counting) when the store fails. */
  async invalidate(keys: readonly string[]): Promise<number> {
    for (const key of keys) {
      this.#checkOwned(key);
      this.#markStale(key);
    }
    try {
      const removed = await this.store.del(keys);
      for (const key of keys) this.#unconfirmed.delete(key);
      return removed;
    } catch (error) {
      this.#countError('invalidate', error);
      throw error;
    }
  }

  /**
   * Invalidation after a write that has already committed: a store failure must not turn the
   * committed write into an error for its caller (the ADR's failure isolation: Redis down breaks
   * no write). The keys are remembered instead; this manager reads around them (to the source,
   * filling nothing) until a later delete succeeds, which it tries on their next read. Other
   * processes may read the stale copy until its TTL: `unconfirmedInvalidations` says how many are
   * open. Returns whether the keys were removed now.
   */
  async invalidateOrDefer(keys: readonly string[]): Promise<boolean> {
    try {
      await this.invalidate(keys);
      return true;
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      for (const key of keys) this.#unconfirmed.add(key);
      this.#counters.invalidationsDeferred += keys.length;
      return false;
    }
  }

  /** Keys whose invalidation failed and has not been completed since (see invalidateOrDefer). */
  get unconfirmedInvalidations(): number {
    return this.#unconfirmed.size;
  }

  /** Remove every key matching a pattern: SCAN in steps of `scanBatchSize`, UNLINK per step. Never KEYS. */
  async invalidatePattern(pattern: CachePattern): Promise<number> {
    if (!this.keys.owns(pattern)) {
      throw new ValidationError('pattern', `"${pattern}" is outside the cache prefix "${this.keys.prefix}"`);
    }
    // Which in-flight loads match is not worth computing: a load refused its fill just loads again.
    for (const load of this.#inflight.values()) load.stale = true;
    this.#inflight.clear();
    let removed = 0;
    try {
      for await (const batch of this.store.scan(pattern, this.options.scanBatchSize)) {
        removed += await this.store.del(batch);
      }
    } catch (error) {
      this.#countError('invalidate', error);
      throw error;
    }
    return removed;
  }

  /**
   * Write-behind: the cache gets the value now, the sink gets it later (in a batch, on the flush
   * interval or on close). Resolves once the write is accepted; when the queue is full it first
   * waits for a flush. A failed cache write is counted but does not refuse the write: the sink
   * still gets it. Needs the `writeBehind` option.
   */
  async writeBehind(key: string, value: unknown, options?: CacheWriteOptions): Promise<{ seq: number }> {
    const queue = this.#writeBehind;
    if (!queue)
      throw new ValidationError('cache options.writeBehind', 'is not configured: no sink to write behind to');
    this.#checkOwned(key);
    const encoded = encodeCacheValue(value);
    const ttlMs = options?.ttlMs === undefined ? this.options.defaultTtlMs : checkTtl(options.ttlMs);
    // The sink gets what the cache got (decoded from the same text when the flush reads it), not an
    // object the caller may still mutate.
    const entry = queue.tryEnqueue(key, encoded) ?? (await queue.enqueue(key, encoded));
    this.#markStale(key);
    try {
      await this.store.set(key, encoded, ttlMs);
    } catch (error) {
      this.#countError('write', error);
    }
    return { seq: entry.seq };
  }

  /** Flush every write-behind write accepted so far (no-op without write-behind). */
  async flush(): Promise<void> {
    await this.#writeBehind?.flush();
  }

  get pendingWrites(): number {
    return this.#writeBehind?.pending ?? 0;
  }

  deadLetters(): readonly DeadLetter[] {
    return this.#writeBehind?.deadLetters() ?? [];
  }

  stats(): CacheStats {
    const c = this.#counters;
    const keyspace = { hits: c.keyspaceHits, misses: c.keyspaceMisses };
    const wb = this.#writeBehind?.stats() ?? {
      accepted: 0,
      flushed: 0,
      failedAttempts: 0,
      deadLettered: 0,
      pending: 0,
    };
    return {
      hits: c.hits,
      misses: c.misses,
      loads: c.loads,
      loadFailures: c.loadFailures,
      errors: { ...c.errors },
      writeBehind: wb,
      fillsRefused: c.fillsRefused,
      keyspace,
      invalidationsDeferred: c.invalidationsDeferred,
    };
  }

  resetStats(): void {
    this.#counters.reset();
    this.#writeBehind?.resetStats();
  }

  /** Health check: one PING. */
  async ping(): Promise<void> {
    await this.store.ping();
  }

  /** Flush write-behind (refusing new writes), then close the store if this manager owns it. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#writeBehind?.close();
      } finally {
        if (this.#ownsStore) await this.store.close();
      }
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** True unless `key` awaits an invalidation that still fails (then the caller reads around the cache). */
  async #confirmed(key: string): Promise<boolean> {
    if (!this.#unconfirmed.has(key)) return true;
    try {
      await this.store.del([key]);
    } catch (error) {
      this.#counters.misses++;
      this.#countError('invalidate', error);
      return false;
    }
    this.#unconfirmed.delete(key);
    return true;
  }

  /** One GET, counted: a value is a hit; nothing, a lease, a foreign entry or a failed read a miss. */
  async #find<T>(key: string): Promise<Found<T>> {
    let raw: string | null;
    try {
      raw = await this.store.get(key);
    } catch (error) {
      this.#counters.misses++;
      this.#countError('read', error);
      return FAILED;
    }
    return this.#lookup<T>(raw);
  }

  #lookup<T>(raw: string | null): Found<T> {
    if (raw === null) {
      this.#counters.keyspaceMisses++;
      this.#counters.misses++;
      return MISS;
    }
    this.#counters.keyspaceHits++;
    const lease = leaseToken(raw);
    if (lease !== undefined) {
      this.#counters.misses++;
      return { hit: false, lease };
    }
    let value: unknown;
    try {
      value = decodeCacheValue(raw);
    } catch (error) {
      this.#counters.misses++;
      this.#countError('decode', error);
      return MISS;
    }
    this.#counters.hits++;
    return { hit: true, value: value as T };
  }

  /** Register a load for `key` so concurrent misses can share it, and forget it once settled. */
  async #track<T>(
    key: string,
    lease: string | undefined,
    start: (isStale: () => boolean) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const load: InflightLoad = { stale: false, lease, promise: start(() => load.stale) };
    this.#inflight.set(key, load);
    try {
      return (await load.promise) as T | undefined;
    } finally {
      if (this.#inflight.get(key) === load) this.#inflight.delete(key);
    }
  }

  /** Load for this caller only: another load holds the key's lease, so this one fills nothing. */
  async #loadOnly<T>(loader: () => Promise<T | undefined> | T | undefined): Promise<T | undefined> {
    this.#counters.loads++;
    try {
      return await loader();
    } catch (error) {
      this.#counters.loadFailures++;
      throw error;
    }
  }

  async #load<T>(
    key: string,
    loader: () => Promise<T | undefined> | T | undefined,
    ttlMs: number,
    isStale: () => boolean,
    lease: string | undefined,
  ): Promise<T | undefined> {
    const value = await this.#loadOnly(loader);
    // No value: nothing to cache (a lease left behind expires after leaseTtlMs).
    if (value === undefined) return value;
    if (this.options.staleFillGuard && isStale()) {
      this.#counters.fillsRefused++;
      return value;
    }
    const encoded = encodeCacheValue(value, `loader result for ${key}`);
    try {
      if (lease !== undefined && this.#atomic) {
        const outcome = await this.#atomic.replaceIfEqual(key, encodeLease(lease), encoded, ttlMs);
        if (outcome === 'missing') this.#counters.keyspaceMisses++;
        else this.#counters.keyspaceHits++;
        // The lease is gone: the key was invalidated (or rewritten) while this value loaded.
        if (outcome !== 'replaced') this.#counters.fillsRefused++;
      } else {
        await this.store.set(key, encoded, ttlMs);
      }
    } catch (error) {
      // The caller has its value; the cache simply stays cold for this key.
      this.#countError('write', error);
    }
    return value;
  }

  #markStale(key: string): void {
    const load = this.#inflight.get(key);
    if (load) {
      load.stale = true;
      this.#inflight.delete(key);
    }
  }

  #checkOwned(key: string): void {
    if (!this.keys.owns(key)) {
      throw new ValidationError(
        'key',
        `"${key}" is outside the cache prefix "${this.keys.prefix}" (build keys with key())`,
      );
    }
  }

  #countError(kind: CacheErrorKind, error: unknown): void {
    this.#counters.errors[kind]++;
    try {
      this.options.onError?.(kind, error);
    } catch {
      // A failing log callback must not change what the cache operation returns.
    }
  }
}
