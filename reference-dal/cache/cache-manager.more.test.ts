// CacheManager paths the contract suite does not pin: per-call TTLs as Redis holds them, sharing
// and forgetting in-flight loads, invalidatePattern's effect on them, decode and load failures,
// the lease path's failure and keyspace accounting, write-behind error reporting, the no-write-
// behind defaults, and what each refusal says. Real Redis (the test run's); an unreachable Redis is
// a port nobody listens on; write-behind sinks are plain functions (the caller's code).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../harness/provision/free-port.ts';
import { requireStore } from '../../test/support/stores.ts';
import { RedisCacheStore } from '../backends/redis/redis-cache-store.ts';
import { parseStorageConfigs, type StorageConfig } from '../config/storage-config.ts';
import { StoreError, ValidationError } from '../errors.ts';
import type { CachePattern } from './cache-keys.ts';
import { CacheManager } from './cache-manager.ts';
import type { CacheManagerOptionsInput } from './cache-options.ts';
import { CacheDecodeError } from './cache-codec.ts';
import { RedisAtomicWrites, withAtomicWrites } from './redis-atomic-writes.ts';
import type { WriteBehindEntry } from './write-behind-queue.ts';

function redisConfig(url = requireStore('redis').url, timeoutMs = 2_000): StorageConfig {
  const [config] = parseStorageConfigs([{ type: 'cache', backend: 'redis', url, timeoutMs }]);
  if (!config) throw new Error('no config');
  return config;
}

const freshPrefix = () => `dalbench-test:manager-${randomBytes(4).toString('hex')}`;

type Client = CacheManager & AsyncDisposable & { readonly closeWrites: () => Promise<void> };

/**
 * A manager on its own Redis connection(s), removing its keys and closing what it opened when
 * disposed. `atomic`: with conditional writes (leases) on a second connection.
 */
async function client(options: CacheManagerOptionsInput, atomic = false): Promise<Client> {
  const store = await RedisCacheStore.open(redisConfig());
  const writes = atomic ? await RedisAtomicWrites.open(redisConfig()) : undefined;
  const manager = new CacheManager(writes ? withAtomicWrites(store, writes) : store, {
    prefix: freshPrefix(),
    ...options,
  });
  return Object.assign(manager, {
    closeWrites: async () => writes?.close(),
    async [Symbol.asyncDispose]() {
      try {
        await manager.close();
        await manager.invalidatePattern(manager.keys.everything());
      } finally {
        await store.close();
        await writes?.close();
      }
    },
  });
}

/** A plain connection for what the manager does not expose (PTTL, raw foreign entries). */
async function admin(): Promise<Redis & AsyncDisposable> {
  const redis = new Redis(requireStore('redis').url, { lazyConnect: true });
  await redis.connect();
  return Object.assign(redis, {
    async [Symbol.asyncDispose]() {
      await redis.quit();
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

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, the promise resolved');
}

describe('CacheManager on a store without conditional writes', () => {
  it('fills on a miss and serves the fill as a hit', async () => {
    await using cache = await client({});
    const key = cache.key('row', 1);
    expect(await cache.getOrLoad(key, () => ({ n: 1 }))).toEqual({ n: 1 });
    expect(await cache.get(key)).toEqual({ hit: true, value: { n: 1 } });
    expect(cache.stats()).toMatchObject({ loads: 1, hits: 1, misses: 1, fillsRefused: 0 });
    expect(cache.stats().errors.write).toBe(0);
  });

  it('stores with the per-call TTL of getOrLoad, set and writeBehind, else the default', async () => {
    await using redis = await admin();
    await using cache = await client({
      defaultTtlMs: 3_600_000,
      writeBehind: { sink: () => Promise.resolve() },
    });
    const [loaded, written, behind, byDefault] = ['a', 'b', 'c', 'd'].map((part) =>
      cache.key('ttl', part),
    ) as [string, string, string, string];
    await cache.getOrLoad(loaded, () => 1, { ttlMs: 60_000 });
    await cache.set(written, 1, { ttlMs: 60_000 });
    await cache.writeBehind(behind, 1, { ttlMs: 60_000 });
    await cache.getOrLoad(byDefault, () => 1);
    for (const key of [loaded, written, behind]) {
      const ttl = await redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(60_000);
    }
    expect(await redis.pttl(byDefault)).toBeGreaterThan(60_000);
  });

  it('shares one load among concurrent misses of a key', async () => {
    await using cache = await client({});
    const key = cache.key('row', 1);
    const slow = gate('v');
    const first = cache.getOrLoad(key, slow.load);
    await expect.poll(() => slow.calls).toBe(1);
    let otherCalls = 0;
    const second = cache.getOrLoad(key, () => {
      otherCalls++;
      return 'other';
    });
    await expect.poll(() => cache.stats().misses).toBe(2);
    slow.release();
    expect(await Promise.all([first, second])).toEqual(['v', 'v']);
    expect(otherCalls).toBe(0);
    expect(cache.stats().loads).toBe(1);
  });

  it('refuses the fill of a load in flight when invalidatePattern ran meanwhile', async () => {
    await using cache = await client({});
    const key = cache.key('row', 1);
    const old = gate(1);
    const reading = cache.getOrLoad(key, old.load);
    await expect.poll(() => old.calls).toBe(1);
    await cache.invalidatePattern(cache.pattern('row'));
    old.release();
    expect(await reading).toBe(1);
    expect(await cache.get(key)).toEqual({ hit: false });
    expect(cache.stats().fillsRefused).toBe(1);
  });

  it("a superseded load finishing does not drop the newer load's registration", async () => {
    await using cache = await client({});
    const key = cache.key('row', 1);
    const first = gate('v1');
    const reading1 = cache.getOrLoad(key, first.load);
    await expect.poll(() => first.calls).toBe(1);
    await cache.invalidate([key]); // load 1 is stale and forgotten
    const second = gate('v2');
    const reading2 = cache.getOrLoad(key, second.load);
    await expect.poll(() => second.calls).toBe(1);
    first.release();
    expect(await reading1).toBe('v1');
    // Load 2 is still in flight: a third miss joins it instead of loading again.
    let thirdCalls = 0;
    const reading3 = cache.getOrLoad(key, () => {
      thirdCalls++;
      return 'v3';
    });
    await expect.poll(() => cache.stats().misses).toBe(3);
    second.release();
    expect(await Promise.all([reading2, reading3])).toEqual(['v2', 'v2']);
    expect(thirdCalls).toBe(0);
    expect(cache.stats().loads).toBe(2);
  });
});

describe('CacheManager failures and refusals', () => {
  it('counts a foreign entry as a decode error and a miss, and tells onError', async () => {
    const told: [string, unknown][] = [];
    await using cache = await client({ onError: (kind, error) => told.push([kind, error]) });
    const key = cache.key('foreign', 1);
    await cache.store.set(key, 'written by someone else', 60_000);
    expect(await cache.get(key)).toEqual({ hit: false });
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 1, keyspace: { hits: 1, misses: 0 } });
    expect(cache.stats().errors.decode).toBe(1);
    expect(told).toHaveLength(1);
    expect(told[0]?.[0]).toBe('decode');
    expect(told[0]?.[1]).toBeInstanceOf(CacheDecodeError);
  });

  it('getMany answers in key order: hits, misses and foreign entries', async () => {
    await using cache = await client({});
    const [a, b, c] = [cache.key('m', 'a'), cache.key('m', 'b'), cache.key('m', 'c')];
    await cache.set(a, 0);
    await cache.store.set(c, 'foreign', 60_000);
    expect(await cache.getMany([a, b, c, a])).toEqual([
      { hit: true, value: 0 },
      { hit: false },
      { hit: false },
      { hit: true, value: 0 },
    ]);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 2 });
    expect(cache.stats().errors.decode).toBe(1);
  });

  it("passes a loader's error to the caller, counted, caching nothing", async () => {
    await using cache = await client({});
    const key = cache.key('row', 1);
    const boom = new Error('source down');
    await expect(cache.getOrLoad(key, () => Promise.reject(boom))).rejects.toBe(boom);
    expect(cache.stats()).toMatchObject({ loads: 1, loadFailures: 1 });
    expect(await cache.get(key)).toEqual({ hit: false });
  });

  it('refuses a loader result JSON cannot hold, naming the key', async () => {
    await using cache = await client({});
    const key = cache.key('row', 1);
    const error = await rejection(cache.getOrLoad(key, () => 10n));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: `loader result for ${key}` });
  });

  it('refuses keys and patterns outside its prefix, naming the field, the input and the prefix', async () => {
    await using cache = await client({});
    const elsewhere = new CacheManager(cache.store, { prefix: 'elsewhere' });
    const pattern: CachePattern = elsewhere.pattern('row');
    const refused = await rejection(cache.invalidatePattern(pattern));
    expect(refused).toBeInstanceOf(ValidationError);
    expect(refused.message).toBe(
      `pattern: "elsewhere:row" is outside the cache prefix "${cache.keys.prefix}"`,
    );
    const key = await rejection(cache.set('elsewhere:row:1', 1));
    expect(key).toMatchObject({ field: 'key' });
    expect(key.message).toBe(
      `key: "elsewhere:row:1" is outside the cache prefix "${cache.keys.prefix}" (build keys with key())`,
    );
    const wb = await rejection(cache.writeBehind(cache.key('row', 1), 1));
    expect(wb.message).toBe('cache options.writeBehind: is not configured: no sink to write behind to');
  });

  it('without write-behind: flush is a no-op, nothing is pending, and the stats say zero', async () => {
    await using cache = await client({});
    await cache.flush();
    expect(cache.pendingWrites).toBe(0);
    expect(cache.deadLetters()).toEqual([]);
    expect(cache.stats().writeBehind).toEqual({
      accepted: 0,
      flushed: 0,
      failedAttempts: 0,
      deadLettered: 0,
      pending: 0,
    });
    await cache.getOrLoad(cache.key('row', 1), () => 1);
    cache.resetStats();
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0, loads: 0, keyspace: { hits: 0, misses: 0 } });
  });

  it('resetStats zeroes its own and the write-behind counters, not what is pending', async () => {
    const gateWrites: (() => void)[] = [];
    await using cache = await client({
      writeBehind: {
        sink: () => new Promise<void>((resolve) => gateWrites.push(resolve)),
        flushIntervalMs: 3_600_000,
      },
    });
    await cache.writeBehind(cache.key('wb', 1), 1);
    await cache.get(cache.key('wb', 2));
    expect(cache.stats()).toMatchObject({ misses: 1, writeBehind: { accepted: 1, pending: 1 } });
    cache.resetStats();
    expect(cache.stats()).toMatchObject({ misses: 0, writeBehind: { accepted: 0, pending: 1 } });
    const flushing = cache.flush();
    await expect.poll(() => gateWrites.length).toBe(1);
    gateWrites[0]?.();
    await flushing;
  });

  it('write-behind: the sink and a pending read-through get what the cache holds, not the caller’s object', async () => {
    const delivered: WriteBehindEntry[] = [];
    await using cache = await client({
      writeBehind: {
        sink: (writes) => {
          delivered.push(...writes);
          return Promise.resolve();
        },
        flushIntervalMs: 3_600_000,
      },
    });
    const key = cache.key('wb', 'copy');
    const row = { n: 1, tags: ['a'] };
    expect(await cache.writeBehind(key, row)).toEqual({ seq: 1 });
    row.n = 2;
    row.tags.push('b');
    expect(await cache.getOrLoad(key, () => ({ loaded: true }))).toEqual({ n: 1, tags: ['a'] });
    // Evicted from Redis: the read-through finds the pending write, not the source's older row.
    await cache.invalidate([key]);
    expect(await cache.getOrLoad(key, () => ({ loaded: true }))).toEqual({ n: 1, tags: ['a'] });
    await cache.flush();
    expect(delivered).toEqual([{ key, value: { n: 1, tags: ['a'] }, seq: 1 }]);
  });

  it('ping answers on a live Redis and fails on one it cannot reach', async () => {
    await using cache = await client({});
    await cache.ping();
    const url = `redis://127.0.0.1:${await freePort()}`;
    await using down = await RedisCacheStore.open(redisConfig(url, 300), { waitForConnection: false });
    const unreachable = new CacheManager(down, { prefix: freshPrefix() });
    await expect(unreachable.ping()).rejects.toBeInstanceOf(StoreError);
  });

  it('a failed read loads without trying to fill: one store wait per read, not two', async () => {
    // A paused Redis makes each command wait its timeout; a fill after a failed read would double it.
    const url = `redis://127.0.0.1:${await freePort()}`;
    await using down = await RedisCacheStore.open(redisConfig(url, 300), { waitForConnection: false });
    const told: string[] = [];
    const unreachable = new CacheManager(down, { prefix: freshPrefix(), onError: (kind) => told.push(kind) });
    expect(await unreachable.getOrLoad(unreachable.key('row', 1), () => 'v')).toBe('v');
    expect(unreachable.stats()).toMatchObject({ loads: 1, misses: 1 });
    expect(unreachable.stats().errors).toMatchObject({ read: 1, write: 0 });
    expect(told).toEqual(['read']);
  });

  it('await using flushes write-behind writes to the sink', async () => {
    const delivered: unknown[] = [];
    await using outer = await client({});
    {
      await using cache = new CacheManager(outer.store, {
        prefix: outer.keys.prefix,
        writeBehind: {
          sink: (writes) => {
            delivered.push(...writes.map((w) => w.value));
            return Promise.resolve();
          },
          flushIntervalMs: 3_600_000,
        },
      });
      await cache.writeBehind(cache.key('wb', 1), { n: 1 });
      expect(delivered).toEqual([]);
    }
    expect(delivered).toEqual([{ n: 1 }]);
  });

  it('counts each failed sink call as a flush error and tells both callbacks', async () => {
    const told: [string, string][] = [];
    const wbTold: [string, number, number[]][] = [];
    let calls = 0;
    const sink = () => (++calls === 1 ? Promise.reject(new Error('sink down')) : Promise.resolve());
    const onFlushError = (error: unknown, attempt: number, batch: readonly WriteBehindEntry[]) =>
      wbTold.push([(error as Error).message, attempt, batch.map((w) => w.seq)]);
    await using cache = await client({
      onError: (kind, error) => told.push([kind, (error as Error).message]),
      writeBehind: { sink, retryDelayMs: 0, flushIntervalMs: 3_600_000, onFlushError },
    });
    await cache.writeBehind(cache.key('wb', 1), 1);
    await cache.flush();
    expect(cache.stats().errors.flush).toBe(1);
    expect(cache.stats().writeBehind).toMatchObject({ failedAttempts: 1, flushed: 1 });
    expect(told).toEqual([['flush', 'sink down']]);
    expect(wbTold).toEqual([['sink down', 1, [1]]]);

    // Without onError, the write-behind callback is still told.
    calls = 0;
    wbTold.length = 0;
    await using quiet = await client({
      writeBehind: { sink, retryDelayMs: 0, flushIntervalMs: 3_600_000, onFlushError },
    });
    await quiet.writeBehind(quiet.key('wb', 1), 1);
    await quiet.flush();
    expect(wbTold).toEqual([['sink down', 1, [1]]]);
    expect(quiet.stats().errors.flush).toBe(1);
  });
});

describe('CacheManager with conditional writes (leases)', () => {
  it('a normal fill replaces its own lease: no refused fill, one keyspace hit for it', async () => {
    await using cache = await client({}, true);
    const key = cache.key('row', 1);
    await cache.getOrLoad(key, () => 1);
    expect(cache.stats()).toMatchObject({ fillsRefused: 0, keyspace: { hits: 1, misses: 1 } });
    expect(await cache.get(key)).toEqual({ hit: true, value: 1 });
  });

  it('counts a fill that found its key gone as a keyspace miss and a refused fill', async () => {
    const prefix = freshPrefix();
    await using reader = await client({ prefix }, true);
    await using writer = await client({ prefix }, true);
    const key = reader.key('row', 1);
    const old = gate(1);
    const reading = reader.getOrLoad(key, old.load);
    await expect.poll(() => old.calls).toBe(1);
    await writer.invalidate([key]);
    old.release();
    await reading;
    // GET found nothing; the compare-and-set found nothing either.
    expect(reader.stats()).toMatchObject({ fillsRefused: 1, keyspace: { hits: 0, misses: 2 } });
  });

  it('does not join its own load once another reader holds a newer lease on the key', async () => {
    const prefix = freshPrefix();
    await using first = await client({ prefix }, true);
    await using second = await client({ prefix }, true);
    const key = first.key('row', 1);
    const oldLoad = gate('v1');
    const reading1 = first.getOrLoad(key, oldLoad.load); // lease A
    await expect.poll(() => oldLoad.calls).toBe(1);
    await second.invalidate([key]); // lease A gone
    const newLoad = gate('v2');
    const reading2 = second.getOrLoad(key, newLoad.load); // lease B
    await expect.poll(() => newLoad.calls).toBe(1);
    // `first` still has load A in flight, but the key shows lease B: load for this caller.
    expect(await first.getOrLoad(key, () => 'v3')).toBe('v3');
    expect(first.stats().loads).toBe(2);
    oldLoad.release();
    newLoad.release();
    expect(await Promise.all([reading1, reading2])).toEqual(['v1', 'v2']);
    expect(await first.get(key)).toEqual({ hit: true, value: 'v2' });
  });

  it('loads without filling when the lease cannot be taken, counting a write error', async () => {
    const told: string[] = [];
    await using cache = await client({ onError: (kind) => told.push(kind) }, true);
    await cache.closeWrites(); // the conditional-write connection is gone; the store still answers
    const key = cache.key('row', 1);
    expect(await cache.getOrLoad(key, () => 'v')).toBe('v');
    expect(cache.stats()).toMatchObject({ loads: 1, fillsRefused: 0 });
    expect(cache.stats().errors.write).toBe(1);
    expect(told).toEqual(['write']);
    expect(await cache.get(key)).toEqual({ hit: false });
  });
});
