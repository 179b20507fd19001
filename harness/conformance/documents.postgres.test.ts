// The document contract on PostgreSQL (JSONB + tsvector), on a fresh database for this file.
import { afterAll, beforeAll } from 'vitest';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { createPostgresDocumentRepository } from '../../reference-dal/backends/postgres/document-repository.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { requireStore } from '../../test/support/stores.ts';
import { documentsContract } from './documents.contract.ts';

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase(requireStore('postgres').url, 'documents');
});
afterAll(async () => {
  await database?.[Symbol.asyncDispose]();
});

documentsContract('postgres', async () => {
  if (!database) throw new Error('database not created');
  const [config] = parseStorageConfigs([
    { type: 'document', backend: 'postgres', url: database.url, poolSize: 4 },
  ]);
  if (!config) throw new Error('no config');
  const repository = await createPostgresDocumentRepository(config);
  return {
    repository,
    drop: async (collection) => {
      await repository.dropCollection(collection);
    },
    [Symbol.asyncDispose]: () => repository.close(),
  };
});
