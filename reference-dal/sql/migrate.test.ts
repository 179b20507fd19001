// A migration that fails and takes its connection down with it: the caller must learn which
// migration failed (not just that the ROLLBACK or unlock that followed failed too), the broken
// client must not go back to the pool, and a later run applies the migration. Real PostgreSQL.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/databases.ts';
import { requireStore } from '../../test/support/stores.ts';
import { applyMigrations, type Migration } from './migrate.ts';

describe('applyMigrations when a migration kills its connection', () => {
  it('reports the failed migration and leaves the pool usable', async () => {
    await using db = await createTestDatabase(requireStore('postgres').url, 'migrate_kill');
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    pool.on('error', () => undefined); // the terminated client's late socket error
    try {
      let kill = true;
      const migrations: Migration[] = [
        {
          version: 1,
          description: 'dies once',
          async up(client) {
            if (kill) {
              kill = false;
              await client.query('SELECT pg_terminate_backend(pg_backend_pid())');
            }
            await client.query('CREATE TABLE survived (id int)');
          },
        },
      ];
      await expect(applyMigrations(pool, 'kill-test', migrations)).rejects.toThrow(
        /migration kill-test#1 \(dies once\) failed/,
      );
      expect(await applyMigrations(pool, 'kill-test', migrations)).toEqual([1]);
      const { rows } = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM survived');
      expect(rows[0]?.n).toBe('0');
    } finally {
      await pool.end();
    }
  });
});
