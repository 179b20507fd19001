// The hit ratio is reported only when Redis's keyspace counters agree with the cache manager's.
import { describe, expect, it } from 'vitest';
import { CacheCrossCheckError, crossCheckedHitRatio } from './cache-cross-check.ts';

const agreeing = {
  cacheHits: 950,
  cacheMisses: 50,
  // 50 misses, each followed by a compare-and-set that found the lease: 50 more keyspace hits.
  dalKeyspaceHits: 1_000,
  dalKeyspaceMisses: 50,
  redisKeyspaceHits: 1_000,
  redisKeyspaceMisses: 50,
};

describe('crossCheckedHitRatio', () => {
  it("reports the manager's ratio when Redis counted the same lookups", () => {
    expect(crossCheckedHitRatio(agreeing)).toEqual({
      cacheHitRatio: 0.95,
      redisKeyspaceHitRatio: 1_000 / 1_050,
      cacheCrossCheckGapPts: 0,
    });
  });

  it('tolerates up to 2 points of difference', () => {
    const near = { ...agreeing, redisKeyspaceHits: 1_000, redisKeyspaceMisses: 60 };
    expect(crossCheckedHitRatio(near).cacheHitRatio).toBe(0.95);
  });

  it('withholds the ratio, saying why, when Redis disagrees by more than 2 points', () => {
    const others = { ...agreeing, redisKeyspaceMisses: 200 };
    expect(() => crossCheckedHitRatio(others)).toThrow(CacheCrossCheckError);
    expect(() => crossCheckedHitRatio(others)).toThrow(
      /cacheHitRatio 95\.0 % not reported: .*83\.3 % .*95\.2 %.*150 more lookups than this cache manager sent/,
    );
  });

  it('withholds the ratio when Redis counted nothing the manager did', () => {
    expect(() => crossCheckedHitRatio({ ...agreeing, redisKeyspaceHits: 0, redisKeyspaceMisses: 0 })).toThrow(
      /no keyspace cross-check possible/,
    );
    const { redisKeyspaceHits: _h, redisKeyspaceMisses: _m, ...noServer } = agreeing;
    expect(() => crossCheckedHitRatio(noServer)).toThrow(CacheCrossCheckError);
  });

  it('reports nothing without a cache or a lookup', () => {
    expect(crossCheckedHitRatio({})).toEqual({});
    expect(crossCheckedHitRatio({ ...agreeing, cacheHits: 0, cacheMisses: 0 })).toEqual({});
  });
});
