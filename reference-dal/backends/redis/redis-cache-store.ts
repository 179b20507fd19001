// CacheStore over one ioredis connection. Configured to fail fast when Redis is down (no offline
// queue, bounded command timeout) so the CacheManager can fall through to the source instead of
// piling up commands that wait for a reconnect.
import type { Redis, RedisOptions } from 'ioredis';
import { z } from 'zod';
import { StoreError, StoreTimeoutError, ValidationError } from '../../errors.ts';
import type { StorageConfig } from '../../config/storage-config.ts';
import { parseBackendOptions } from '../../config/backend-options.ts';
import type { CacheStore } from '../../ports/cache.ts';
import { newRedisClient } from '../../config/redis-client.ts';

/** Backend-specific settings read from `StorageConfig.options` of a redis cache config. */
const redisOptionsSchema = z
  .object({
    /** ioredis auto-pipelining: more throughput under concurrency, slightly more latency when sequential. */
    autoPipelining: z.boolean().default(false),
    /** CLIENT SETNAME, to find the DAL's connections in CLIENT LIST. */
    connectionName: z.string().min(1).max(128).optional(),
  })
  .strict();

export interface RedisCacheStoreOptions {
  /**
   * Wait for the connection before returning (default true): a store that cannot connect within
   * `timeoutMs` throws a StoreError. With false the store is returned at once and keeps
   * reconnecting in the background; until it is ready every command fails fast.
   */
  readonly waitForConnection?: boolean;
}

/** Longest pause between reconnect attempts: the client never gives up, so a cache recovers after an outage. */
export const MAX_RECONNECT_DELAY_MS = 1_000;

export class RedisCacheStore implements CacheStore, AsyncDisposable {
  readonly url: string;
  readonly #client: Redis;
  #lastConnectionError: Error | undefined;
  #closed = false;

  private constructor(client: Redis, url: string) {
    this.#client = client;
    this.url = url;
    // Without a listener ioredis prints every failed reconnect; the cause is kept for error messages.
    client.on('error', (error: Error) => {
      this.#lastConnectionError = error;
    });
  }

  /** Open a store for a validated `{ type: 'cache', backend: 'redis' }` config. */
  static async open(config: StorageConfig, options: RedisCacheStoreOptions = {}): Promise<RedisCacheStore> {
    if (config.type !== 'cache' || config.backend !== 'redis') {
      throw new ValidationError(
        'storage config',
        `RedisCacheStore needs type "cache" and backend "redis", got "${config.type}"/"${config.backend}"`,
      );
    }
    const client = newRedisClient(config.url, redisClientOptions(config), 'cache URL');
    const store = new RedisCacheStore(client, config.url);
    const connecting = client.connect();
    if (options.waitForConnection ?? true) {
      try {
        await connecting;
      } catch (error) {
        client.disconnect();
        // ioredis rejects with "Connection is closed"; the socket error the listener kept says why.
        throw new StoreError('redis', 'could not connect (check the URL, or raise "timeoutMs")', {
          url: config.url,
          cause: store.#lastConnectionError ?? error,
        });
      }
    } else {
      // The first attempt's failure is already recorded by the 'error' listener; reconnects continue.
      connecting.catch(() => undefined);
    }
    return store;
  }

  /** ioredis status: 'ready' when commands can be sent. */
  get status(): string {
    return this.#client.status;
  }

  async get(key: string): Promise<string | null> {
    try {
      return await this.#client.get(key);
    } catch (error) {
      throw this.#wrap('GET', error);
    }
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    try {
      return await this.#client.mget(keys as string[]);
    } catch (error) {
      throw this.#wrap('MGET', error);
    }
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    try {
      if (ttlMs === undefined) await this.#client.set(key, value);
      else await this.#client.set(key, value, 'PX', ttlMs);
    } catch (error) {
      throw this.#wrap('SET', error);
    }
  }

  /** UNLINK (non-blocking delete); returns how many of the keys existed. */
  async del(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    try {
      return await this.#client.unlink(...keys);
    } catch (error) {
      throw this.#wrap('UNLINK', error);
    }
  }

  /** SCAN cursor iteration; a key may be yielded more than once (Redis guarantees at-least-once). */
  async *scan(pattern: string, batchSize = 500): AsyncIterable<string[]> {
    let cursor = '0';
    do {
      let reply: [string, string[]];
      try {
        reply = await this.#client.scan(cursor, 'MATCH', pattern, 'COUNT', batchSize);
      } catch (error) {
        throw this.#wrap('SCAN', error);
      }
      cursor = reply[0];
      if (reply[1].length > 0) yield reply[1];
    } while (cursor !== '0');
  }

  async ping(): Promise<void> {
    try {
      await this.#client.ping();
    } catch (error) {
      throw this.#wrap('PING', error);
    }
  }

  async serverStats(): Promise<{ keyspaceHits: number; keyspaceMisses: number }> {
    let info: string;
    try {
      info = await this.#client.info('stats');
    } catch (error) {
      throw this.#wrap('INFO', error);
    }
    return {
      keyspaceHits: infoField(info, 'keyspace_hits'),
      keyspaceMisses: infoField(info, 'keyspace_misses'),
    };
  }

  /** Idempotent: QUIT when connected, else drop the socket and stop reconnecting. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.status === 'ready') {
      try {
        await this.#client.quit();
        return;
      } catch {
        // The server went away while quitting: disconnecting below is all that is left to do.
      }
    }
    this.#client.disconnect();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #wrap(command: string, error: unknown): StoreError {
    const message = error instanceof Error ? error.message : String(error);
    const detail = this.#client.status === 'ready' ? '' : ` (connection ${this.#client.status})`;
    const cause = this.#client.status === 'ready' ? error : (this.#lastConnectionError ?? error);
    if (/timed? ?out/i.test(message)) {
      return new StoreTimeoutError(
        'redis',
        `${command} timed out${detail} (raise "timeoutMs" in the cache config)`,
        {
          url: this.url,
          cause: error,
        },
      );
    }
    return new StoreError('redis', `${command} failed${detail}: ${message}`, { url: this.url, cause });
  }
}

function infoField(info: string, field: string): number {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  if (!match?.[1]) throw new StoreError('redis', `INFO stats has no ${field}`);
  return Number(match[1]);
}

/**
 * The ioredis options a cache config gives (lazy connect: the caller connects). Exported so that a
 * benchmark's raw client can run with exactly the settings the store runs with.
 */
export function redisClientOptions(config: StorageConfig): RedisOptions {
  const redisOptions = parseBackendOptions(redisOptionsSchema, config, 'cache config options');
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: config.timeoutMs,
    connectTimeout: config.timeoutMs,
    // Commands in flight when the connection drops are retried on at most this many reconnects.
    maxRetriesPerRequest: config.retryAttempts,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), MAX_RECONNECT_DELAY_MS),
    enableAutoPipelining: redisOptions.autoPipelining,
    ...(redisOptions.connectionName ? { connectionName: redisOptions.connectionName } : {}),
  };
}
