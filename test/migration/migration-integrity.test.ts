// ADR-024's test_data_migration_integrity, made real: a seeded dataset of every type in the
// single-postgres layout is migrated into PostgreSQL + time-series + Elasticsearch + S3, interrupted
// halfway, resumed, and verified equal (counts and content digests); a corrupted target record makes
// verification fail naming that record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_TABLES } from '../../reference-dal/backends/postgres/metadata-migrations.ts';
import { MigrationAbortedError } from '../../reference-dal/migration/errors.ts';
import { generateSinglePostgresDataset } from '../../reference-dal/migration/generate.ts';
import type { MigrationSession } from '../../reference-dal/migration/migration-session.ts';
import { openMigrationStores, type MigrationStores } from '../support/migration-stores.ts';
import type { TypeVerification } from '../../reference-dal/migration/verify.ts';
import { envSeed } from '../../harness/conformance/support/seed.ts';

const SIZE = { entities: 50, metrics: 200, documents: 40, objects: 20 } as const;
const BATCH = 25;

const summary = (rows: readonly TypeVerification[]) =>
  Object.fromEntries(rows.map((r) => [r.dataType, r.equal ? 'equal' : (r.firstDifference ?? 'MISMATCH')]));

describe('migration single-postgres → polyglot', () => {
  const seed = envSeed() ?? Math.floor(Math.random() * 2 ** 31);
  let stores: MigrationStores | undefined;
  let session: MigrationSession;

  beforeAll(async () => {
    console.log(`migration-integrity: seed ${seed} (replay with DALBENCH_SEED=${seed})`);
    stores = await openMigrationStores('migration');
    session = stores.session;
    await generateSinglePostgresDataset(session.source, seed, SIZE);
  }, 120_000);

  afterAll(async () => {
    await stores?.remove();
  }, 60_000);

  it('interrupted halfway, resumed, verifies equal per data type; a replayed run changes nothing', async () => {
    const source = await session.source.metadata.experiments.count();
    expect(source).toBeGreaterThan(0);

    const interrupt = new AbortController();
    let batches = 0;
    await expect(
      session.migrate({
        batchSize: BATCH,
        signal: interrupt.signal,
        onProgress: () => {
          if (++batches === 5) interrupt.abort(new Error('interrupted by the test after 5 batches'));
        },
      }),
    ).rejects.toBeInstanceOf(MigrationAbortedError);
    const partial = await session.verify({ batchSize: 100 });
    expect(partial.find((r) => r.dataType === 'metadata')?.equal).toBe(true);
    const metrics = partial.find((r) => r.dataType === 'metrics')!;
    expect(metrics.equal).toBe(false);
    expect(metrics.targetCount).toBe(3 * BATCH); // 2 metadata batches, then 3 metric batches
    expect(partial.find((r) => r.dataType === 'objects')?.targetCount).toBe(0);

    const resumed = await session.migrate({ batchSize: BATCH, resume: true });
    expect(resumed.map((r) => [r.dataType, r.resumedFrom, r.migrated])).toEqual([
      ['metadata', SIZE.entities, SIZE.entities],
      ['metrics', 3 * BATCH, SIZE.metrics],
      ['documents', 0, SIZE.documents],
      ['objects', 0, SIZE.objects],
    ]);
    const verified = await session.verify({ batchSize: 100 });
    expect(summary(verified)).toEqual({
      metadata: 'equal',
      metrics: 'equal',
      documents: 'equal',
      objects: 'equal',
    });
    for (const row of verified) {
      expect(row.targetCount).toBe(row.sourceCount);
      expect(row.targetDigest).toBe(row.sourceDigest);
    }
    expect(verified.map((r) => r.sourceCount)).toEqual([
      SIZE.entities,
      SIZE.metrics,
      SIZE.documents,
      SIZE.objects,
    ]);

    // Starting over on a migrated target writes everything again: idempotent, nothing doubled.
    await session.migrate({ batchSize: 64 });
    expect(summary(await session.verify())).toEqual(summary(verified));
  }, 120_000);

  it('a corrupted target record fails verification naming that record', async () => {
    const [object] = await session.source.objects.list('', { limit: 1 });
    expect(object).toBeDefined();
    const original = (await session.target.objects.get(object!.key))!;
    await session.target.objects.put(object!.key, new TextEncoder().encode('overwritten'), {
      contentType: original.info.contentType,
      metadata: { ...original.info.metadata },
    });
    let rows = await session.verify();
    expect(summary(rows).objects).toBe(
      `objects ${object!.key}: content differs ${contentDiff(rows, 'objects')}`,
    );
    await session.target.objects.put(object!.key, original.body, {
      contentType: original.info.contentType,
      metadata: { ...original.info.metadata },
    });

    const stored = (await session.target.documents.get('notes', 'doc-1'))!;
    await session.target.documents.index(
      'notes',
      'doc-1',
      { ...stored.document, title: 'changed' },
      { version: (stored.version ?? 0) + 1 },
    );
    await session.target.session('transactional', (tx) =>
      tx.query(`UPDATE ${METADATA_TABLES.model} SET data = data || '{"name":"tampered"}' WHERE id = (
        SELECT id FROM ${METADATA_TABLES.model} ORDER BY id DESC LIMIT 1) RETURNING id`),
    );
    rows = await session.verify();
    const result = summary(rows);
    expect(result.objects).toBe('equal');
    expect(result.metrics).toBe('equal');
    expect(result.documents).toMatch(/^documents notes\/doc-1: content differs/);
    expect(result.metadata).toMatch(/^metadata model\/[0-9a-f-]{36}: content differs/);
    expect(rows.every((r) => r.targetCount === r.sourceCount)).toBe(true);
  }, 60_000);
});

function contentDiff(rows: readonly TypeVerification[], type: string): string {
  return (
    /\(source [0-9a-f]{12}, target [0-9a-f]{12}\)$/.exec(
      rows.find((r) => r.dataType === type)?.firstDifference ?? '',
    )?.[0] ?? '(no hash pair)'
  );
}
