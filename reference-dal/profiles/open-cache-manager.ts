// Where a CacheManager meets a concrete backend, so it sits with the profiles (which wire backends) and
// reference-dal/cache/ knows only the CacheStore port: a validated cache StorageConfig opens a Redis
// store that the manager then owns (and closes); a CacheStore given directly stays the caller's.
import { RedisCacheStore, type RedisCacheStoreOptions } from '../backends/redis/redis-cache-store.ts';
import type { StorageConfig } from '../config/storage-config.ts';
import type { CacheStore } from '../ports/cache.ts';
import { CacheManager } from '../cache/cache-manager.ts';
import type { CacheManagerOptionsInput } from '../cache/cache-options.ts';

export async function openCacheManager(
  source: StorageConfig | CacheStore,
  options: CacheManagerOptionsInput = {},
  connection: RedisCacheStoreOptions = {},
): Promise<CacheManager> {
  if (!isStorageConfig(source)) return new CacheManager(source, options, { ownsStore: false });
  const store = await RedisCacheStore.open(source, connection);
  try {
    return new CacheManager(store, options, { ownsStore: true });
  } catch (error) {
    // Bad manager options: the store just opened must not leak.
    await store.close();
    throw error;
  }
}

function isStorageConfig(source: StorageConfig | CacheStore): source is StorageConfig {
  return 'type' in source && 'backend' in source && 'url' in source;
}
