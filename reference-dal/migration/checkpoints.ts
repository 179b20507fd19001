// One checkpoint per data type in the TARGET transactional database: the keyset cursor of the last
// source record durably written, and how many were written. Updated after each batch; a batch
// replayed after a crash is harmless because every write is an idempotent upsert.
import type { TransactionalSession } from '../ports/transactional.ts';

export const CHECKPOINT_TABLE = 'dalbench_migration_checkpoints';

export interface Checkpoint {
  /** Keyset cursor (the sort key of the last migrated source record); undefined = from the start. */
  readonly cursor: readonly string[] | undefined;
  readonly migrated: number;
  readonly completed: boolean;
}

export async function ensureCheckpointTable(session: TransactionalSession): Promise<void> {
  await session.query(`CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (
    data_type text PRIMARY KEY,
    cursor jsonb,
    migrated bigint NOT NULL DEFAULT 0,
    completed boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
}

export async function readCheckpoint(session: TransactionalSession, dataType: string): Promise<Checkpoint> {
  const result = await session.query<{ cursor: string[] | null; migrated: string; completed: boolean }>(
    `SELECT cursor, migrated::text, completed FROM ${CHECKPOINT_TABLE} WHERE data_type = $1`,
    [dataType],
  );
  const row = result.rows[0];
  return row
    ? { cursor: row.cursor ?? undefined, migrated: Number(row.migrated), completed: row.completed }
    : { cursor: undefined, migrated: 0, completed: false };
}

export async function writeCheckpoint(
  session: TransactionalSession,
  dataType: string,
  checkpoint: Checkpoint,
): Promise<void> {
  await session.query(
    `INSERT INTO ${CHECKPOINT_TABLE} (data_type, cursor, migrated, completed, updated_at)
     VALUES ($1, $2::jsonb, $3, $4, clock_timestamp())
     ON CONFLICT (data_type) DO UPDATE SET cursor = EXCLUDED.cursor, migrated = EXCLUDED.migrated,
       completed = EXCLUDED.completed, updated_at = EXCLUDED.updated_at`,
    [
      dataType,
      checkpoint.cursor ? JSON.stringify(checkpoint.cursor) : null,
      checkpoint.migrated,
      checkpoint.completed,
    ],
  );
}

export async function resetCheckpoints(session: TransactionalSession): Promise<void> {
  await session.query(`DELETE FROM ${CHECKPOINT_TABLE}`);
}
