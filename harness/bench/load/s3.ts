// S3 bulk put: objects/s and MiB/s of loadObjectDataset into a scratch bucket, median of repeats.
import { randomBytes } from 'node:crypto';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { parseStorageConfigs } from '../../../reference-dal/config/storage-config.ts';
import { createS3ObjectRepository } from '../../../reference-dal/backends/s3/object-repository.ts';
import { clearPrefix, loadObjectDataset } from '../../../reference-dal/backends/s3/bulk-put.ts';
import { objectDataset } from '../../data/sources.ts';
import type { ScaleSpec } from '../../data/scale.ts';
import { median } from './median.ts';

export interface S3LoadRow {
  readonly objects: number;
  readonly bytes: number;
  readonly concurrency: number;
  readonly objectsPerSecond: number;
  readonly mibPerSecond: number;
}

export async function benchS3Load(
  url: string,
  scale: ScaleSpec,
  seed: number,
  repeats: number,
  concurrency = 8,
): Promise<S3LoadRow> {
  const bucket = `dalbench-loadbench-${randomBytes(4).toString('hex')}`;
  const [config] = parseStorageConfigs([
    { type: 'object', backend: 's3', url, timeoutMs: 120_000, options: { bucket } },
  ]);
  if (!config) throw new Error('no s3 config');
  await using repository = await createS3ObjectRepository(config);
  const data = objectDataset(scale, seed, 's3-objects@1');
  const bytes = data.generator.totalBytes();
  const prefix = 'bench/';
  try {
    const rates: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const started = performance.now();
      const result = await loadObjectDataset(repository, prefix, data.identity, data.source, {
        force: true,
        concurrency,
      });
      rates.push(result.records / ((performance.now() - started) / 1000));
      console.error(`  s3 bulk put: ${rates.at(-1)?.toFixed(1)} objects/s`);
    }
    const perSecond = median(rates);
    return {
      objects: data.generator.total,
      bytes,
      concurrency,
      objectsPerSecond: perSecond,
      mibPerSecond: (perSecond * bytes) / data.generator.total / 2 ** 20,
    };
  } finally {
    await clearPrefix(repository, prefix);
    await repository.client.send(new DeleteBucketCommand({ Bucket: bucket }));
  }
}
