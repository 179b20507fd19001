// Option validation at the edge: defaults, bounds, and an error that names the field and says what
// was expected. Pure (no store).
import { ZodError } from 'zod';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { checkTtl, resolveCacheManagerOptions } from './cache-options.ts';

const sink = () => Promise.resolve();

function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('resolveCacheManagerOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveCacheManagerOptions()).toEqual({
      prefix: 'dalbench',
      defaultTtlMs: 300_000,
      scanBatchSize: 500,
      staleFillGuard: true,
      leaseTtlMs: 5_000,
    });
    expect(resolveCacheManagerOptions({ writeBehind: { sink } }).writeBehind).toEqual({
      sink,
      maxPending: 10_000,
      batchSize: 500,
      flushIntervalMs: 100,
      maxAttempts: 3,
      retryDelayMs: 50,
    });
  });

  it('accepts values inside the bounds', () => {
    expect(resolveCacheManagerOptions({ scanBatchSize: 10 }).scanBatchSize).toBe(10);
    expect(resolveCacheManagerOptions({ scanBatchSize: 100_000 }).scanBatchSize).toBe(100_000);
    expect(
      resolveCacheManagerOptions({ writeBehind: { sink, retryDelayMs: 0 } }).writeBehind?.retryDelayMs,
    ).toBe(0);
    expect(
      resolveCacheManagerOptions({ writeBehind: { sink, retryDelayMs: 60_000 } }).writeBehind?.retryDelayMs,
    ).toBe(60_000);
  });

  it('names the field and what was wrong, keeping the schema error as the cause', () => {
    const bad = refusal(() => resolveCacheManagerOptions({ scanBatchSize: 100_001 }));
    expect(bad.field).toBe('cache options.scanBatchSize');
    expect(bad.cause).toBeInstanceOf(ZodError);
    expect(bad.message).not.toMatch(/invalid$/);

    expect(refusal(() => resolveCacheManagerOptions({ writeBehind: { sink, retryDelayMs: -1 } })).field).toBe(
      'cache options.writeBehind.retryDelayMs',
    );
    expect(
      refusal(() => resolveCacheManagerOptions({ writeBehind: { sink: 'nope' as never } })).message,
    ).toBe('cache options.writeBehind.sink: must be a function (writes) => Promise<void>');
    expect(
      refusal(() => resolveCacheManagerOptions({ writeBehind: { sink, onFlushError: 1 as never } })).message,
    ).toBe('cache options.writeBehind.onFlushError: must be a function');
    expect(refusal(() => resolveCacheManagerOptions({ onError: 'log' as never })).message).toBe(
      'cache options.onError: must be a function',
    );
  });
});

describe('checkTtl', () => {
  it('returns a positive integer TTL as it is', () => {
    expect(checkTtl(1)).toBe(1);
    expect(checkTtl(60_000)).toBe(60_000);
  });

  it('refuses zero, negative and fractional TTLs, naming ttlMs and the value', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      const error = refusal(() => checkTtl(bad));
      expect(error.field).toBe('ttlMs');
      expect(error.message).toBe(`ttlMs: must be a positive integer of milliseconds, got ${bad}`);
    }
  });
});
