// The factory the DAL calls: config → owned Redis store; a shared CacheStore stays the caller's.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StoreError, ValidationError } from '../errors.ts';
import { RedisCacheStore } from '../backends/redis/redis-cache-store.ts';
import { parseStorageConfigs } from '../config/storage-config.ts';
import { requireStore } from '../../test/support/stores.ts';
import { openCacheManager } from './open-cache-manager.ts';

function redisConfig() {
  const [config] = parseStorageConfigs([
    { type: 'cache', backend: 'redis', url: requireStore('redis').url, timeoutMs: 2_000 },
  ]);
  if (!config) throw new Error('no config');
  return config;
}
const prefix = () => `dalbench-test:open-${randomBytes(4).toString('hex')}`;

describe('openCacheManager', () => {
  it('opens a Redis store from a cache config and closes it with the manager', async () => {
    const cache = await openCacheManager(redisConfig(), { prefix: prefix(), defaultTtlMs: 5_000 });
    const key = cache.key('open', 1);
    await cache.set(key, 0);
    expect(await cache.get(key)).toEqual({ hit: true, value: 0 });
    await cache.invalidate([key]);
    await cache.close();
    await cache.close(); // idempotent
    await expect(cache.store.ping()).rejects.toBeInstanceOf(StoreError);
  });

  it('leaves a shared store open', async () => {
    await using store = await RedisCacheStore.open(redisConfig());
    const cache = await openCacheManager(store, { prefix: prefix() });
    await cache.close();
    await store.ping();
  });

  it('refuses bad options, naming the field, without leaking the store it opened', async () => {
    await expect(openCacheManager(redisConfig(), { defaultTtlMs: 0 })).rejects.toThrow(
      /cache options\.defaultTtlMs/,
    );
    await expect(openCacheManager(redisConfig(), { prefix: 'a*' })).rejects.toBeInstanceOf(ValidationError);
    await expect(openCacheManager(redisConfig(), { writeBehind: { sink: 'nope' as never } })).rejects.toThrow(
      /writeBehind\.sink/,
    );
  });

  it('refuses keys outside its prefix and bad per-call TTLs', async () => {
    await using cache = await openCacheManager(redisConfig(), { prefix: prefix() });
    await expect(cache.set('elsewhere:1', 1)).rejects.toThrow(/outside the cache prefix/);
    await expect(cache.set(cache.key('x', 1), 1, { ttlMs: 1.5 })).rejects.toThrow(/ttlMs/);
    await expect(cache.writeBehind(cache.key('x', 1), 1)).rejects.toThrow(/writeBehind/);
  });
});
