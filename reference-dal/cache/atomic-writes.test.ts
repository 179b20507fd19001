// atomicWritesOf is a type guard over an object's methods: it needs both conditional writes. Pure
// (the objects are method sets, not stand-ins for a store: nothing is called on them).
import { describe, expect, it } from 'vitest';
import type { CacheStore } from '../ports/cache.ts';
import { atomicWritesOf } from './atomic-writes.ts';

const fn = () => Promise.resolve(true);

describe('atomicWritesOf', () => {
  it('finds the conditional writes only when both methods are there', () => {
    const both = { setIfAbsent: fn, replaceIfEqual: fn } as unknown as CacheStore;
    expect(atomicWritesOf(both)).toBe(both);
    expect(atomicWritesOf({ setIfAbsent: fn } as unknown as CacheStore)).toBeUndefined();
    expect(atomicWritesOf({ replaceIfEqual: fn } as unknown as CacheStore)).toBeUndefined();
    expect(atomicWritesOf({ setIfAbsent: 1, replaceIfEqual: fn } as unknown as CacheStore)).toBeUndefined();
    expect(atomicWritesOf({} as CacheStore)).toBeUndefined();
  });
});
