// Applies the metadata migrations; kept apart from the repository so a session never migrates.
import type pg from 'pg';
import { applyMigrations } from '../../sql/migrate.ts';
import { METADATA_MIGRATIONS, METADATA_NAMESPACE } from './metadata-migrations.ts';

export function migrateMetadata(pool: pg.Pool): Promise<number[]> {
  return applyMigrations(pool, METADATA_NAMESPACE, METADATA_MIGRATIONS);
}
