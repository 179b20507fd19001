// Each profile gets its own database on the PostgreSQL (and TimescaleDB) server for one run: created
// before the DAL is built and dropped (WITH FORCE) when the profile is disposed.
import pg from 'pg';
import { StoreError, type StoreName } from '../errors.ts';

export interface ProfileDatabase extends AsyncDisposable {
  readonly url: string;
  readonly name: string;
}

/** `dalbench_<label>` cut to PostgreSQL's 63-character identifier limit. */
export function databaseName(label: string): string {
  return `dalbench_${label.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

export async function createProfileDatabase(
  store: StoreName,
  serverUrl: string,
  label: string,
): Promise<ProfileDatabase> {
  const name = databaseName(label);
  await admin(store, serverUrl, `create database ${name}`, (client) =>
    client.query(`CREATE DATABASE ${name}`),
  );
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    [Symbol.asyncDispose]() {
      dropped ??= admin(store, serverUrl, `drop database ${name}`, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).then(() => undefined);
      return dropped;
    },
  };
}

async function admin(
  store: StoreName,
  serverUrl: string,
  what: string,
  fn: (client: pg.Client) => Promise<unknown>,
): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
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
