// ADR-024 "90%+ cache hit rate for frequently accessed data": read-heavy zipfian (θ 0.99) reads of
// detector configs through the cache (op `read`), with occasional updates that invalidate (op
// `write`), against a cache that cannot hold everything.
//
// The load phase creates the detectors (each about `valueSize` bytes) and warms the cache with all
// of them, coldest first, measuring what they occupy in Redis (the working set); then it caps Redis
// at CACHE_SHARE of that working set with allkeys-lru (CONFIG SET, restored when the system is
// disposed). A correct LRU cache keeps the hot keys and reaches about 0.95 at this size; a cache
// whose entries expire after 1 s loses every key read less than about once a second (about 0.7
// at a few thousand reads per second), and one that never stores hits nothing.
//
// cacheHitRatio is the cache manager's hits / (hits + misses) over the measure phase, reported
// only when Redis's own keyspace counters agree (support/cache-cross-check.ts); `redisEvictedKeys`
// shows the cap was binding.
import { VersionConflictError } from '../reference-dal/errors.ts';
import { defineScenario, type Scenario } from '../harness/workload/scenario.ts';
import type { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { crossCheckedHitRatio } from './support/cache-cross-check.ts';
import { word } from './support/data.ts';
import { errorRate } from './support/derive.ts';
import { RedisMemoryCap } from './support/redis-memory-cap.ts';
import { pick, type ScenarioBuildOptions } from './support/sizes.ts';

export const detectorId = (key: number) => `detector-${key}`;

/** Share of the working set Redis may hold: below it on purpose, so the cache must choose. */
export const CACHE_SHARE = 0.8;
const LOAD_IN_FLIGHT = 16;
const CAP = 'dashboard-reads:redis-memory-cap';

/** The Redis memory cap of this system, opened on first use; undefined without a cache. */
function memoryCap(sut: SystemUnderTest): Promise<RedisMemoryCap> | undefined {
  const url = sut.clientSetup().configs.find((c) => c.type === 'cache')?.url;
  return sut.cache && url ? sut.attach(CAP, () => RedisMemoryCap.open(url)) : undefined;
}

export function dashboardReads(options: ScenarioBuildOptions = {}): Scenario<SystemUnderTest> {
  const records = pick(options, { quick: 2_000, full: 20_000 });
  return defineScenario<SystemUnderTest>({
    name: 'dashboard-reads',
    description: `read-heavy zipfian reads of ${records} detector configs through a cache capped at ${CACHE_SHARE * 100}% of them (98% read, 2% write)`,
    stores: ['postgres'],
    data: { records, valueSize: 2_048 },
    operations: [
      {
        name: 'read',
        weight: 98,
        keys: { type: 'zipfian' },
        async run({ sut, key }) {
          const id = detectorId(key);
          const found = await sut.cached(sut.key('detector', id), () => sut.dal.metadata.detectors.get(id));
          if (!found) throw new Error(`${id} missing`);
        },
      },
      {
        name: 'write',
        weight: 2,
        keys: { type: 'zipfian' },
        async run({ sut, key, rng, recorder }) {
          const id = detectorId(key);
          const current = await sut.dal.metadata.detectors.get(id);
          if (!current) throw new Error(`${id} missing`);
          try {
            await sut.dal.metadata.detectors.update(id, current.version, {
              ...current.data,
              parameters: { ...current.data.parameters, threshold: rng.next(), note: word(rng) },
            });
          } catch (error) {
            // Optimistic concurrency doing its job on a hot key: counted, not an error of the store.
            if (!(error instanceof VersionConflictError)) throw error;
            recorder.count('versionConflicts');
            return;
          }
          await sut.invalidate([sut.key('detector', id)]);
        },
      },
    ],
    async load(ctx) {
      const { sut, rng, records: n } = ctx;
      const cap = await memoryCap(sut);
      const before = cap ? await cap.usedMemory() : 0;
      let rawBytes = 0;
      // Coldest key first (zipfian rank = key): the hottest end up the most recently used.
      for (let top = n - 1; top >= 0; top -= LOAD_IN_FLIGHT) {
        const batch = [];
        for (let key = top; key > top - LOAD_IN_FLIGHT && key >= 0; key--) {
          const data = {
            name: `detector ${key}`,
            algorithm: word(rng),
            parameters: { threshold: rng.next(), notes: word(rng).padEnd(ctx.valueSize(rng), '.') },
            status: 'active' as const,
          };
          batch.push(
            (async () => {
              const entity = await sut.dal.metadata.detectors.create(data, { id: detectorId(key) });
              if (!sut.cache) return;
              const cacheKey = sut.key('detector', entity.id);
              rawBytes += cacheKey.length + JSON.stringify(entity).length;
              await sut.cache.set(cacheKey, entity);
            })(),
          );
        }
        await Promise.all(batch);
      }
      if (!cap) return;
      // What the warmed entries occupy in Redis; never less than their raw bytes (a cache that
      // dropped them, or another tenant freeing memory meanwhile, must not shrink the cap to nothing).
      const workingSet = Math.max((await cap.usedMemory()) - before, rawBytes);
      const limit = before + Math.round(CACHE_SHARE * workingSet);
      await cap.limit(limit, 'allkeys-lru');
      ctx.log(
        `dashboard-reads: Redis capped at ${limit} bytes (allkeys-lru): ${before} in use before warming plus ${CACHE_SHARE * 100}% of the ${workingSet}-byte working set`,
      );
    },
    async snapshot(sut) {
      const own = sut.cacheCounters();
      const server = await sut.serverCacheCounters();
      const cap = await memoryCap(sut);
      return {
        ...(own
          ? {
              cacheHits: own.hits,
              cacheMisses: own.misses,
              dalKeyspaceHits: own.keyspaceHits,
              dalKeyspaceMisses: own.keyspaceMisses,
            }
          : {}),
        ...(server ? { redisKeyspaceHits: server.hits, redisKeyspaceMisses: server.misses } : {}),
        ...(cap ? { redisEvictedKeys: await cap.evictedKeys() } : {}),
      };
    },
    derive(input) {
      // Throws (the runner then reports no derived metric, with this reason) when Redis disagrees.
      return { ...errorRate(input), ...crossCheckedHitRatio(input.counters) };
    },
  });
}

export default dashboardReads();
