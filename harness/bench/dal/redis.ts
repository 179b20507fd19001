// Micro-benchmark: a GET of a cached value through the CacheManager against raw ioredis `get`, in
// one run, on one Redis. Each side has its own connection; rounds alternate the order of the two
// tasks so neither always runs on a warmer machine, and the reported median is the median of the
// per-round medians. The ratio is a measurement, never asserted.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Bench } from 'tinybench';
import { median, medianUs, round2, type DalVsRawRow } from './bench-row.ts';
import { CacheManager } from '../../../reference-dal/cache/cache-manager.ts';
import { RedisCacheStore } from '../../../reference-dal/backends/redis/redis-cache-store.ts';
import { parseStorageConfigs } from '../../../reference-dal/config/storage-config.ts';

export interface RedisBenchOptions {
  /** Time budget per task per round (default 500 ms). */
  readonly timeMs?: number;
  /** Rounds, alternating task order (default 7): short interleaved rounds resist a noisy shared machine. */
  readonly rounds?: number;
}

export async function benchRedisCacheGet(
  redisUrl: string,
  options: RedisBenchOptions = {},
): Promise<DalVsRawRow[]> {
  const timeMs = options.timeMs ?? 500;
  const rounds = options.rounds ?? 7;
  const [config] = parseStorageConfigs([
    { type: 'cache', backend: 'redis', url: redisUrl, timeoutMs: 5_000 },
  ]);
  if (!config) throw new Error('no cache config');
  await using store = await RedisCacheStore.open(config);
  await using cache = new CacheManager(store, { prefix: `dalbench-bench:${randomBytes(4).toString('hex')}` });
  const raw = new Redis(redisUrl, { lazyConnect: true });
  try {
    await raw.connect();
    const key = cache.key('bench', 'detector', 42);
    // A small realistic entry: a detector record (≈110 bytes of JSON).
    const value = {
      id: 42,
      name: 'isolation-forest',
      parameters: { contamination: 0.05, trees: 100 },
      active: true,
    };
    await cache.set(key, value, { ttlMs: 600_000 });
    const rawKey = key; // the same entry: raw reads the envelope bytes, the DAL also decodes them
    const loader = () => {
      throw new Error('the bench entry expired: getOrLoad reached its loader');
    };

    const tasks = {
      'CacheManager.get': async () => {
        const found = await cache.get(key);
        if (!found.hit) throw new Error('bench entry missing');
      },
      'CacheManager.getOrLoad (hit)': async () => {
        await cache.getOrLoad(key, loader);
      },
      'ioredis.get': async () => {
        if ((await raw.get(rawKey)) === null) throw new Error('bench entry missing');
      },
    } as const;
    type Name = keyof typeof tasks;
    const medians: Record<Name, number[]> = {
      'CacheManager.get': [],
      'CacheManager.getOrLoad (hit)': [],
      'ioredis.get': [],
    };
    const names = Object.keys(tasks) as Name[];
    for (let round = 0; round < rounds; round++) {
      const bench = new Bench({ time: timeMs, warmup: true, throws: true });
      const order = round % 2 === 0 ? names : [...names].reverse();
      for (const name of order) bench.add(name, tasks[name]);
      await bench.run();
      for (const task of bench.tasks) medians[task.name as Name].push(medianUs(task));
    }
    const rawUs = median(medians['ioredis.get']);
    const note = `sequential, one connection each (the DAL's with commandTimeout and no offline queue, raw with ioredis defaults), ${rounds} rounds × ${timeMs} ms per task, median of round medians; same ≈110-byte JSON entry, both sides read the same key`;
    return (['CacheManager.get', 'CacheManager.getOrLoad (hit)'] as const).map((name) => {
      const dalUs = median(medians[name]);
      return {
        name: `redis GET cached value: ${name} vs ioredis.get`,
        dalMedianUs: round2(dalUs),
        rawMedianUs: round2(rawUs),
        ratio: round2(dalUs / rawUs),
        target: '≤ 1.15',
        met: dalUs / rawUs <= 1.15,
        note,
      };
    });
  } finally {
    raw.disconnect();
    await cache.invalidatePattern(cache.keys.everything());
  }
}
