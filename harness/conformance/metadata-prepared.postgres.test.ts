// The metadata repository's hot statements go to the server as named (prepared) statements: parsed
// and planned once per connection, not per call. The bench's raw side prepares its statement, so an
// unnamed DAL statement would be charged to the DAL as parse time (bench:dal postgres.*).
import { describe, expect, it } from 'vitest';
import { createMetadataRepositories } from '../../reference-dal/backends/postgres/metadata-repository.ts';
import { migrateMetadata } from '../../reference-dal/backends/postgres/metadata-schema.ts';
import { queryableOf } from '../../reference-dal/sql/queryable.ts';
import { createTestDatabase } from '../../test/support/databases.ts';
import { requireStore } from '../../test/support/stores.ts';
import { openPool } from './support/postgres-subjects.ts';

describe('postgres metadata statements', () => {
  it('create, get, update and delete run as named statements, prepared once on the connection', async () => {
    await using database = await createTestDatabase(requireStore('postgres').url, 'metadata_prepared');
    await using subject = openPool(database.url, 'postgres', 1);
    await migrateMetadata(subject.pool);
    const client = await subject.pool.connect();
    try {
      const { detectors } = createMetadataRepositories(queryableOf(client));
      const data = { name: 'd', algorithm: 'isolation-forest', parameters: {}, status: 'active' } as const;
      for (let i = 0; i < 3; i++) {
        const created = await detectors.create(data);
        expect(await detectors.get(created.id)).toEqual(created);
        const updated = await detectors.update(created.id, created.version, { ...data, name: 'e' });
        expect(updated.version).toBe(created.version + 1);
        expect(await detectors.delete(created.id, updated.version)).toBe(true);
      }
      const prepared = await client.query<{ name: string; statement: string }>(
        'SELECT name, statement FROM pg_prepared_statements ORDER BY name',
      );
      expect(prepared.rows.map((row) => row.name)).toEqual([
        'dal_detectors_create',
        'dal_detectors_delete',
        'dal_detectors_get',
        'dal_detectors_update',
      ]);
      expect(prepared.rows.find((row) => row.name === 'dal_detectors_get')?.statement).toMatch(
        /^SELECT id, version, created_at, updated_at, data FROM dal_detectors WHERE id = \$1$/,
      );
    } finally {
      client.release();
    }
  });
});
