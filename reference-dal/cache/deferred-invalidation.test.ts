// Invalidation after a committed write while Redis is unreachable: the write must not fail for its
// caller (failure isolation), and this process must never read the old cached copy afterwards
// (coherence). Real Redis behind the fault proxy: cut = every connection refused or destroyed.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startTcpProxy, targetOf } from '../../harness/faults/tcp-proxy.ts';
import { requireStore } from '../../test/support/stores.ts';
import { RedisCacheStore } from '../backends/redis/redis-cache-store.ts';
import { parseStorageConfigs } from '../config/storage-config.ts';
import { ValidationError } from '../errors.ts';
import { CacheManager } from './cache-manager.ts';

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('CacheManager.invalidateOrDefer (invalidation after a committed write)', () => {
  it('Redis unreachable: resolves false instead of throwing, and no later read returns the stale copy', async () => {
    const redisUrl = requireStore('redis').url;
    await using proxy = await startTcpProxy(targetOf(redisUrl));
    const [config] = parseStorageConfigs([
      { type: 'cache', backend: 'redis', url: proxy.rewrite(redisUrl), timeoutMs: 1_000, retryAttempts: 0 },
    ]);
    if (!config) throw new Error('no config');
    const store = await RedisCacheStore.open(config);
    const cache = new CacheManager(store, {
      prefix: `dalbench-test:deferred-${randomBytes(4).toString('hex')}`,
    });
    const admin = new Redis(redisUrl, { lazyConnect: true });
    await admin.connect();
    try {
      const key = cache.key('experiment', 'e1');
      await cache.set(key, { version: 1 });

      proxy.cut();
      // The write committed before this; the failed UNLINK is remembered, not thrown.
      await expect(cache.invalidateOrDefer([key])).resolves.toBe(false);
      expect(cache.unconfirmedInvalidations).toBe(1);
      expect(cache.stats().invalidationsDeferred).toBe(1);
      expect(cache.stats().errors.invalidate).toBe(1);
      // Still down: read around the cache, to the source.
      await expect(cache.getOrLoad(key, () => ({ version: 2 }))).resolves.toEqual({ version: 2 });
      // The stale copy is still in Redis: exactly what must not be served once it is back.
      expect(await admin.get(key)).not.toBeNull();

      proxy.restore();
      await until('the store to reconnect', async () => (await store.get(cache.key('probe'))) === null);
      // Back up: the read completes the invalidation first, then loads the new value.
      await expect(cache.getOrLoad(key, () => ({ version: 2 }))).resolves.toEqual({ version: 2 });
      expect(cache.unconfirmedInvalidations).toBe(0);
      await expect(cache.get(key)).resolves.toEqual({ hit: true, value: { version: 2 } });

      // A key outside the prefix is the caller's bug, not an outage: still thrown.
      await expect(cache.invalidateOrDefer(['elsewhere:1'])).rejects.toBeInstanceOf(ValidationError);
      // A deferred key that a later set overwrote holds the fresh value: nothing left to remove.
      proxy.cut();
      await cache.invalidateOrDefer([key]);
      proxy.restore();
      await until('the store to reconnect', async () => (await store.get(cache.key('probe'))) === null);
      await cache.set(key, { version: 3 });
      expect(cache.unconfirmedInvalidations).toBe(0);
      await expect(cache.get(key)).resolves.toEqual({ hit: true, value: { version: 3 } });
      // With the store up, invalidateOrDefer is a plain invalidation.
      await expect(cache.invalidateOrDefer([key])).resolves.toBe(true);
      expect(await admin.get(key)).toBeNull();
    } finally {
      await admin.del(cache.key('experiment', 'e1'));
      admin.disconnect();
      await cache.close();
      await store.close();
    }
  });
});
