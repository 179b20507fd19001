// cacheHitRatio can fail. dashboard-reads warms the cache, caps Redis below the working set
// (allkeys-lru) and measures the hit ratio over the measure phase only. Polyglot's LRU cache keeps
// the hot keys and passes `cacheHitRatio >= 0.90`; a cache whose entries live 1 s, and one that
// never stores, fail it. The ratio is reported only when Redis's keyspace counters back it up: a
// cache layer whose lookups Redis counts but the manager does not gets no ratio, and a warning says why.
import { describe, expect, it } from 'vitest';
import type { CacheStore } from '../../reference-dal/ports/cache.ts';
import { polyglotProfile } from '../../reference-dal/profiles/builtin-profiles.ts';
import { defineProfile } from '../../reference-dal/profiles/profile.ts';
import { dashboardReads } from '../../scenarios/dashboard-reads.ts';
import { neverStoresProfile, overriding, shortTtlProfile } from './support/cache-consistency-defects.ts';
import { runOnProfiles, verdictOf } from './support/run-defect.ts';

const HIT_RATIO = 'cacheHitRatio(dashboard-reads, PROFILE) >= 0.90';

/** Every GET also looks up a key that never exists, behind the cache manager's back. */
const uncountedLookupsProfile = defineProfile({
  name: 'cache-uncounted-lookups',
  description: "defect: the cache layer makes lookups its manager's counters never see",
  requires: [...polyglotProfile.requires],
  optional: [...polyglotProfile.optional],
  storage(env) {
    const base = polyglotProfile.storage(env);
    const cache = (store: CacheStore) =>
      overriding(store, {
        get: async (key: string) => {
          await store.get(`${key}:shadow`);
          return store.get(key);
        },
      });
    return { ...base, wrap: { ...base.wrap, cache } };
  },
});

describe('cache hit ratio defects', () => {
  it('fails the hit-ratio budget for a 1 s TTL and a cache that never stores; polyglot passes', async () => {
    const results = await runOnProfiles({
      scenario: { scenario: dashboardReads({ size: 'quick' }) },
      profiles: [polyglotProfile, shortTtlProfile, neverStoresProfile, uncountedLookupsProfile],
      // A fixed rate: how much a 1 s TTL loses depends on how often each key is read (an LRU cache's
      // ratio does not), so the defect's figure is the same on a fast machine as on a slow one.
      load: { type: 'open', ratePerSec: 2_000 },
      durationMs: 2_000,
      warmupMs: 500,
    });
    const byProfile = new Map(results.scenarios.map((s) => [s.profile, s]));
    const figures = [...byProfile.values()].map((s) => {
      const c = s.counters;
      const reads = s.operations.find((o) => o.name === 'read')?.count;
      const ratio = s.metrics.cacheHitRatio;
      return `${s.profile}: cacheHitRatio ${ratio === undefined ? 'not reported' : ratio.toFixed(3)} (${c.cacheHits}/${(c.cacheHits ?? 0) + (c.cacheMisses ?? 0)}; Redis ${s.metrics.redisKeyspaceHitRatio?.toFixed(3) ?? '-'}), ${reads} reads, ${c.redisEvictedKeys} evictions in the measure phase`;
    });
    console.log(`cache-hit-ratio:\n  ${figures.join('\n  ')}`);

    for (const result of byProfile.values()) expect(result.status, result.reason).toBe('completed');
    expect(verdictOf(results, HIT_RATIO, 'polyglot').status).toBe('pass');
    // The cap was binding: the cache had to evict while it was measured.
    expect(byProfile.get('polyglot')!.counters.redisEvictedKeys).toBeGreaterThan(0);
    expect(verdictOf(results, HIT_RATIO, shortTtlProfile.name).status).toBe('fail');
    expect(verdictOf(results, HIT_RATIO, neverStoresProfile.name).status).toBe('fail');

    const uncounted = byProfile.get(uncountedLookupsProfile.name)!;
    expect(uncounted.metrics.cacheHitRatio).toBeUndefined();
    expect(uncounted.warnings.join('\n')).toMatch(/cacheHitRatio .* not reported: Redis's keyspace counters/);
  }, 300_000);
});
