// bench:dal paths on Redis: cache reads and writes through the CacheManager against raw ioredis
// doing the same work (the JSON encode/decode a raw caller also needs). Each side has its own
// connection; the group works under a random key prefix, removed afterwards.
import { randomBytes } from 'node:crypto';
import { CacheManager } from '../../../reference-dal/cache/cache-manager.ts';
import {
  RedisCacheStore,
  redisClientOptions,
} from '../../../reference-dal/backends/redis/redis-cache-store.ts';
import { parseStorageConfigs } from '../../../reference-dal/config/storage-config.ts';
import { needUrl, type PathGroupSpec } from './path.ts';
import { newRedisClient } from '../../../reference-dal/config/redis-client.ts';

// A small realistic entry: a detector record (≈110 bytes of JSON).
const VALUE = {
  id: 42,
  name: 'isolation-forest',
  parameters: { contamination: 0.05, trees: 100 },
  active: true,
};
const TTL_MS = 600_000;

/**
 * `ttlMs`: of the entry the read paths hit. It is written again before each side's block, so a run
 * longer than the TTL (24 rounds take ≈ 11 min to reach this group's last round) still reads a hit.
 */
export function redisGroupWith({ ttlMs }: { readonly ttlMs: number }): PathGroupSpec {
  return {
    name: 'redis',
    needs: ['redis'],
    async open(urls) {
      const url = needUrl(urls, 'redis');
      const [config] = parseStorageConfigs([{ type: 'cache', backend: 'redis', url, timeoutMs: 5_000 }]);
      if (!config) throw new Error('no cache config');
      const prefix = `dalbench-bench:${randomBytes(4).toString('hex')}`;
      const store = await RedisCacheStore.open(config);
      let sunk = 0;
      const cache = new CacheManager(store, { prefix }, { ownsStore: true });
      const behind = new CacheManager(
        store,
        {
          prefix: `${prefix}-wb`,
          writeBehind: {
            sink: (writes) => {
              sunk += writes.length;
              return Promise.resolve();
            },
          },
        },
        { ownsStore: false },
      );
      // The raw client runs with the store's own ioredis options (command timeout, no offline
      // queue): a path compares the DAL's code, not two client configurations. What those options
      // cost is its own row (redis.client-settings), against an ioredis client with its defaults.
      const raw = newRedisClient(url, redisClientOptions(config));
      await raw.connect();
      const defaults = newRedisClient(url, { lazyConnect: true });
      await defaults.connect();
      const key = cache.key('bench', 'detector', 42);
      const refresh = () => cache.set(key, VALUE, { ttlMs });
      await refresh();
      const writeKey = cache.key('bench', 'detector', 43);
      const behindKey = behind.key('bench', 'detector', 44);
      const rawWriteKey = `${prefix}:raw:43`;
      const loader = () => {
        throw new Error('the bench entry expired: getOrLoad reached its loader');
      };
      const rawGet = async () => {
        const found = await raw.get(key);
        if (found === null) throw new Error('bench entry missing');
        JSON.parse(found);
      };
      const rawSet = async () => {
        await raw.set(rawWriteKey, JSON.stringify({ v: VALUE }), 'PX', TTL_MS);
      };
      const note =
        'sequential, one connection each, both with the store’s ioredis options (5 s commandTimeout, no offline queue); raw does the JSON encode/decode a caller needs; ≈110-byte entry';
      return {
        paths: [
          {
            id: 'redis.cache-get',
            settle: refresh,
            title: 'CacheManager.get vs ioredis GET + JSON.parse',
            store: 'redis',
            dal: async () => {
              if (!(await cache.get(key)).hit) throw new Error('bench entry missing');
            },
            raw: rawGet,
            note,
          },
          {
            id: 'redis.get-or-load-hit',
            settle: refresh,
            title: 'CacheManager.getOrLoad (hit) vs ioredis GET + JSON.parse',
            store: 'redis',
            dal: async () => {
              await cache.getOrLoad(key, loader);
            },
            raw: rawGet,
            note,
          },
          {
            id: 'redis.cache-set',
            title: 'CacheManager.set vs ioredis SET PX + JSON.stringify',
            store: 'redis',
            dal: () => cache.set(writeKey, VALUE, { ttlMs: TTL_MS }),
            raw: rawSet,
            note,
          },
          {
            id: 'redis.write-behind',
            title: 'CacheManager.writeBehind (cache now, sink later) vs ioredis SET PX + JSON.stringify',
            store: 'redis',
            dal: async () => {
              await behind.writeBehind(behindKey, VALUE, { ttlMs: TTL_MS });
            },
            raw: rawSet,
            note: `${note}; the write-behind sink is an in-process counter (it received every write: checked on close), flushed every 100 ms in the background`,
          },
          {
            id: 'redis.client-settings',
            settle: refresh,
            title: 'ioredis with the store’s options vs ioredis defaults: the same GET + JSON.parse on both',
            store: 'redis',
            dal: rawGet,
            raw: async () => {
              const found = await defaults.get(key);
              if (found === null) throw new Error('bench entry missing');
              JSON.parse(found);
            },
            note: 'what the store’s client options cost, no DAL code on either side: a command timeout is a timer per command; the price of calls that cannot hang, shown on its own so the paths above compare code',
          },
        ],
        async [Symbol.asyncDispose]() {
          try {
            await behind.flush();
            if (sunk === 0) throw new Error('write-behind bench: the sink received no write');
            await cache.invalidatePattern(cache.keys.everything());
            await behind.invalidatePattern(behind.keys.everything());
            await raw.del(rawWriteKey);
          } finally {
            raw.disconnect();
            defaults.disconnect();
            await behind[Symbol.asyncDispose]();
            await cache[Symbol.asyncDispose]();
          }
        },
      };
    },
  };
}

export const redisGroup = redisGroupWith({ ttlMs: TTL_MS });
