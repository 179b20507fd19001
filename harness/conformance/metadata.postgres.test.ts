// The transactional repository contract on PostgreSQL, on a fresh database.
import { afterAll, beforeAll } from 'vitest';
import { createMetadataRepositories } from '../../reference-dal/backends/postgres/metadata-repository.ts';
import { METADATA_TABLES } from '../../reference-dal/backends/postgres/metadata-migrations.ts';
import { migrateMetadata } from '../../reference-dal/backends/postgres/metadata-schema.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { requireStore } from '../../test/support/stores.ts';
import { metadataContract, type MetadataSubject } from './metadata.contract.ts';
import { openPool } from './support/postgres-subjects.ts';

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase(requireStore('postgres').url, 'metadata');
});
afterAll(async () => {
  await database?.[Symbol.asyncDispose]();
});

metadataContract('postgres', async (): Promise<MetadataSubject> => {
  if (!database) throw new Error('database not created');
  const subject = openPool(database.url, 'postgres');
  await migrateMetadata(subject.pool);
  await migrateMetadata(subject.pool); // idempotent: a second run applies nothing
  return {
    repositories: createMetadataRepositories(subject.db),
    reset: async () => {
      await subject.pool.query(`TRUNCATE ${Object.values(METADATA_TABLES).join(', ')}`);
    },
    [Symbol.asyncDispose]: () => subject[Symbol.asyncDispose](),
  };
});
