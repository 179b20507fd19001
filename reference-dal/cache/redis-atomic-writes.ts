// AtomicCacheWrites for Redis, on a connection of its own opened from the cache StorageConfig and
// set up like RedisCacheStore's (fail fast, bounded command timeout). It lives here, not in the
// Redis backend, until the CacheStore port carries the two methods itself; then RedisCacheStore
// implements them on its own connection and `withAtomicCacheWrites` has nothing left to add.
import type { Redis } from 'ioredis';
import type { StorageConfig } from '../config/storage-config.ts';
import { StoreError, StoreTimeoutError, ValidationError } from '../errors.ts';
import type { CacheStore } from '../ports/cache.ts';
import type { AtomicCacheStore, AtomicCacheWrites, ReplaceOutcome } from './atomic-writes.ts';
import { newRedisClient } from '../config/redis-client.ts';

// 1: replaced; 0: another value is there; -1: the key is gone. One GET inside: Redis counts it.
const REPLACE_IF_EQUAL = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

const OUTCOMES: Readonly<Record<string, ReplaceOutcome>> = {
  '1': 'replaced',
  '0': 'other-value',
  '-1': 'missing',
};

export class RedisAtomicWrites implements AtomicCacheWrites, AsyncDisposable {
  readonly #client: Redis;
  readonly #url: string;
  #closed = false;

  private constructor(client: Redis, url: string) {
    this.#client = client;
    this.#url = url;
  }

  static async open(config: StorageConfig): Promise<RedisAtomicWrites> {
    if (config.type !== 'cache' || config.backend !== 'redis') {
      throw new ValidationError(
        'storage config',
        `RedisAtomicWrites needs type "cache" and backend "redis", got "${config.type}"/"${config.backend}"`,
      );
    }
    const client = newRedisClient(
      config.url,
      {
        lazyConnect: true,
        enableOfflineQueue: false,
        commandTimeout: config.timeoutMs,
        connectTimeout: config.timeoutMs,
        maxRetriesPerRequest: config.retryAttempts,
        retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), 2_000),
      },
      'cache URL',
    );
    // The cause is in each command's (and connect's) error; without a listener ioredis prints each
    // failed connection attempt to stderr, from the first one on.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw new StoreError('redis', 'could not connect for conditional writes (check the URL)', {
        url: config.url,
        cause: error,
      });
    }
    return new RedisAtomicWrites(client, config.url);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    try {
      return (await this.#client.set(key, value, 'PX', ttlMs, 'NX')) === 'OK';
    } catch (error) {
      throw this.#wrap('SET NX', error);
    }
  }

  async replaceIfEqual(key: string, expected: string, value: string, ttlMs: number): Promise<ReplaceOutcome> {
    let reply: unknown;
    try {
      reply = await this.#client.eval(REPLACE_IF_EQUAL, 1, key, expected, value, String(ttlMs));
    } catch (error) {
      throw this.#wrap('EVAL (replace if equal)', error);
    }
    const outcome = OUTCOMES[String(reply)];
    if (!outcome)
      throw new StoreError('redis', `replace-if-equal script answered ${String(reply)}`, { url: this.#url });
    return outcome;
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.status === 'ready') {
      try {
        await this.#client.quit();
        return;
      } catch {
        // The server went away while quitting: disconnecting is all that is left.
      }
    }
    this.#client.disconnect();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #wrap(command: string, error: unknown): StoreError {
    const message = error instanceof Error ? error.message : String(error);
    const ErrorClass = /timed? ?out/i.test(message) ? StoreTimeoutError : StoreError;
    return new ErrorClass('redis', `${command} failed: ${message}`, { url: this.#url, cause: error });
  }
}

/**
 * `store` with `writes`' two methods added (every other property, and instanceof, stay the
 * store's). A store that already has them is returned as it is.
 */
export function withAtomicWrites(store: CacheStore, writes: AtomicCacheWrites): AtomicCacheStore {
  const added: Record<string, unknown> = {
    setIfAbsent: writes.setIfAbsent.bind(writes),
    replaceIfEqual: writes.replaceIfEqual.bind(writes),
  };
  return new Proxy(store, {
    get(target, property) {
      if (typeof property === 'string' && property in added && !(property in target)) return added[property];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    has(target, property) {
      return (typeof property === 'string' && property in added) || Reflect.has(target, property);
    },
  }) as AtomicCacheStore;
}
