// The counters the harness reads from a CacheManager. Plain numbers on one object per manager: the
// hot path only increments fields, and `snapshot()` copies them for the reader.

export const CACHE_ERROR_KINDS = ['read', 'write', 'invalidate', 'decode', 'flush'] as const;
/**
 * read: GET/MGET failed (the read fell through to the source); write: SET failed; invalidate:
 * UNLINK/SCAN failed; decode: an entry was not written by this codec (treated as a miss); flush: a
 * write-behind sink call failed (retried, then dead-lettered).
 */
export type CacheErrorKind = (typeof CACHE_ERROR_KINDS)[number];

export interface WriteBehindStats {
  /** Writes accepted by `writeBehind` (each will reach the sink exactly once or be dead-lettered). */
  readonly accepted: number;
  /** Writes the sink acknowledged. */
  readonly flushed: number;
  /** Failed sink calls (each failed attempt of a batch counts once). */
  readonly failedAttempts: number;
  /** Writes given up on after the last attempt; see `deadLetters()`. */
  readonly deadLettered: number;
  /** Accepted, not yet flushed nor dead-lettered (a gauge: `resetStats` does not clear it). */
  readonly pending: number;
}

export interface CacheStats {
  readonly hits: number;
  /** Lookups that found nothing usable, including those whose read failed (also counted in `errors.read`). */
  readonly misses: number;
  /** Loader calls made by `getOrLoad` after a miss. */
  readonly loads: number;
  /** Loader calls that threw (the error goes to the caller; nothing is cached). */
  readonly loadFailures: number;
  readonly errors: Readonly<Record<CacheErrorKind, number>>;
  readonly writeBehind: WriteBehindStats;
  /** Read-through fills the stale-fill guard refused (the key was invalidated or re-leased meanwhile). */
  readonly fillsRefused: number;
  /**
   * Every keyspace lookup this manager sent, by what Redis found (a value, a lease, a foreign entry:
   * a hit; nothing: a miss), including the guard's compare-and-set: what Redis's own
   * keyspace_hits / keyspace_misses should have grown by, for the cross-check.
   */
  readonly keyspace: { readonly hits: number; readonly misses: number };
  /**
   * Keys whose invalidation after a committed write failed and was deferred (invalidateOrDefer):
   * until it completes, other processes may read the old copy (up to its TTL).
   */
  readonly invalidationsDeferred: number;
}

export class CacheCounters {
  hits = 0;
  misses = 0;
  loads = 0;
  loadFailures = 0;
  fillsRefused = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  invalidationsDeferred = 0;
  readonly errors: Record<CacheErrorKind, number> = { read: 0, write: 0, invalidate: 0, decode: 0, flush: 0 };

  reset(): void {
    this.hits = 0;
    this.misses = 0;
    this.loads = 0;
    this.loadFailures = 0;
    this.fillsRefused = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.invalidationsDeferred = 0;
    for (const kind of CACHE_ERROR_KINDS) this.errors[kind] = 0;
  }
}

/** hits / (hits + misses), or undefined before the first lookup. */
export function hitRate(stats: Pick<CacheStats, 'hits' | 'misses'>): number | undefined {
  const lookups = stats.hits + stats.misses;
  return lookups === 0 ? undefined : stats.hits / lookups;
}
