// CacheManager options, validated once at the edge into a frozen resolved object.
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import type { CacheErrorKind } from './cache-stats.ts';
import type { WriteBehindEntry, WriteBehindSink } from './write-behind-queue.ts';

const positiveInt = z.number().int().positive();
const isFunction = (value: unknown): boolean => typeof value === 'function';

const writeBehindSchema = z
  .object({
    sink: z.custom<WriteBehindSink>(isFunction, 'must be a function (writes) => Promise<void>'),
    maxPending: positiveInt.max(10_000_000).default(10_000),
    batchSize: positiveInt.max(100_000).default(500),
    flushIntervalMs: positiveInt.max(3_600_000).default(100),
    maxAttempts: positiveInt.max(100).default(3),
    retryDelayMs: z.number().int().min(0).max(60_000).default(50),
    onFlushError: z
      .custom<(error: unknown, attempt: number, batch: readonly WriteBehindEntry[]) => void>(
        isFunction,
        'must be a function',
      )
      .optional(),
  })
  .strict();

const cacheManagerOptionsSchema = z
  .object({
    /** Global key prefix: isolates profiles, runs and test files sharing one Redis. */
    prefix: z.string().default('dalbench'),
    /** TTL of every entry unless a call gives its own. */
    defaultTtlMs: positiveInt.max(365 * 86_400_000).default(300_000),
    /** COUNT hint of each SCAN step and size of each UNLINK in `invalidatePattern`. */
    scanBatchSize: positiveInt.max(100_000).default(500),
    /** Told about every counted cache error (for logs); the manager counts them itself. */
    onError: z
      .custom<(kind: CacheErrorKind, error: unknown) => void>(isFunction, 'must be a function')
      .optional(),
    /**
     * Refuse a read-through fill when the key was written or invalidated while the value loaded, so a
     * slow load never puts back a value older than a completed invalidation. Only a defect profile
     * turns it off.
     */
    staleFillGuard: z.boolean().default(true),
    /**
     * How long a read-through lease holds a key while its value loads (stores with conditional
     * writes only). A load that outlives it does not fill; meanwhile other readers load uncached.
     */
    leaseTtlMs: positiveInt.max(600_000).default(5_000),
    /** Enables `writeBehind`. */
    writeBehind: writeBehindSchema.optional(),
  })
  .strict();

export type CacheManagerOptionsInput = z.input<typeof cacheManagerOptionsSchema>;
export type CacheManagerOptions = Readonly<z.output<typeof cacheManagerOptionsSchema>>;

export function resolveCacheManagerOptions(input: CacheManagerOptionsInput = {}): CacheManagerOptions {
  const parsed = cacheManagerOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['cache options', ...(issue?.path ?? []).map(String)].join('.');
    throw new ValidationError(path, issue?.message ?? 'invalid', { cause: parsed.error });
  }
  const { writeBehind, ...rest } = parsed.data;
  return Object.freeze({
    ...rest,
    ...(writeBehind ? { writeBehind: Object.freeze({ ...writeBehind }) } : {}),
  });
}

/** A per-call TTL: a positive integer of milliseconds. */
export function checkTtl(ttlMs: number): number {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new ValidationError('ttlMs', `must be a positive integer of milliseconds, got ${ttlMs}`);
  }
  return ttlMs;
}
