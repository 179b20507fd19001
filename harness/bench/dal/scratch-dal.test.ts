// Both sides of a PostgreSQL bench path keep one connection for the whole run. A side whose pool
// closed its idle connection between two rounds was handed a new, cold server process each round,
// which read as a DAL cost (postgres.bytea-put 1.36–1.49 in full runs, 1.06 alone).
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { requireStore } from '../../../test/support/stores.ts';
import { openScratchDal } from './scratch-dal.ts';

describe('bench:dal scratch DAL', () => {
  it('gives the DAL and the raw pool one connection each, never closed for idleness', async () => {
    const seen: { dal: pg.Pool; raw: pg.Pool }[] = [];
    const group = await openScratchDal(
      requireStore('postgres').url,
      'bench_pool_test',
      ['transactional', 'object'],
      async (dal, raw, scratch) => {
        const objects = dal.objects as unknown as { pool: pg.Pool };
        seen.push({ dal: objects.pool, raw });
        await objects.pool.query('SELECT 1');
        await raw.query('SELECT 1');
        return {
          paths: [],
          async [Symbol.asyncDispose]() {
            await raw.end();
            await dal.close();
            await scratch[Symbol.asyncDispose]();
          },
        };
      },
    );
    try {
      const [{ dal, raw }] = seen as [{ dal: pg.Pool; raw: pg.Pool }];
      for (const pool of [dal, raw]) {
        expect(pool.options.max).toBe(1);
        expect(pool.options.idleTimeoutMillis).toBe(0);
        expect(pool.totalCount).toBe(1);
      }
    } finally {
      await group[Symbol.asyncDispose]();
    }
  });
});
