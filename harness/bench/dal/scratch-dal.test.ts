// The DAL's pools in a PostgreSQL bench group (both sides of its paths run on them) keep one
// connection for the whole run. A pool that closed its idle connection between two rounds was
// handed a new, cold server process each round, which read as a DAL cost (postgres.bytea-put
// 1.36–1.49 in full runs, 1.06 alone).
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { requireStore } from '../../../test/support/stores.ts';
import { createScratchDatabase } from '../../provision/scratch-database.ts';
import { openScratchDal, rawPoolLikeDal, vacuumApart } from './scratch-dal.ts';

describe('bench:dal scratch DAL', () => {
  it('gives each of the DAL’s stores one connection, never closed for idleness', async () => {
    const seen: pg.Pool[] = [];
    const group = await openScratchDal(
      requireStore('postgres').url,
      'bench_pool_test',
      ['transactional', 'object'],
      async (dal, scratch) => {
        for (const type of ['transactional', 'object'] as const) {
          const pool = dal.postgresPool(type);
          seen.push(pool);
          await pool.query('SELECT 1');
        }
        return {
          paths: [],
          async [Symbol.asyncDispose]() {
            await dal.close();
            await scratch[Symbol.asyncDispose]();
          },
        };
      },
    );
    try {
      expect(seen).toHaveLength(2);
      for (const pool of seen) {
        expect(pool.options.max).toBe(1);
        expect(pool.options.idleTimeoutMillis).toBe(0);
        expect(pool.totalCount).toBe(1);
      }
    } finally {
      await group[Symbol.asyncDispose]();
    }
  });

  it('VACUUMs before a block on a connection of its own, not on a side’s', async () => {
    await using scratch = await createScratchDatabase(requireStore('postgres').url, 'bench_vacuum_test');
    const side = rawPoolLikeDal(scratch.url);
    try {
      await side.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
      await side.query("INSERT INTO t SELECT g, 'x' FROM generate_series(1, 100) g");
      const vacuums = async () =>
        (
          await side.query<{ n: number }>(
            "SELECT vacuum_count::int AS n FROM pg_stat_user_tables WHERE relname = 't'",
          )
        ).rows[0]!.n;
      const before = await vacuums();
      // The side's only connection is checked out: a settle that used it would wait forever.
      const held = await side.connect();
      try {
        const pid = (await held.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0]!.p;
        await vacuumApart(scratch.url, 't')();
        const apart = await held.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1 AND backend_type = 'client backend'",
          [pid],
        );
        expect(apart.rows[0]!.n).toBe(0); // its connection is closed again
      } finally {
        held.release();
      }
      await expect.poll(vacuums, { timeout: 5_000 }).toBe(before + 1);
    } finally {
      await side.end();
    }
  });
});
