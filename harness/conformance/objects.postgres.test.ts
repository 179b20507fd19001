// The object contract on PostgreSQL (bytea), on a fresh database for this file.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { createPostgresObjectRepository } from '../../reference-dal/backends/postgres/object-repository.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { requireStore } from '../../test/support/stores.ts';
import { objectsContract } from './objects.contract.ts';

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase(requireStore('postgres').url, 'objects');
});
afterAll(async () => {
  await database?.[Symbol.asyncDispose]();
});

objectsContract('postgres', async () => {
  if (!database) throw new Error('database not created');
  const [config] = parseStorageConfigs([
    { type: 'object', backend: 'postgres', url: database.url, poolSize: 4 },
  ]);
  if (!config) throw new Error('no config');
  const repository = await createPostgresObjectRepository(config);
  return {
    repository,
    prefix: `${randomBytes(3).toString('hex')}/`,
    presign: false,
    multipartThresholdBytes: undefined,
    corrupt: async (key) => {
      await repository.pool.query("UPDATE dalbench_objects SET body = 'tampered'::bytea WHERE key = $1", [
        key,
      ]);
    },
    [Symbol.asyncDispose]: () => repository.close(),
  };
});
