import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import {
  CacheDecodeError,
  decodeCacheValue,
  encodeCacheValue,
  encodeLease,
  leaseToken,
} from './cache-codec.ts';
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

  it('says which field and why, keeping the serialiser error as the cause', () => {
    expect(() => encodeCacheValue(undefined)).toThrow(
      expect.objectContaining({
        field: 'cache value',
        message: 'cache value: undefined cannot be cached (not JSON)',
      }),
    );
    expect(() => encodeCacheValue(() => 1, 'loader result')).toThrow(
      'loader result: function cannot be cached (not JSON)',
    );
    let thrown: unknown;
    try {
      encodeCacheValue({ n: 10n });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ field: 'cache value', message: 'cache value: is not JSON-serialisable' });
    expect((thrown as Error).cause).toBeInstanceOf(TypeError);
  });

  it('says whether a foreign entry is not JSON or not an envelope', () => {
    let notJson: unknown;
    try {
      decodeCacheValue('plain text');
    } catch (error) {
      notJson = error;
    }
    expect(notJson).toMatchObject({ name: 'CacheDecodeError', message: 'cached entry is not JSON' });
    expect((notJson as Error).cause).toBeInstanceOf(SyntaxError);
    for (const raw of ['{"x":1}', '{}', 'null', '[1]', '"v"']) {
      expect(() => decodeCacheValue(raw)).toThrow('cached entry is not a {"v": …} envelope');
    }
    expect(decodeCacheValue('{"v":null}')).toBeNull();
  });

  it('reads a lease token back, and only from a whole lease marker', () => {
    expect(leaseToken(encodeLease('abc-1'))).toBe('abc-1');
    expect(leaseToken('{"lease":"abc-1')).toBeUndefined();
    expect(leaseToken('{"lease":"abc-1"')).toBeUndefined();
    expect(leaseToken('{"v":1}')).toBeUndefined();
  });
});
