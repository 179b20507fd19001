// The counters object and the hit rate the harness derives from it. Pure.
import { describe, expect, it } from 'vitest';
import { CACHE_ERROR_KINDS, CacheCounters, hitRate } from './cache-stats.ts';

describe('CacheCounters', () => {
  it('reset zeroes every counter and every error kind', () => {
    const c = new CacheCounters();
    c.hits = 1;
    c.misses = 2;
    c.loads = 3;
    c.loadFailures = 4;
    c.fillsRefused = 5;
    c.keyspaceHits = 6;
    c.keyspaceMisses = 7;
    c.invalidationsDeferred = 9;
    for (const kind of CACHE_ERROR_KINDS) c.errors[kind] = 8;
    c.reset();
    expect({ ...c, errors: { ...c.errors } }).toEqual({
      hits: 0,
      misses: 0,
      loads: 0,
      loadFailures: 0,
      fillsRefused: 0,
      keyspaceHits: 0,
      keyspaceMisses: 0,
      invalidationsDeferred: 0,
      errors: { read: 0, write: 0, invalidate: 0, decode: 0, flush: 0 },
    });
  });
});

describe('hitRate', () => {
  it('is hits / (hits + misses), undefined before the first lookup', () => {
    expect(hitRate({ hits: 0, misses: 0 })).toBeUndefined();
    expect(hitRate({ hits: 3, misses: 1 })).toBe(0.75);
    expect(hitRate({ hits: 0, misses: 4 })).toBe(0);
    expect(hitRate({ hits: 2, misses: 0 })).toBe(1);
  });
});
