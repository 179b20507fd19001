// Versioned, idempotent schema migrations shared by every SQL backend. Each module owns a
// namespace ("metadata", "timeseries-postgres", "documents-postgres", ...) and its ordered list;
// applying twice, or from two processes at once, is safe (advisory lock + version table).
import type { Pool, PoolClient } from 'pg';
import { watchCheckedOut } from './pool.ts';

export interface Migration {
  /** 1, 2, 3 … in order; never renumber a released migration. */
  readonly version: number;
  readonly description: string;
  readonly up: (client: PoolClient) => Promise<void>;
}

const LOCK_KEY = 0x64616c62; // "dalb"

export async function applyMigrations(
  pool: Pool,
  namespace: string,
  migrations: readonly Migration[],
): Promise<number[]> {
  const versions = migrations.map((m) => m.version);
  if (versions.some((v, i) => i > 0 && v <= (versions[i - 1] ?? 0))) {
    throw new Error(
      `migrations of "${namespace}" must have strictly increasing versions, got ${versions.join(', ')}`,
    );
  }
  const client = await pool.connect();
  const release = watchCheckedOut(client);
  const applied: number[] = [];
  // A client whose ROLLBACK or unlock failed may hold a transaction or the lock: destroy it.
  let discard: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS dalbench_migrations (
        namespace text NOT NULL,
        version integer NOT NULL,
        description text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (namespace, version))`);
      const done = await client.query<{ version: number }>(
        'SELECT version FROM dalbench_migrations WHERE namespace = $1',
        [namespace],
      );
      const have = new Set(done.rows.map((r) => r.version));
      for (const migration of migrations) {
        if (have.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await migration.up(client);
          await client.query(
            'INSERT INTO dalbench_migrations (namespace, version, description) VALUES ($1, $2, $3)',
            [namespace, migration.version, migration.description],
          );
          await client.query('COMMIT');
          applied.push(migration.version);
        } catch (error) {
          // A failed ROLLBACK must not hide why the migration failed.
          await client.query('ROLLBACK').catch((rollbackError: unknown) => {
            discard = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          });
          throw new Error(`migration ${namespace}#${migration.version} (${migration.description}) failed`, {
            cause: error,
          });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch((unlockError: unknown) => {
        // Keep the migration's own error; a destroyed connection releases the lock anyway.
        discard = unlockError instanceof Error ? unlockError : new Error(String(unlockError));
      });
    }
  } finally {
    release(discard);
  }
  return applied;
}
