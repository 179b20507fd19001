// The cache contract against the real Redis of the test run, with a fresh PostgreSQL database as
// the write-behind sink and a closed port as the "Redis is down" case.
import { afterAll, beforeAll } from 'vitest';
import { RedisCacheStore } from '../../reference-dal/backends/redis/redis-cache-store.ts';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { freePort } from '../provision/free-port.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { requireStore, unavailableReason } from '../../test/support/stores.ts';
import { cacheContract } from './cache.contract.ts';

function cacheConfig(url: string, timeoutMs: number) {
  const [config] = parseStorageConfigs([
    { type: 'cache', backend: 'redis', url, timeoutMs, retryAttempts: 1 },
  ]);
  if (!config) throw new Error('parseStorageConfigs returned nothing');
  return config;
}

let sinkDatabase: TestDatabase | undefined;
beforeAll(async () => {
  if (unavailableReason('postgres') === undefined) {
    sinkDatabase = await createTestDatabase(requireStore('postgres').url, 'cache_sink');
  }
});
afterAll(async () => {
  await sinkDatabase?.[Symbol.asyncDispose]();
});

cacheContract('redis (ioredis, SCAN + UNLINK)', {
  openStore: () => RedisCacheStore.open(cacheConfig(requireStore('redis').url, 5_000)),
  // A port nobody listens on: the store is returned at once and every command fails fast.
  openUnreachableStore: async () =>
    RedisCacheStore.open(cacheConfig(`redis://:secret@127.0.0.1:${await freePort()}`, 500), {
      waitForConnection: false,
    }),
  sinkDatabaseUrl: () => sinkDatabase?.url,
});
