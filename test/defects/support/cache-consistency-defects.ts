// Defect profiles for the cache and consistency metrics, each the polyglot profile with exactly one
// defect, through the profile's coherence settings or by wrapping the service a backend hands out:
// - staleReads: cache-aside without invalidation; invalidation inside the transaction, before
//   COMMIT; read-through fills without the stale-fill guard;
// - cacheHitRatio: entries that expire after 1 s; a cache whose writes never land;
// - consistencyLag / visibilityTimeouts: a relay whose every publish takes 3 s longer;
// - lostWrites: a relay that acknowledges updates (deleting them from the outbox) without publishing
//   them; creates still go through, so the index exists and only the updates are lost.
import type { BulkItem, BulkResult, DocumentRepository } from '../../../reference-dal/ports/documents.ts';
import type { AtomicCacheStore } from '../../../reference-dal/cache/atomic-writes.ts';
import type { CacheStore } from '../../../reference-dal/ports/cache.ts';
import { polyglotProfile } from '../../../reference-dal/profiles/builtin-profiles.ts';
import { defineProfile, type Profile, type ProfileStorage } from '../../../reference-dal/profiles/profile.ts';

/** The polyglot profile with `change` applied to what its storage resolves to. */
function polyglotWith(
  name: string,
  description: string,
  change: (storage: ProfileStorage) => ProfileStorage,
): Profile {
  return defineProfile({
    name,
    description: `defect: ${description}`,
    requires: [...polyglotProfile.requires],
    optional: [...polyglotProfile.optional],
    storage: (env) => change(polyglotProfile.storage(env)),
  });
}

/** `service` with some methods replaced; everything else (and instanceof) stays the service's own. */
export function overriding<T extends object>(service: T, methods: Partial<T>): T {
  return new Proxy(service, {
    get(target, property) {
      if (Object.hasOwn(methods, property)) return (methods as Record<PropertyKey, unknown>)[property];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export const noInvalidationProfile = polyglotWith(
  'no-invalidation',
  'cache-aside without invalidation after a write',
  (s) => ({ ...s, consistency: { invalidation: 'none' } }),
);

export const invalidateBeforeCommitProfile = polyglotWith(
  'invalidate-before-commit',
  'the cached copy is dropped inside the transaction, before COMMIT',
  (s) => ({ ...s, consistency: { invalidation: 'before-commit' } }),
);

export const noStaleFillGuardProfile = polyglotWith(
  'no-stale-fill-guard',
  'read-through fills without the stale-fill guard (no lease, no in-flight check)',
  (s) => ({ ...s, cache: { staleFillGuard: false } }),
);

export const shortTtlProfile = polyglotWith('cache-ttl-1s', 'cached entries expire after 1 s', (s) => ({
  ...s,
  cacheTtlMs: 1_000,
}));

/** A cache store whose writes never land: SET is acknowledged, and no lease is ever granted. */
export function neverStoring(store: CacheStore): CacheStore {
  return overriding(store as AtomicCacheStore, {
    set: () => Promise.resolve(),
    setIfAbsent: () => Promise.resolve(false),
  });
}

export const neverStoresProfile = polyglotWith(
  'cache-never-stores',
  'the cache acknowledges writes but never stores them',
  (s) => ({ ...s, wrap: { ...s.wrap, cache: neverStoring } }),
);

export const RELAY_DELAY_MS = 3_000;

export const slowRelayProfile = polyglotWith(
  'relay-3s-delay',
  `the outbox relay publishes every batch ${RELAY_DELAY_MS / 1000} s late`,
  (s) => ({
    ...s,
    wrap: {
      ...s.wrap,
      document: (documents: DocumentRepository) =>
        overriding(documents, {
          bulkIndex: async (collection: string, items: readonly BulkItem[]): Promise<BulkResult> => {
            await new Promise((resolve) => setTimeout(resolve, RELAY_DELAY_MS));
            return documents.bulkIndex(collection, items);
          },
        }),
    },
  }),
);

export const droppingRelayProfile = polyglotWith(
  'relay-drops-updates',
  'the outbox relay acknowledges updates (deleting them from the outbox) without publishing them',
  (s) => ({
    ...s,
    wrap: {
      ...s.wrap,
      document: (documents: DocumentRepository) =>
        overriding(documents, {
          bulkIndex: async (collection: string, items: readonly BulkItem[]): Promise<BulkResult> => {
            const creates = items.filter((item) => (item.version ?? 1) <= 1);
            const written = creates.length > 0 ? await documents.bulkIndex(collection, creates) : undefined;
            // The dropped updates are reported as indexed: the relay acknowledges them.
            return {
              indexed: (written?.indexed ?? 0) + items.length - creates.length,
              skippedStale: written?.skippedStale ?? 0,
              errors: written?.errors ?? [],
            };
          },
        }),
    },
  }),
);
