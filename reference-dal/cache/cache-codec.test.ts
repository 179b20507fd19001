import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { CacheDecodeError, decodeCacheValue, encodeCacheValue } from './cache-codec.ts';
import { propertyParameters } from '../../harness/conformance/support/seed.ts';

describe('cache codec', () => {
  it('round-trips JSON values, falsy ones included', () => {
    for (const value of [0, '', false, null, [], {}])
      expect(decodeCacheValue(encodeCacheValue(value))).toEqual(value);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(decodeCacheValue(encodeCacheValue(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      propertyParameters(200),
    );
  });

  it('refuses values JSON cannot hold, naming the field', () => {
    expect(() => encodeCacheValue(undefined)).toThrow(ValidationError);
    expect(() => encodeCacheValue(() => 1, 'loader result')).toThrow(/loader result/);
    expect(() => encodeCacheValue(10n)).toThrow(/not JSON-serialisable/);
  });

  it('recognises entries it did not write', () => {
    for (const raw of ['0', 'null', 'plain text', '{"x":1}', '[1]']) {
      expect(() => decodeCacheValue(raw)).toThrow(CacheDecodeError);
    }
  });
});
