// Migration verification on real stores, on the differences the integrity test does not make: records
// only the target holds (with and without a way to list the target's keys), and several missing
// records, of which the first in source order must be named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSinglePostgresDataset } from '../../reference-dal/migration/generate.ts';
import type { MigrationSession } from '../../reference-dal/migration/migration-session.ts';
import { openMigrationStores, type MigrationStores } from '../support/migration-stores.ts';
import type { TypeVerification } from '../../reference-dal/migration/verify.ts';

const SIZE = { entities: 8, metrics: 20, documents: 6, objects: 5 } as const;

describe('migration verification names what differs', () => {
  let stores: MigrationStores | undefined;
  let session: MigrationSession;

  beforeAll(async () => {
    stores = await openMigrationStores('verify');
    session = stores.session;
    await generateSinglePostgresDataset(session.source, 24014, SIZE);
    await session.migrate({ batchSize: 4 });
  }, 120_000);

  afterAll(async () => {
    await stores?.remove();
  }, 60_000);

  const row = (rows: readonly TypeVerification[], type: string): TypeVerification => {
    const found = rows.find((r) => r.dataType === type);
    if (!found) throw new Error(`no ${type} row`);
    return found;
  };

  it('equal rows carry no difference at all', async () => {
    for (const r of await session.verify({ batchSize: 3 })) {
      expect(r).toMatchObject({ equal: true, targetCount: r.sourceCount, targetDigest: r.sourceDigest });
      expect(Object.hasOwn(r, 'firstDifference')).toBe(false);
    }
  }, 60_000);

  it('names a record only the target holds, where the target can list its keys', async () => {
    const key = 'zz-only-in-target';
    await session.target.objects.put(key, new TextEncoder().encode('extra'), { contentType: 'text/plain' });
    try {
      const objects = row(await session.verify({ batchSize: 3 }), 'objects');
      expect(objects).toMatchObject({
        equal: false,
        sourceCount: SIZE.objects,
        targetCount: SIZE.objects + 1,
        firstDifference: `objects ${key}: in the target but not in the source`,
      });
    } finally {
      await session.target.objects.delete(key);
    }
  }, 60_000);

  it('reports a count difference where the target cannot list its keys', async () => {
    await session.target.documents.index('notes', 'only-in-target', { title: 'extra' });
    await session.target.documents.refresh('notes');
    try {
      const documents = row(await session.verify({ batchSize: 3 }), 'documents');
      expect(documents).toMatchObject({
        equal: false,
        targetCount: SIZE.documents + 1,
        firstDifference: `documents: the target holds ${SIZE.documents + 1} records, the source ${SIZE.documents}`,
      });
    } finally {
      await session.target.documents.delete('notes', 'only-in-target');
      await session.target.documents.refresh('notes');
    }
  }, 60_000);

  it('names the first missing record in source order when several are missing', async () => {
    const keys = (await session.source.objects.list('', { limit: 100 })).map((o) => o.key).sort();
    const [second, fourth] = [keys[1], keys[3]];
    if (second === undefined || fourth === undefined) throw new Error('too few objects');
    const saved = await Promise.all(
      [second, fourth].map(async (k) => [k, await session.target.objects.get(k)] as const),
    );
    for (const k of [fourth, second]) await session.target.objects.delete(k);
    try {
      const objects = row(await session.verify({ batchSize: 2 }), 'objects');
      expect(objects).toMatchObject({
        equal: false,
        targetCount: SIZE.objects - 2,
        firstDifference: `objects ${second}: missing in the target`,
      });
    } finally {
      for (const [k, stored] of saved) {
        if (stored) {
          await session.target.objects.put(k, stored.body, {
            contentType: stored.info.contentType,
            metadata: { ...stored.info.metadata },
          });
        }
      }
    }
  }, 60_000);
});
