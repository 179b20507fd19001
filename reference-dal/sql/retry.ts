// Bounded retries of transient connection failures only, each one counted. A statement that
// failed for any other reason (constraint, syntax, conflict, timeout) is never retried.
import type pg from 'pg';
import type { Queryable, SqlQuery } from './queryable.ts';

/** Counters owned by whoever builds the retrying wrapper (one per store in the DAL). */
export interface RetryCounters {
  /** Operations that failed with a transient error and were tried again. */
  retries: number;
  /** Operations that still failed transiently after the last allowed attempt. */
  exhausted: number;
}

export function newRetryCounters(): RetryCounters {
  return { retries: 0, exhausted: 0 };
}

export interface RetryPolicy {
  /** Extra attempts after the first (config.retryAttempts). */
  readonly attempts: number;
  /** Delay before retry n (1-based); default 20 ms × 2^(n-1), capped at 1 s. */
  readonly delayMs?: (retry: number) => number;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** A failure to reach or keep a connection: safe to retry as a fresh autocommit statement. */
export function isTransientConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  return /Connection terminated unexpectedly|timeout exceeded when trying to connect/i.test(error.message);
}

const defaultDelay = (retry: number): number => Math.min(1000, 20 * 2 ** (retry - 1));

export async function withRetry<T>(
  policy: RetryPolicy,
  counters: RetryCounters,
  operation: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransientConnectionError(error)) throw error;
      if (attempt >= policy.attempts) {
        counters.exhausted++;
        throw error;
      }
      counters.retries++;
      const delay = (policy.delayMs ?? defaultDelay)(attempt + 1);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Autocommit statements through the pool, retried on transient connection errors. Safe because
 * every write the repositories issue is idempotent or self-checking on replay: upserts, inserts
 * with a client-generated id (a replay hits the primary key), updates guarded by version.
 */
export function retryingQueryable(pool: pg.Pool, policy: RetryPolicy, counters: RetryCounters): Queryable {
  return {
    query: <R extends pg.QueryResultRow>(query: SqlQuery) =>
      withRetry(policy, counters, () =>
        pool.query<R>({ text: query.text, values: query.values as unknown[] | undefined, name: query.name }),
      ),
  };
}
