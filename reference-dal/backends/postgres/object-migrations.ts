// Schema of the postgres object backend (single-postgres profile): bytea bodies with their SHA-256.
import type { Migration } from '../../sql/migrate.ts';

export const OBJECTS_NAMESPACE = 'objects-postgres';

export const OBJECT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'objects table: bytea body, sha256, content type, user metadata',
    up: async (client) => {
      await client.query(`CREATE TABLE dalbench_objects (
        key text COLLATE "C" PRIMARY KEY,
        body bytea NOT NULL,
        size bigint NOT NULL,
        sha256 text NOT NULL,
        content_type text NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        last_modified timestamptz NOT NULL DEFAULT now())`);
      // Uncompressed out-of-line storage: substring() then reads only the chunk it needs (streamed reads).
      await client.query('ALTER TABLE dalbench_objects ALTER COLUMN body SET STORAGE EXTERNAL');
    },
  },
];
