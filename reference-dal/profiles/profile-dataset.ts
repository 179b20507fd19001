// A loaded dataset kept for reuse (`dalbench run --reuse-data`): its databases, indices and bucket are
// named by the dataset, not the run, and outlive the system under test once a marker in its
// PostgreSQL database says the load finished. The marker holds the dataset's whole identity; a system
// reuses the data only when the identity it would load is exactly that one, so a changed scenario,
// scale, seed, storage layout or schema never reads stale data (the old data is dropped instead).
import type pg from 'pg';
import { canonicalJson } from '../ports/dataset.ts';
import { parseInventory, type DatasetInventory } from './dataset-inventory.ts';
import { admin } from './profile-databases.ts';

/** What the harness says identifies the data a scenario would load (canonical JSON and its hash). */
export interface DatasetRequest {
  /** Lowercase hex; names the dataset's databases, indices and bucket (the first 12 characters). */
  readonly id: string;
  /** Canonical JSON of everything the data depends on that the harness knows. */
  readonly identity: string;
}

const HEX = /^[0-9a-f]{12,64}$/;

/** The label a dataset's stores are named by: `<profile>_ds<id>` (id shortened to 12 hex digits). */
export function datasetLabel(profile: string, request: DatasetRequest): string {
  if (!HEX.test(request.id)) {
    throw new Error(`dataset id: expected 12-64 lowercase hex digits, got "${request.id}"`);
  }
  return `${profile}_ds${request.id.slice(0, 12)}`;
}

/**
 * The full identity recorded with the data: the harness's part, the storage backend and its options per type, and
 * every migration applied to the database (so a schema change means a reload, not a reuse).
 */
export async function datasetIdentity(
  databaseUrl: string,
  request: DatasetRequest,
  backends: Readonly<Record<string, unknown>>,
): Promise<string> {
  let migrations: string[] = [];
  await admin('postgres', databaseUrl, 'read the applied migrations', async (client: pg.Client) => {
    // An own transactional adapter may keep no migration table.
    const table = await client.query("SELECT to_regclass('dalbench_migrations') IS NOT NULL AS present");
    if (!(table.rows[0] as { present: boolean }).present) return;
    const rows = await client.query<{ m: string }>(
      "SELECT namespace || '#' || version AS m FROM dalbench_migrations ORDER BY namespace, version",
    );
    migrations = rows.rows.map((r) => r.m);
  });
  return canonicalJson(
    { harness: JSON.parse(request.identity) as unknown, backends, migrations },
    'dataset identity',
  );
}

/** What a finished load recorded in this database. */
export interface LoadedDataset {
  readonly identity: string;
  readonly inventory: DatasetInventory | undefined;
  readonly loadedAt: Date;
}

/** What a finished load recorded in this database; undefined if none or unfinished. */
export async function loadedDataset(databaseUrl: string): Promise<LoadedDataset | undefined> {
  let found: LoadedDataset | undefined;
  await admin('postgres', databaseUrl, 'read the dataset marker', async (client: pg.Client) => {
    const table = await client.query("SELECT to_regclass('dalbench_dataset') IS NOT NULL AS present");
    if (!(table.rows[0] as { present: boolean }).present) return;
    // to_jsonb: a marker written before the inventory column existed still reads (as "no inventory").
    const rows = await client.query<{ identity: string; inventory: unknown; loaded_at: Date }>(
      "SELECT identity, loaded_at, to_jsonb(d) -> 'inventory' AS inventory FROM dalbench_dataset d",
    );
    const row = rows.rows[0];
    if (row)
      found = { identity: row.identity, inventory: parseInventory(row.inventory), loadedAt: row.loaded_at };
  });
  return found;
}

/** Record that the load of `identity` finished, with what it left in the stores: from now on the data is kept. */
export async function markLoaded(
  databaseUrl: string,
  identity: string,
  inventory: DatasetInventory,
): Promise<void> {
  await admin('postgres', databaseUrl, 'write the dataset marker', async (client: pg.Client) => {
    await client.query(`CREATE TABLE IF NOT EXISTS dalbench_dataset (
      one boolean PRIMARY KEY DEFAULT true CHECK (one),
      identity text NOT NULL,
      loaded_at timestamptz NOT NULL DEFAULT now())`);
    await client.query('ALTER TABLE dalbench_dataset ADD COLUMN IF NOT EXISTS inventory jsonb');
    await client.query(
      `INSERT INTO dalbench_dataset (identity, inventory) VALUES ($1, $2)
       ON CONFLICT (one) DO UPDATE SET identity = EXCLUDED.identity, inventory = EXCLUDED.inventory,
         loaded_at = now()`,
      [identity, inventory],
    );
  });
}
