import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { ANY, CacheKeys, escapeKeyPart } from './cache-keys.ts';
import { propertyParameters } from '../../harness/conformance/support/seed.ts';

describe('CacheKeys', () => {
  const keys = new CacheKeys('dalbench:unit');

  it('builds readable prefix:namespace:part keys', () => {
    expect(keys.key('detector', 42, 'profile')).toBe('dalbench:unit:detector:42:profile');
    expect(keys.pattern('detector', 42, ANY)).toBe('dalbench:unit:detector:42:*');
    expect(keys.everything()).toBe('dalbench:unit:*');
  });

  it('escapes glob, separator and escape characters so keys contain no glob syntax', () => {
    expect(escapeKeyPart('a*b?[c]\\d:e%f')).toBe('a%2Ab%3F%5Bc%5D%5Cd%3Ae%25f');
    fc.assert(
      fc.property(fc.string(), fc.array(fc.oneof(fc.string(), fc.integer())), (ns, parts) => {
        fc.pre(ns.length > 0);
        const key = keys.key(ns, ...parts);
        expect(key).not.toMatch(/[*?[\]\\]/);
        // One segment per part: the separator never appears inside a part.
        expect(key.split(':')).toHaveLength(3 + parts.length);
        // Escaping is injective: decoding each segment gives the parts back.
        expect(key.split(':').slice(3).map(decodeURIComponent)).toEqual(parts.map(String));
      }),
      propertyParameters(200),
    );
  });

  it('refuses prefixes with glob or odd characters, and empty namespaces', () => {
    for (const bad of ['', 'a*', 'a:', ':a', 'a b', 'a?b', 'a[1]']) {
      expect(() => new CacheKeys(bad)).toThrow(ValidationError);
    }
    expect(() => keys.key('')).toThrow(/cache namespace/);
  });

  it('owns only keys under its prefix followed by the separator', () => {
    expect(keys.owns('dalbench:unit:x')).toBe(true);
    expect(keys.owns('dalbench:unitx:x')).toBe(false);
    expect(keys.owns('dalbench:unit')).toBe(false);
  });

  it('accepts prefixes of one or many segments, and says what a bad one must look like', () => {
    for (const good of ['a', 'dalbench', 'a:b:c', 'x_1.y-2:z']) expect(new CacheKeys(good).prefix).toBe(good);
    expect(() => new CacheKeys('a*')).toThrow(
      expect.objectContaining({
        field: 'cache prefix',
        message: 'cache prefix: "a*" must be ":"-separated segments of letters, digits, "_", "." or "-"',
      }),
    );
  });

  it('refuses an empty namespace in keys and patterns alike', () => {
    expect(() => keys.key('')).toThrow('cache namespace: must not be empty');
    expect(() => keys.pattern('')).toThrow(
      expect.objectContaining({ field: 'cache namespace', message: 'cache namespace: must not be empty' }),
    );
    expect(() => keys.pattern('', ANY)).toThrow(ValidationError);
  });
});
