// A throwaway PostgreSQL database on a given server, dropped (WITH FORCE) on dispose, so a bench
// group or a test file never sees another's rows. Lives in the harness, not in test/, because
// benches need it too and benches never import test support (DESIGN.md, Architecture).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pgConnection } from '../../reference-dal/sql/connection.ts';

export interface ScratchDatabase extends AsyncDisposable {
  readonly url: string;
  readonly name: string;
}

/** `dalbench_<label>_<random hex>` on the server at `serverUrl`; the label is reduced to [a-z0-9_]. */
export async function createScratchDatabase(serverUrl: string, label = 'test'): Promise<ScratchDatabase> {
  const name = `dalbench_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ ...pgConnection(serverUrl) });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async [Symbol.asyncDispose]() {
      const client = new pg.Client({ ...pgConnection(serverUrl) });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
