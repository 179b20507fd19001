// A migration source (single-postgres layout) and polyglot target on the test run's stores, each test
// file with its own databases, index prefix and bucket; `remove` deletes all of it, also after a failure.
import { randomBytes } from 'node:crypto';
import { DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { parseS3Url } from '../../harness/provision/s3-url.ts';
import type { PolyglotTarget } from '../../reference-dal/migration/layouts.ts';
import { MigrationSession } from '../../reference-dal/migration/migration-session.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';
import { requireStore } from './stores.ts';

export interface MigrationStores {
  readonly target: PolyglotTarget;
  readonly session: MigrationSession;
  remove(): Promise<void>;
}

/** A plain S3 client for the store behind `s3Url` (to clean up, or to write behind the DAL's back). */
export function rawS3Client(s3Url: string): S3Client {
  const s3 = parseS3Url(s3Url);
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
  });
}

/** Databases `<label>_source` / `<label>_target`, index prefix and bucket `dalbench-<label>-<random>`. */
export async function openMigrationStores(label: string): Promise<MigrationStores> {
  const pgUrl = requireStore('postgres').url;
  const slug = `dalbench-${label.replaceAll('_', '-')}-${randomBytes(4).toString('hex')}`;
  const dbs: TestDatabase[] = [];
  let session: MigrationSession | undefined;
  // Everything but the target database's URL, known before anything is made (so `remove` can use it).
  const names = {
    elasticsearchUrl: requireStore('elasticsearch').url,
    s3Url: requireStore('s3').url,
    indexPrefix: `${slug}-`,
    bucket: slug,
  };
  const target = names;
  const remove = async () => {
    try {
      for (const collection of ['experiments', 'notes']) {
        await fetch(`${target.elasticsearchUrl}/${target.indexPrefix}${collection}`, { method: 'DELETE' });
      }
      for (const object of (await session?.target.objects.list('', { limit: 10_000 })) ?? []) {
        await session?.target.objects.delete(object.key);
      }
      const client = rawS3Client(target.s3Url);
      try {
        await client.send(new DeleteBucketCommand({ Bucket: target.bucket })).catch((error: unknown) => {
          // A session that failed to open never made the bucket.
          if (session) throw error;
        });
      } finally {
        client.destroy();
      }
    } finally {
      await session?.close();
      for (const db of dbs.reverse()) await db[Symbol.asyncDispose]();
    }
  };
  try {
    const source = await createTestDatabase(pgUrl, `${label}_source`);
    dbs.push(source);
    const targetDb = await createTestDatabase(pgUrl, `${label}_target`);
    dbs.push(targetDb);
    const opened: PolyglotTarget = { ...names, postgresUrl: targetDb.url };
    session = await MigrationSession.open(source.url, opened);
    return { target: opened, session, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
