// ADR-024 "90%+ cache hit rate for frequently accessed data": read-heavy, zipfian (θ 0.99) reads of
// detector configs through the cache (op `read`), with occasional updates that invalidate (op `write`).
// cacheHitRatio comes from the CacheManager's counters, cross-checked against Redis's own
// keyspace_hits/misses delta (server-wide: other clients of the same Redis count there too).
import { VersionConflictError } from '../reference-dal/errors.ts';
import { defineScenario, type Scenario } from '../harness/workload/scenario.ts';
import type { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { word } from './support/data.ts';
import { errorRate, ratio } from './support/derive.ts';
import { pick, type ScenarioBuildOptions } from './support/sizes.ts';

export const detectorId = (key: number) => `detector-${key}`;

export function dashboardReads(options: ScenarioBuildOptions = {}): Scenario<SystemUnderTest> {
  const records = pick(options, { quick: 1_000, full: 20_000 });
  return defineScenario<SystemUnderTest>({
    name: 'dashboard-reads',
    description: `read-heavy zipfian reads of ${records} detector configs through the cache (95% read, 5% write)`,
    stores: ['postgres'],
    data: { records },
    operations: [
      {
        name: 'read',
        weight: 95,
        keys: { type: 'zipfian', scrambled: true },
        async run({ sut, key }) {
          const id = detectorId(key);
          const found = await sut.cached(sut.key('detector', id), () => sut.dal.metadata.detectors.get(id));
          if (!found) throw new Error(`${id} missing`);
        },
      },
      {
        name: 'write',
        weight: 5,
        keys: { type: 'zipfian', scrambled: true },
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
    async load({ sut, rng, records: n }) {
      for (let i = 0; i < n; i++) {
        await sut.dal.metadata.detectors.create(
          {
            name: `detector ${i}`,
            algorithm: word(rng),
            parameters: { threshold: rng.next() },
            status: 'active',
          },
          { id: detectorId(i) },
        );
      }
    },
    async snapshot(sut) {
      const own = sut.cacheCounters();
      const server = await sut.serverCacheCounters();
      return {
        ...(own ? { cacheHits: own.hits, cacheMisses: own.misses } : {}),
        ...(server ? { redisKeyspaceHits: server.hits, redisKeyspaceMisses: server.misses } : {}),
      };
    },
    derive(input) {
      const c = input.counters;
      const hit = ratio(c.cacheHits, c.cacheMisses);
      const server = ratio(c.redisKeyspaceHits, c.redisKeyspaceMisses);
      return {
        ...errorRate(input),
        ...(hit === undefined ? {} : { cacheHitRatio: hit }),
        ...(server === undefined ? {} : { redisKeyspaceHitRatio: server }),
      };
    },
  });
}

export default dashboardReads();
