// The outbox lives in the transactional PostgreSQL, next to the rows it describes, so a write and
// its event commit or roll back together.
import type { Migration } from '../sql/migrate.ts';

export const OUTBOX_NAMESPACE = 'outbox';

export const OUTBOX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'outbox and dead-letter tables',
    async up(client) {
      await client.query(`CREATE TABLE dalbench_outbox (
        seq bigserial PRIMARY KEY,
        collection text NOT NULL,
        entity_id text NOT NULL,
        entity_version integer NOT NULL,
        op text NOT NULL CHECK (op IN ('upsert', 'delete')),
        payload jsonb,
        committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        attempts integer NOT NULL DEFAULT 0,
        available_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        last_error text)`);
      await client.query('CREATE INDEX dalbench_outbox_available ON dalbench_outbox (available_at, seq)');
      await client.query(`CREATE TABLE dalbench_outbox_dead (
        seq bigint PRIMARY KEY,
        collection text NOT NULL,
        entity_id text NOT NULL,
        entity_version integer NOT NULL,
        op text NOT NULL,
        payload jsonb,
        committed_at timestamptz NOT NULL,
        attempts integer NOT NULL,
        last_error text,
        dead_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    },
  },
  {
    version: 2,
    description: "per-entity index for the relay's order guard",
    async up(client) {
      await client.query(
        'CREATE INDEX dalbench_outbox_entity ON dalbench_outbox (collection, entity_id, seq)',
      );
    },
  },
];
