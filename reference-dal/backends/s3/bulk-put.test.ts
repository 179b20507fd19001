// Bulk puts read back (SHA-256 verified) through the S3 ObjectRepository; dataset reuse by marker.
import { randomBytes } from 'node:crypto';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { parseStorageConfigs } from '../../config/storage-config.ts';
import { requireStore, unavailableReason } from '../../../test/support/stores.ts';
import { envSeed } from '../../../harness/stats/random.ts';
import { NAMED_SCALES, type ScaleSpec } from '../../../harness/data/scale.ts';
import { objectDataset } from '../../../harness/data/sources.ts';
import { createS3ObjectRepository } from './object-repository.ts';
import { checkObjectDataset, clearPrefix, listKeys, loadObjectDataset } from './bulk-put.ts';

const seed = envSeed();
console.log(`bulk-put seed ${seed} (replay with DALBENCH_SEED=${seed})`);
const small: ScaleSpec = {
  ...NAMED_SCALES.xs,
  name: 'small',
  objects: { ...NAMED_SCALES.xs.objects, count: 12, maxBytes: 64 * 1024, largeShare: 0 },
};

describe.skipIf(unavailableReason('s3') !== undefined)('S3 bulk put', () => {
  it('puts objects the repository reads back verified; reuses only the same dataset', async () => {
    const bucket = `dalbench-bulk-${randomBytes(4).toString('hex')}`;
    const [config] = parseStorageConfigs([
      { type: 'object', backend: 's3', url: requireStore('s3').url, timeoutMs: 30_000, options: { bucket } },
    ]);
    if (!config) throw new Error('no config');
    await using repository = await createS3ObjectRepository(config);
    const prefix = 'ds/';
    try {
      const a = objectDataset(small, seed, 's3@1');
      expect(
        await loadObjectDataset(repository, prefix, a.identity, a.source, { concurrency: 4 }),
      ).toMatchObject({ action: 'loaded', records: 12 });
      const sample = a.generator.object(5);
      const read = await repository.get(`${prefix}${sample.key}`);
      expect(Buffer.from(read!.body).equals(Buffer.from(sample.bytes()))).toBe(true);
      expect(read!.info.metadata).toEqual(sample.metadata);
      expect((await loadObjectDataset(repository, prefix, a.identity, a.source)).action).toBe('reused');

      const b = objectDataset(
        { ...small, name: 'smaller', objects: { ...small.objects, count: 8 } },
        seed,
        's3@1',
      );
      expect((await checkObjectDataset(repository, prefix, b.identity)).action).toBe('reload');
      expect((await loadObjectDataset(repository, prefix, b.identity, b.source)).action).toBe('loaded');
      expect((await listKeys(repository, prefix)).length).toBe(8 + 1); // old objects cleared, marker
      const c = objectDataset(small, seed + 1, 's3@1');
      expect((await checkObjectDataset(repository, prefix, c.identity)).action).toBe('reload');

      // Interrupted before the marker: not reused.
      const interrupted = {
        *objects() {
          let n = 0;
          for (const o of c.generator.objects()) {
            if (++n > 4) throw new Error('interrupted');
            yield o;
          }
        },
      };
      await expect(loadObjectDataset(repository, prefix, c.identity, interrupted)).rejects.toThrow(
        /interrupted/,
      );
      // Every put in flight when the source threw has settled: the four objects are there, no marker.
      expect((await listKeys(repository, prefix)).length).toBe(4);
      expect((await checkObjectDataset(repository, prefix, c.identity)).action).toBe('reload');
      expect((await checkObjectDataset(repository, prefix, b.identity)).action).toBe('reload');
    } finally {
      await clearPrefix(repository, prefix);
      await repository.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    }
  });
});
