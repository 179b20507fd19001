import { describe, expect, it } from 'vitest';
import { parseLoadStores } from './load-stores.ts';

describe('DALBENCH_LOAD_STORES', () => {
  it('defaults to every loader and takes a comma-separated subset', () => {
    expect(parseLoadStores(undefined)).toEqual(['postgres', 'elasticsearch', 's3']);
    expect(parseLoadStores(' ')).toEqual(['postgres', 'elasticsearch', 's3']);
    expect(parseLoadStores('elasticsearch')).toEqual(['elasticsearch']);
    expect(parseLoadStores('s3, postgres')).toEqual(['s3', 'postgres']);
  });

  it('refuses an unknown or repeated store, naming the variable and the value', () => {
    expect(() => parseLoadStores('redis')).toThrow(
      'DALBENCH_LOAD_STORES: "redis" is not one of postgres, elasticsearch, s3 (got "redis")',
    );
    expect(() => parseLoadStores('s3,,postgres')).toThrow('DALBENCH_LOAD_STORES: "" is not one of');
    expect(() => parseLoadStores('s3,s3')).toThrow('DALBENCH_LOAD_STORES: s3 is named twice');
  });
});
