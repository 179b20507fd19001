// The stale-fill guard holds across clients: two cache managers on their own Redis connections
// (as two processes would have), one loading a value while the other invalidates the key. With
// leases the late fill is refused; without the guard it puts the old value back. Real Redis.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RedisCacheStore } from '../backends/redis/redis-cache-store.ts';
import { parseStorageConfigs } from '../config/storage-config.ts';
import { requireStore } from '../../test/support/stores.ts';
import { atomicWritesOf } from './atomic-writes.ts';
import { CacheManager } from './cache-manager.ts';
import { RedisAtomicWrites, withAtomicWrites } from './redis-atomic-writes.ts';

function redisConfig() {
  const [config] = parseStorageConfigs([
    { type: 'cache', backend: 'redis', url: requireStore('redis').url, timeoutMs: 2_000 },
  ]);
  if (!config) throw new Error('no config');
  return config;
}

/** A manager on connections of its own (store + conditional writes), closing both. */
async function client(prefix: string, staleFillGuard = true): Promise<CacheManager & AsyncDisposable> {
  const store = await RedisCacheStore.open(redisConfig());
  const writes = await RedisAtomicWrites.open(redisConfig());
  const manager = new CacheManager(withAtomicWrites(store, writes), {
    prefix,
    staleFillGuard,
    leaseTtlMs: 5_000,
  });
  return Object.assign(manager, {
    async [Symbol.asyncDispose]() {
      await manager.invalidatePattern(manager.keys.everything());
      await store.close();
      await writes.close();
    },
  });
}

/** A loader that returns `value` only when released. */
function gate<T>(value: T) {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  return {
    release,
    get calls() {
      return calls;
    },
    load: async () => {
      calls++;
      await opened;
      return value;
    },
  };
}

const prefix = () => `dalbench-test:guard-${randomBytes(4).toString('hex')}`;

describe('stale-fill guard across clients', () => {
  it("refuses a fill whose lease another client's invalidation removed", async () => {
    const p = prefix();
    await using reader = await client(p);
    await using writer = await client(p);
    const key = reader.key('row', 1);
    const old = gate({ version: 1 });
    const reading = reader.getOrLoad(key, old.load);
    await expect.poll(() => old.calls).toBe(1);
    // The row changes and the writer drops the cached copy, while the reader still loads version 1.
    await writer.invalidate([key]);
    old.release();
    expect(await reading).toEqual({ version: 1 });
    expect(reader.stats().fillsRefused).toBe(1);
    expect(await writer.get(key)).toEqual({ hit: false });
    // The next read loads the new version and caches it.
    expect(await writer.getOrLoad(key, () => ({ version: 2 }))).toEqual({ version: 2 });
    expect(await reader.get(key)).toEqual({ hit: true, value: { version: 2 } });
  });

  it('puts the old value back when the guard is off (the defect it exists for)', async () => {
    const p = prefix();
    await using reader = await client(p, false);
    await using writer = await client(p);
    const key = reader.key('row', 1);
    const old = gate({ version: 1 });
    const reading = reader.getOrLoad(key, old.load);
    await expect.poll(() => old.calls).toBe(1);
    await writer.invalidate([key]);
    old.release();
    await reading;
    expect(await writer.get(key)).toEqual({ hit: true, value: { version: 1 } });
  });

  it("does not wait on another client's lease: it loads for itself and fills nothing", async () => {
    const p = prefix();
    await using first = await client(p);
    await using second = await client(p);
    const key = first.key('row', 1);
    const slow = gate({ version: 1 });
    const loading = first.getOrLoad(key, slow.load);
    await expect.poll(() => slow.calls).toBe(1);
    expect(await second.getOrLoad(key, () => ({ version: 1 }))).toEqual({ version: 1 });
    expect(second.stats()).toMatchObject({ misses: 1, loads: 1 });
    slow.release();
    await loading;
    expect(await second.get(key)).toEqual({ hit: true, value: { version: 1 } });
  });

  it('shares one load among concurrent misses of one client while its lease stands', async () => {
    await using cache = await client(prefix());
    const key = cache.key('row', 1);
    const slow = gate('v');
    const first = cache.getOrLoad(key, slow.load);
    await expect.poll(() => slow.calls).toBe(1);
    const second = cache.getOrLoad(key, () => 'other');
    // Released only once the second read has seen the lease (else the first may be done already).
    await expect.poll(() => cache.stats().misses).toBe(2);
    slow.release();
    expect(await Promise.all([first, second])).toEqual(['v', 'v']);
    expect(cache.stats().loads).toBe(1);
  });

  it('counts every keyspace lookup it sent by what Redis found, the compare-and-set included', async () => {
    await using cache = await client(prefix());
    const key = cache.key('row', 1);
    await cache.getOrLoad(key, () => 1); // GET: nothing; SET NX; compare-and-set: found the lease
    await cache.getOrLoad(key, () => 1); // GET: the value
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, keyspace: { hits: 2, misses: 1 } });
  });

  it('falls back to the process-local guard on a store without conditional writes', async () => {
    await using store = await RedisCacheStore.open(redisConfig());
    expect(atomicWritesOf(store)).toBeUndefined();
    const cache = new CacheManager(store, { prefix: prefix() });
    const key = cache.key('row', 1);
    const old = gate(1);
    const reading = cache.getOrLoad(key, old.load);
    await expect.poll(() => old.calls).toBe(1);
    await cache.invalidate([key]);
    old.release();
    await reading;
    expect(await cache.get(key)).toEqual({ hit: false });
    expect(cache.stats().fillsRefused).toBe(1);
  });
});
