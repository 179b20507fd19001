// The cache hit ratio a budget may read only when Redis's own counters back it up. Redis counts
// keyspace hits and misses server-wide; the cache manager counts, beside its hits and misses, every
// lookup it sent by what Redis found (its stale-fill guard's compare-and-set included). Over the
// measure phase both must give the same ratio within CROSS_CHECK_TOLERANCE; otherwise the ratio
// is not reported (so no budget judges it) and the reason is given instead.

/** Largest difference (as a fraction) between the manager's and Redis's keyspace ratios. */
export const CROSS_CHECK_TOLERANCE = 0.02;

export class CacheCrossCheckError extends Error {
  override name = 'CacheCrossCheckError';
}

export interface CacheCounters {
  /** The manager's hits and misses (a lease or a failed read is a miss). */
  readonly cacheHits?: number;
  readonly cacheMisses?: number;
  /** The manager's lookups by what Redis found: what Redis's keyspace counters should have added. */
  readonly dalKeyspaceHits?: number;
  readonly dalKeyspaceMisses?: number;
  /** Redis's keyspace_hits / keyspace_misses deltas (server-wide). */
  readonly redisKeyspaceHits?: number;
  readonly redisKeyspaceMisses?: number;
}

const share = (hits: number | undefined, misses: number | undefined) =>
  hits === undefined || misses === undefined || hits + misses === 0 ? undefined : hits / (hits + misses);

const pct = (value: number) => `${(value * 100).toFixed(1)} %`;

/**
 * `cacheHitRatio` (with `redisKeyspaceHitRatio` and `cacheCrossCheckGapPts` beside it), or
 * nothing when there was no cache or no lookup. Throws CacheCrossCheckError, saying why, when
 * Redis's counters do not back the manager's up: the ratio must then not be reported.
 */
export function crossCheckedHitRatio(c: CacheCounters): Record<string, number> {
  const hitRatio = share(c.cacheHits, c.cacheMisses);
  if (hitRatio === undefined) return {};
  const expected = share(c.dalKeyspaceHits, c.dalKeyspaceMisses);
  const server = share(c.redisKeyspaceHits, c.redisKeyspaceMisses);
  const sent = (c.dalKeyspaceHits ?? 0) + (c.dalKeyspaceMisses ?? 0);
  const counted = (c.redisKeyspaceHits ?? 0) + (c.redisKeyspaceMisses ?? 0);
  if (expected === undefined || server === undefined) {
    throw new CacheCrossCheckError(
      `cacheHitRatio ${pct(hitRatio)} not reported: no keyspace cross-check possible (the cache manager sent ${sent} lookups, Redis counted ${counted})`,
    );
  }
  const gap = Math.abs(server - expected);
  if (gap > CROSS_CHECK_TOLERANCE) {
    const others =
      counted > sent
        ? `; Redis counted ${counted - sent} more lookups than this cache manager sent (its counters are server-wide: other clients of this Redis count there too)`
        : counted < sent
          ? `; Redis counted ${sent - counted} fewer lookups than this cache manager says it sent`
          : '';
    throw new CacheCrossCheckError(
      `cacheHitRatio ${pct(hitRatio)} not reported: Redis's keyspace counters give ${pct(server)} over the measure phase where the cache manager's lookups give ${pct(expected)}, ${(gap * 100).toFixed(1)} points apart (limit ${CROSS_CHECK_TOLERANCE * 100})${others}`,
    );
  }
  return { cacheHitRatio: hitRatio, redisKeyspaceHitRatio: server, cacheCrossCheckGapPts: gap * 100 };
}
