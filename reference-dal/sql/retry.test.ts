// Retries are bounded, counted, and only for transient connection failures, against real sockets.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { requireStore } from '../../test/support/stores.ts';
import { isTransientConnectionError, newRetryCounters, withRetry } from './retry.ts';

describe('withRetry', () => {
  it('retries a refused connection exactly `attempts` times, then counts it exhausted', async () => {
    const counters = newRetryCounters();
    let calls = 0;
    const error = await withRetry({ attempts: 3, delayMs: () => 1 }, counters, async () => {
      calls++;
      const client = new pg.Client({ host: '127.0.0.1', port: 1, user: 'x', database: 'x' });
      await client.connect();
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTransientConnectionError(error)).toBe(true);
    expect(calls).toBe(4);
    expect(counters).toEqual({ retries: 3, exhausted: 1 });
  });

  it('never retries a failure that is not a connection failure', async () => {
    const counters = newRetryCounters();
    const pool = new pg.Pool({ connectionString: requireStore('postgres').url, max: 1 });
    try {
      let calls = 0;
      await expect(
        withRetry({ attempts: 3 }, counters, () => {
          calls++;
          return pool.query('SELECT 1/0');
        }),
      ).rejects.toMatchObject({ code: '22012' });
      expect(calls).toBe(1);
      expect(counters).toEqual({ retries: 0, exhausted: 0 });
    } finally {
      await pool.end();
    }
  });
});
