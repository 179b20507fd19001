// A postgres bulk in which the server refuses one item: the others are committed, the refused one is
// named, and the connection goes back to the pool usable (savepoints, not an aborted transaction).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresDocumentRepository,
  type PostgresDocumentRepository,
} from '../../reference-dal/backends/postgres/document-repository.ts';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { requireStore } from '../support/stores.ts';

let database: TestDatabase | undefined;
let repository: PostgresDocumentRepository | undefined;

beforeAll(async () => {
  database = await createTestDatabase(requireStore('postgres').url, 'documents_bulk');
  // One connection: a client left inside a failed transaction would fail the next statement.
  const [config] = parseStorageConfigs([
    { type: 'document', backend: 'postgres', url: database.url, poolSize: 1 },
  ]);
  if (!config) throw new Error('no config');
  repository = await createPostgresDocumentRepository(config);
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    await admin.query(`CREATE FUNCTION refuse_document() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id LIKE 'refused%' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
    await admin.query(`CREATE TRIGGER refuse_document BEFORE INSERT OR UPDATE ON dalbench_documents
      FOR EACH ROW EXECUTE FUNCTION refuse_document()`);
  } finally {
    await admin.end();
  }
});
afterAll(async () => {
  await repository?.close();
  await database?.[Symbol.asyncDispose]();
});

describe('postgres document bulk with a refused item', () => {
  it('commits the other items, names the refused ones, and leaves the connection usable', async () => {
    if (!repository) throw new Error('repository not opened');
    const result = await repository.bulkIndex('bulk', [
      { id: 'ok1', document: { n: 1 } },
      { id: 'refused1', document: { n: 2 } },
      { id: 'stale', document: { n: 3 }, version: 2 },
      { id: 'stale', document: { n: 4 }, version: 1 },
      { id: 'refused2', document: { n: 5 } },
      { id: 'ok2', document: { n: 6 } },
    ]);
    expect(result.indexed).toBe(3);
    expect(result.skippedStale).toBe(1);
    expect(result.errors.map((e) => e.id)).toEqual(['refused1', 'refused2']);
    for (const error of result.errors) expect(error.reason).toContain('refused by the test');
    expect((await repository.get('bulk', 'ok2'))?.document).toEqual({ n: 6 });
    expect((await repository.get('bulk', 'stale'))?.document).toEqual({ n: 3 });
    expect(await repository.get('bulk', 'refused1')).toBeUndefined();
    expect(await repository.count('bulk')).toBe(3);
    // The same (only) connection serves the next bulk.
    expect(await repository.bulkIndex('bulk', [{ id: 'ok3', document: { n: 7 } }])).toEqual({
      indexed: 1,
      skippedStale: 0,
      errors: [],
    });
  });

  it('an empty bulk indexes nothing', async () => {
    if (!repository) throw new Error('repository not opened');
    expect(await repository.bulkIndex('bulk', [])).toEqual({ indexed: 0, skippedStale: 0, errors: [] });
  });
});
