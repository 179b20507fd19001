// The two conditional writes a stale-fill guard needs to hold across clients (memcache-style
// leases). A process-local guard only sees invalidations made in its own process: a second client
// that loaded the old row before a commit and writes it after the writer's invalidation puts back
// a stale value for a whole TTL. With leases, a miss first takes the key (setIfAbsent of a lease
// marker), loads, and fills only if its lease is still there (replaceIfEqual); an invalidation
// (DEL) in between removes the lease, so the late fill is refused, whichever client invalidated.
import type { CacheStore } from '../ports/cache.ts';

/** What Redis said about the key a conditional write looked at (for the keyspace cross-check). */
export type ReplaceOutcome = 'replaced' | 'other-value' | 'missing';

export interface AtomicCacheWrites {
  /** SET NX PX: write only when the key does not exist. Looks nothing up in Redis's keyspace stats. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Replace the value only when it is exactly `expected`, atomically. Redis counts the comparison
   * as a keyspace hit ('replaced', 'other-value') or miss ('missing').
   */
  replaceIfEqual(key: string, expected: string, value: string, ttlMs: number): Promise<ReplaceOutcome>;
}

export type AtomicCacheStore = CacheStore & AtomicCacheWrites;

/** The store's conditional writes, when it has them (a wrapped or a plain store may not). */
export function atomicWritesOf(store: CacheStore): AtomicCacheWrites | undefined {
  const candidate = store as Partial<AtomicCacheWrites>;
  return typeof candidate.setIfAbsent === 'function' && typeof candidate.replaceIfEqual === 'function'
    ? (store as AtomicCacheStore)
    : undefined;
}
