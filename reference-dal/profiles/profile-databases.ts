// Each profile gets its own database on the PostgreSQL (and TimescaleDB) server for one run: created
// before the DAL is built and dropped (WITH FORCE) when the profile is disposed. The name carries the
// store kind, because one server often serves both kinds (docker mode's TimescaleDB container; a
// user's TimescaleDB that is also their PostgreSQL): without it the second CREATE DATABASE clashes.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { StoreError } from '../errors.ts';
import { pgConnection } from '../sql/connection.ts';

/** The stores a profile database lives on. */
export type DatabaseStore = 'postgres' | 'timescaledb';

const KIND_TAG: Readonly<Record<DatabaseStore, string>> = { postgres: 'pg', timescaledb: 'ts' };
/** PostgreSQL's identifier limit (NAMEDATALEN - 1). */
const MAX_NAME = 63;

export interface ProfileDatabase extends AsyncDisposable {
  readonly url: string;
  readonly name: string;
  /** Only with `reuse`: the database was there before (a kept dataset, or one a load left unfinished). */
  readonly existed: boolean;
}

/** The server has no timescaledb extension, so it cannot serve as TimescaleDB. */
export class TimescaleExtensionMissingError extends StoreError {
  override name = 'TimescaleExtensionMissingError';
}

/**
 * `dalbench_<pg|ts>_<label>`. A name longer than PostgreSQL's 63 characters keeps its head and ends
 * in a hash of the whole, so two long labels that differ only at the end still get distinct names.
 */
export function databaseName(store: DatabaseStore, label: string): string {
  const full = `dalbench_${KIND_TAG[store]}_${label.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 10);
  return `${full.slice(0, MAX_NAME - hash.length - 1)}_${hash}`;
}

/** Whether the server at `serverUrl` can create the timescaledb extension. */
export async function timescaleExtensionAvailable(serverUrl: string): Promise<boolean> {
  let available = false;
  await admin('timescaledb', serverUrl, 'look up the timescaledb extension', async (client) => {
    const found = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
    available = (found.rowCount ?? 0) > 0;
  });
  return available;
}

/**
 * Create the profile's database on `serverUrl`. For `timescaledb` the server must have the extension;
 * a plain PostgreSQL given as TimescaleDB fails here, saying so, before anything is created.
 */
export async function createProfileDatabase(
  store: DatabaseStore,
  serverUrl: string,
  label: string,
  options: { readonly reuse?: boolean } = {},
): Promise<ProfileDatabase> {
  if (store === 'timescaledb' && !(await timescaleExtensionAvailable(serverUrl))) {
    throw new TimescaleExtensionMissingError(
      'timescaledb',
      'this server has no timescaledb extension (not in pg_available_extensions), so it cannot serve as TimescaleDB: point DALBENCH_TIMESCALE_URL at a server with the extension, or unset it to run time-series on partitioned PostgreSQL (reported as such)',
      { url: serverUrl },
    );
  }
  const name = databaseName(store, label);
  let existed = false;
  await admin(store, serverUrl, `create database ${name}`, async (client) => {
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } catch (error) {
      // 42P04 duplicate_database: a kept dataset's database is opened, not refused.
      if (!options.reuse || (error as { code?: string }).code !== '42P04') throw error;
      existed = true;
    }
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    existed,
    [Symbol.asyncDispose]() {
      dropped ??= admin(store, serverUrl, `drop database ${name}`, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).then(() => undefined);
      return dropped;
    },
  };
}

/**
 * VACUUM (ANALYZE) every data table of the database at `databaseUrl`: partitions through their
 * parent, hypertable chunks through their hypertable; catalogs and TimescaleDB's schemas left out.
 */
export async function vacuumAnalyze(store: DatabaseStore, databaseUrl: string): Promise<void> {
  await admin(store, databaseUrl, 'vacuum and analyze after the load', async (client) => {
    const tables = await client.query<{ name: string }>(
      `SELECT c.oid::regclass::text AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname !~ '^(pg_toast|_?timescaledb)'`,
    );
    if (tables.rows.length === 0) return;
    await client.query(`VACUUM (ANALYZE) ${tables.rows.map((t) => t.name).join(', ')}`);
  });
}

/** One short-lived client on `serverUrl` (a server or a database URL); errors name the store. */
export async function admin(
  store: DatabaseStore,
  serverUrl: string,
  what: string,
  fn: (client: pg.Client) => Promise<unknown>,
): Promise<void> {
  const client = new pg.Client({ ...pgConnection(serverUrl), connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await fn(client);
  } catch (error) {
    throw new StoreError(store, `${what}: ${error instanceof Error ? error.message : String(error)}`, {
      url: serverUrl,
      cause: error,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
