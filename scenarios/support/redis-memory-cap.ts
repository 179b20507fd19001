// Caps a Redis server's memory for one scenario run (CONFIG SET maxmemory + maxmemory-policy) and
// puts the previous settings back when disposed. The server may be shared, so a restore only
// happens when the settings are still the ones this cap set: whoever capped it after us restores
// in their turn. The cap is server-wide; other tenants' idle keys are evicted before hot ones too.
import type { Redis } from 'ioredis';
import { newRedisClient } from '../../reference-dal/config/redis-client.ts';
import { redactUrl } from '../../reference-dal/errors.ts';

export class RedisMemoryCapError extends Error {
  override name = 'RedisMemoryCapError';
}

interface Settings {
  readonly maxmemory: string;
  readonly policy: string;
}

export class RedisMemoryCap implements AsyncDisposable {
  readonly #client: Redis;
  readonly #url: string;
  readonly #previous: Settings;
  #applied: Settings | undefined;
  #closed = false;

  private constructor(client: Redis, url: string, previous: Settings) {
    this.#client = client;
    this.#url = url;
    this.#previous = previous;
  }

  /** An admin connection to the Redis at `url`, remembering its current memory settings. */
  static async open(url: string): Promise<RedisMemoryCap> {
    const client = newRedisClient(
      url,
      { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
      'cache URL',
    );
    client.on('error', () => undefined);
    try {
      await client.connect();
      return new RedisMemoryCap(client, url, await read(client));
    } catch (error) {
      client.disconnect();
      throw new RedisMemoryCapError(`redis at ${redactUrl(url)}: cannot read its memory settings`, {
        cause: error,
      });
    }
  }

  /** used_memory now (bytes, server-wide). */
  async usedMemory(): Promise<number> {
    return infoNumber(await this.#client.info('memory'), 'used_memory');
  }

  /** evicted_keys so far (server-wide). */
  async evictedKeys(): Promise<number> {
    return infoNumber(await this.#client.info('stats'), 'evicted_keys');
  }

  /** Cap memory at `bytes` with `policy`; restored on dispose. */
  async limit(bytes: number, policy: 'allkeys-lru'): Promise<void> {
    if (!Number.isInteger(bytes) || bytes <= 0)
      throw new RangeError(`maxmemory must be a positive integer, got ${bytes}`);
    const settings = { maxmemory: String(bytes), policy };
    try {
      await this.#client.config('SET', 'maxmemory-policy', policy);
      await this.#client.config('SET', 'maxmemory', settings.maxmemory);
    } catch (error) {
      throw new RedisMemoryCapError(`redis at ${redactUrl(this.#url)}: CONFIG SET maxmemory failed`, {
        cause: error,
      });
    }
    this.#applied = settings;
  }

  /** Put the previous settings back when ours are still in place; close the connection. Idempotent. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      const applied = this.#applied;
      if (!applied) return;
      const now = await read(this.#client);
      if (now.maxmemory !== applied.maxmemory || now.policy !== applied.policy) return;
      await this.#client.config('SET', 'maxmemory', this.#previous.maxmemory);
      await this.#client.config('SET', 'maxmemory-policy', this.#previous.policy);
    } catch (error) {
      throw new RedisMemoryCapError(
        `redis at ${redactUrl(this.#url)}: could not restore maxmemory ${this.#previous.maxmemory} / ${this.#previous.policy}`,
        { cause: error },
      );
    } finally {
      await this.#client.quit().catch(() => this.#client.disconnect());
    }
  }
}

async function read(client: Redis): Promise<Settings> {
  const pairs = await client.config('GET', 'maxmemory*');
  const get = (name: string) => {
    const at = pairs.indexOf(name);
    const value = at >= 0 ? pairs[at + 1] : undefined;
    if (value === undefined) throw new RedisMemoryCapError(`CONFIG GET has no ${name}`);
    return value;
  };
  return { maxmemory: get('maxmemory'), policy: get('maxmemory-policy') };
}

function infoNumber(info: string, field: string): number {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  if (!match?.[1]) throw new RedisMemoryCapError(`INFO has no ${field}`);
  return Number(match[1]);
}
