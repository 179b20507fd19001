// Schema of the transactional metadata (namespace "metadata"): one table per entity kind, the
// entity body as jsonb with a GIN index so `where` filters (jsonb containment) use it.
import type { Migration } from '../../sql/migrate.ts';

export const METADATA_NAMESPACE = 'metadata';

/** Table per kind; constants, never derived from input. */
export const METADATA_TABLES = {
  detector: 'dal_detectors',
  experiment: 'dal_experiments',
  model: 'dal_models',
} as const;

export const METADATA_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'entity tables with optimistic version and jsonb body',
    async up(client) {
      for (const table of Object.values(METADATA_TABLES)) {
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
          id text COLLATE "C" PRIMARY KEY,
          version integer NOT NULL CHECK (version >= 1),
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          data jsonb NOT NULL)`);
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${table}_data_gin ON ${table} USING gin (data jsonb_path_ops)`,
        );
        await client.query(`CREATE INDEX IF NOT EXISTS ${table}_created ON ${table} (created_at, id)`);
        await client.query(`CREATE INDEX IF NOT EXISTS ${table}_updated ON ${table} (updated_at, id)`);
      }
    },
  },
];
