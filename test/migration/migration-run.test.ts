// What a migration run reports and records, on real stores and a small dataset: per-type results
// (records, batches, where it resumed from), progress events, the checkpoint rows it leaves in the
// target, starting over versus resuming, the interruption message, a swapped spec list, and the
// session's close (once, idempotent, failures surfaced).
import { PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_TABLE } from '../../reference-dal/migration/checkpoints.ts';
import {
  dataTypeSpecs,
  documentsSpec,
  objectsSpec,
  objectsSpecWith,
  type DataType,
} from '../../reference-dal/migration/data-types.ts';
import { MigrationAbortedError, MigrationError } from '../../reference-dal/migration/errors.ts';
import { generateSinglePostgresDataset } from '../../reference-dal/migration/generate.ts';
import { MigrationSession } from '../../reference-dal/migration/migration-session.ts';
import type { MigrationProgress } from '../../reference-dal/migration/run-migration.ts';
import { openMigrationStores, rawS3Client, type MigrationStores } from '../support/migration-stores.ts';

// Objects 0 B, 1 B and 100 B (generate.ts's first sizes): one batch of 4, whatever the byte cap.
const SIZE = { entities: 6, metrics: 9, documents: 5, objects: 3 } as const;
const BATCH = 4;
const COUNTS: Record<DataType, number> = {
  metadata: SIZE.entities,
  metrics: SIZE.metrics,
  documents: SIZE.documents,
  objects: SIZE.objects,
};
const batchesOf = (n: number) => Math.ceil(n / BATCH);

describe('migration runs, checkpoints and progress', () => {
  let stores: MigrationStores | undefined;
  let session: MigrationSession;

  beforeAll(async () => {
    stores = await openMigrationStores('migration_run');
    session = stores.session;
    await generateSinglePostgresDataset(session.source, 24014, SIZE);
  }, 120_000);

  afterAll(async () => {
    await stores?.remove();
  }, 60_000);

  const checkpoints = () =>
    session.target.session('transactional', async (tx) => {
      const result = await tx.query<{
        data_type: string;
        cursor: unknown;
        migrated: string;
        completed: boolean;
      }>(`SELECT data_type, cursor, migrated::text, completed FROM ${CHECKPOINT_TABLE} ORDER BY data_type`);
      return result.rows.map((r) => [r.data_type, r.cursor, Number(r.migrated), r.completed]);
    });

  /** The keyset cursor of each type's last source record, read with one big batch. */
  const lastCursors = async () => {
    const out: [string, unknown][] = [];
    for (const spec of dataTypeSpecs()) {
      const batch = await spec.read(session.sourcePool, undefined, 10_000);
      out.push([spec.name, batch.cursor]);
    }
    return Object.fromEntries(out);
  };

  it('a fresh run reports every type, its batches and its progress, and leaves completed checkpoints', async () => {
    const progress: MigrationProgress[] = [];
    const before = performance.now();
    const results = await session.migrate({ batchSize: BATCH, onProgress: (p) => progress.push(p) });
    const wall = performance.now() - before;

    expect(results.map((r) => [r.dataType, r.migrated, r.batches, r.resumedFrom])).toEqual(
      (['metadata', 'metrics', 'documents', 'objects'] as const).map((t) => [
        t,
        COUNTS[t],
        batchesOf(COUNTS[t]),
        0,
      ]),
    );
    for (const r of results) {
      expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
      expect(r.elapsedMs).toBeLessThanOrEqual(wall);
    }

    const expected: MigrationProgress[] = [];
    for (const [dataType, total] of Object.entries(COUNTS) as [DataType, number][]) {
      for (let batch = 1; batch <= batchesOf(total); batch++) {
        const migrated = Math.min(batch * BATCH, total);
        expected.push({ dataType, batch, batchRows: migrated - (batch - 1) * BATCH, migrated, total });
      }
    }
    expect(progress).toEqual(expected);

    const cursors = await lastCursors();
    expect(await checkpoints()).toEqual(
      (['documents', 'metadata', 'metrics', 'objects'] as const).map((t) => [t, cursors[t], COUNTS[t], true]),
    );
  }, 60_000);

  it('resuming a completed run moves nothing; starting over moves everything again', async () => {
    const resumed = await session.migrate({ batchSize: BATCH, resume: true });
    expect(resumed.map((r) => [r.dataType, r.migrated, r.batches, r.resumedFrom])).toEqual(
      Object.entries(COUNTS).map(([t, n]) => [t, n, 0, n]),
    );

    const again = await session.migrate({ batchSize: 3 });
    expect(again.map((r) => [r.dataType, r.migrated, r.batches, r.resumedFrom])).toEqual(
      Object.entries(COUNTS).map(([t, n]) => [t, n, Math.ceil(n / 3), 0]),
    );
  }, 60_000);

  it('an interrupted run names the type and the count, keeps its cause, and resumes from its checkpoint', async () => {
    const early = new AbortController();
    const reason = new Error('stopped before the first batch');
    early.abort(reason);
    const first = await session.migrate({ batchSize: BATCH, signal: early.signal }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(MigrationAbortedError);
    expect((first as Error).message).toBe(
      `migration interrupted during metadata after 0 of ${SIZE.entities} records; resume to continue`,
    );
    expect((first as Error).cause).toBe(reason);
    expect((first as Error).name).toBe('MigrationAbortedError');

    const interrupt = new AbortController();
    const error = await session
      .migrate({
        batchSize: BATCH,
        signal: interrupt.signal,
        onProgress: (p) => {
          if (p.dataType === 'metrics') interrupt.abort(new Error('after one metrics batch'));
        },
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `migration interrupted during metrics after ${BATCH} of ${SIZE.metrics} records; resume to continue`,
    );
    const rows = await checkpoints();
    expect(rows.find((r) => r[0] === 'metrics')?.slice(2)).toEqual([BATCH, false]);
    expect(rows.find((r) => r[0] === 'metadata')?.slice(2)).toEqual([SIZE.entities, true]);
    expect(rows.some((r) => r[0] === 'documents')).toBe(false);

    const resumed = await session.migrate({ batchSize: BATCH, resume: true });
    expect(resumed.map((r) => [r.dataType, r.resumedFrom, r.migrated, r.batches])).toEqual([
      ['metadata', SIZE.entities, SIZE.entities, 0],
      ['metrics', BATCH, SIZE.metrics, batchesOf(SIZE.metrics - BATCH)],
      ['documents', 0, SIZE.documents, batchesOf(SIZE.documents)],
      ['objects', 0, SIZE.objects, batchesOf(SIZE.objects)],
    ]);
    expect((await session.verify()).every((r) => r.equal)).toBe(true);
  }, 60_000);

  it('runs only the specs it is given', async () => {
    const results = await session.migrate({ batchSize: BATCH, specs: [objectsSpec] });
    expect(results.map((r) => [r.dataType, r.migrated, r.batches])).toEqual([
      ['objects', SIZE.objects, batchesOf(SIZE.objects)],
    ]);
    expect((await checkpoints()).map((r) => r[0])).toEqual(['objects']);
  }, 60_000);

  it('closes once, the same promise every time, and surfaces a failure to close', async () => {
    const second = await MigrationSession.open(session.sourceUrl, stores!.target);
    const closing = second.close();
    expect(second.close()).toBe(closing);
    await closing;
    expect(second.sourcePool.ended).toBe(true);
    expect(() => second.source.metadata).toThrow(/closed/);
    expect(() => second.target.metadata).toThrow(/closed/);

    const third = await MigrationSession.open(session.sourceUrl, stores!.target);
    await third.sourcePool.end();
    await expect(third[Symbol.asyncDispose]()).rejects.toThrow(/end on pool more than once/i);
    expect(() => third.source.metadata).toThrow(/closed/);
    expect(() => third.target.metadata).toThrow(/closed/);
  }, 60_000);

  it('names the first extra target object in key order when there are several', async () => {
    const extras = ['zz-extra-b', 'zz-extra-a', 'zz-extra-c'];
    for (const key of extras) {
      await session.target.objects.put(key, new TextEncoder().encode(key), { contentType: 'text/plain' });
    }
    try {
      const objects = (await session.verify()).find((r) => r.dataType === 'objects');
      expect(objects).toMatchObject({
        equal: false,
        targetCount: SIZE.objects + extras.length,
        firstDifference: 'objects zz-extra-a: in the target but not in the source',
      });
    } finally {
      for (const key of extras) await session.target.objects.delete(key);
    }
  }, 60_000);

  it('names the first extra metadata record, by kind and id, when the target has records the source lacks', async () => {
    const extras = await Promise.all(
      ['zz-extra-2', 'zz-extra-1'].map((id) =>
        session.target.metadata.detectors.create(
          { name: id, algorithm: 'forest', parameters: {}, status: 'active' },
          { id },
        ),
      ),
    );
    try {
      const metadata = (await session.verify()).find((r) => r.dataType === 'metadata');
      expect(metadata).toMatchObject({
        equal: false,
        targetCount: SIZE.entities + extras.length,
        firstDifference: 'metadata detector/zz-extra-1: in the target but not in the source',
      });
    } finally {
      for (const extra of extras) await session.target.metadata.detectors.delete(extra.id);
    }
  }, 60_000);

  it('reports a target object whose bytes no longer match their SHA-256 as unreadable, naming it', async () => {
    const [first] = (await objectsSpec.read(session.sourcePool, undefined, 1)).rows;
    const key = first!.key;
    const before = await session.target.objects.get(key);
    const client = rawS3Client(stores!.target.s3Url);
    try {
      // Other bytes under the hash the DAL stored: what a bit flip or a foreign writer leaves.
      await client.send(
        new PutObjectCommand({
          Bucket: stores!.target.bucket,
          Key: key,
          Body: Buffer.from('tampered'),
          ContentType: before!.info.contentType,
          Metadata: { sha256: before!.info.sha256 },
        }),
      );
      const objects = (await session.verify()).find((r) => r.dataType === 'objects');
      expect(objects).toMatchObject({ equal: false, targetCount: SIZE.objects });
      expect(objects?.firstDifference).toMatch(
        new RegExp(`^objects ${key}: unreadable in the target \\(.*SHA-256`),
      );
    } finally {
      client.destroy();
      await session.target.objects.put(key, before!.body, {
        contentType: before!.info.contentType,
        metadata: before!.info.metadata,
      });
    }
  }, 60_000);

  it('caps an objects batch at its byte budget, and lets one larger object through alone', async () => {
    const all = (await objectsSpec.read(session.sourcePool, undefined, 100)).rows;
    const sizes = all.map((row) => row.body.length);
    // The model: the longest prefix whose running size stays within the cap, never fewer than one.
    const expected = (from: number, cap: number) => {
      let running = 0;
      let n = 0;
      for (const size of sizes.slice(from)) {
        running += size;
        if (n > 0 && running > cap) break;
        n++;
      }
      return all.slice(from, from + n).map((row) => row.key);
    };
    const total = sizes.reduce((a, b) => a + b, 0);
    for (const from of [0, 1]) {
      const cursor = from === 0 ? undefined : [all[from - 1]!.key];
      for (const cap of [0, 1, sizes[from]!, sizes[from]! + sizes[from + 1]! - 1, total]) {
        const batch = await objectsSpecWith(cap).read(session.sourcePool, cursor, 100);
        const keys = batch.rows.map((row) => row.key);
        expect(keys, `from ${from}, cap ${cap} B`).toEqual(expected(from, cap));
        expect(batch.cursor, `from ${from}, cap ${cap} B`).toEqual([keys.at(-1)]);
      }
    }
  }, 60_000);

  it('a document the target refuses fails the batch, naming the collection, the count and the first refused', async () => {
    // The dataset's notes have a numeric score, so the index maps it as a number; text there is refused.
    await session.source.documents.index('notes', 'zz-refused', { title: 'refused', score: 'not a number' });
    try {
      const error = await session
        .migrate({ batchSize: 100, specs: [documentsSpec] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).name).toBe('MigrationError');
      const notes = Math.floor(SIZE.documents / 2) + 1;
      expect((error as Error).message).toMatch(
        new RegExp(`^documents: 1 of ${notes} documents of notes were refused; first notes/zz-refused: \\S`),
      );
    } finally {
      await session.source.documents.delete('notes', 'zz-refused');
    }
  }, 60_000);

  it('a target that fails to open closes the source it already opened', async () => {
    // Tagged so that only this open's connections are counted: a probe's own backend can linger in
    // pg_stat_activity for a moment after its client ends, which made a before/after count flaky.
    const tagged = withApplicationName(session.sourceUrl, 'dalbench_failed_open');
    await expect(
      MigrationSession.open(tagged, { ...stores!.target, elasticsearchUrl: 'not a url' }),
    ).rejects.toThrow(/absolute URL/);
    expect(await settledConnections(session.sourceUrl, 'dalbench_failed_open')).toBe(0);
  }, 60_000);
});

function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', name);
  return parsed.toString();
}

/** Connections tagged `name`, polled until none is left or 5 s pass (a backend exits after its socket closes). */
async function settledConnections(url: string, name: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const result = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = $1`,
        [name],
      );
      const n = Number(result.rows[0]?.n);
      if (n === 0 || Date.now() > deadline) return n;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}
