// A streamed read that the caller abandons before reading must give its connection back: the
// stream holds a pooled client in an open transaction, and a pool of N is exhausted after N such
// reads otherwise. Real PostgreSQL.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseStorageConfigs } from '../../config/storage-config.ts';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { requireStore } from '../../../test/support/stores.ts';
import { createPostgresObjectRepository } from './object-repository.ts';

describe('postgres getStream abandoned before the first read', () => {
  it('releases its connection, so the pool serves later calls', async () => {
    await using db = await createTestDatabase(requireStore('postgres').url, 'object_stream');
    const [config] = parseStorageConfigs([
      { type: 'object', backend: 'postgres', url: db.url, poolSize: 2, timeoutMs: 2_000 },
    ]);
    if (!config) throw new Error('no config');
    await using repository = await createPostgresObjectRepository(config);
    await repository.put('a/b', Buffer.from('payload'));
    for (let i = 0; i < 5; i++) {
      const found = await repository.getStream('a/b');
      if (!found) throw new Error('object missing');
      found.body.destroy();
      await once(found.body, 'close');
    }
    const read = await repository.get('a/b');
    expect(Buffer.from(read?.body ?? []).toString()).toBe('payload');
    const { rows } = await repository.pool.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    );
    expect(rows[0]?.n).toBe('0');
  }, 15_000);
});
