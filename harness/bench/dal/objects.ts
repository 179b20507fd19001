// Micro-benchmark: a 4 KiB object get through the S3 ObjectRepository (which also verifies the
// SHA-256) against the raw SDK GetObject reading the same bytes, in one run, on one server. Works
// in its own bucket, emptied and removed afterwards. Ratios are measured, never asserted.
import { DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { createS3ObjectRepository } from '../../../reference-dal/backends/s3/object-repository.ts';
import { parseS3Endpoint } from '../../../reference-dal/backends/s3/endpoint.ts';
import { parseStorageConfigs } from '../../../reference-dal/config/storage-config.ts';
import { measure, row, type DalVsRawRow } from './bench-row.ts';

export interface ObjectBenchOptions {
  readonly timeMs?: number;
  readonly rounds?: number;
}

/** `s3Url` in the provisioner's format: http://ACCESS:SECRET@host:port/?region=R. */
export async function benchObjects(s3Url: string, options: ObjectBenchOptions = {}): Promise<DalVsRawRow[]> {
  const timeMs = options.timeMs ?? 500;
  const rounds = options.rounds ?? 5;
  const bucket = `dalbench-bench-${randomBytes(4).toString('hex')}`;
  const [config] = parseStorageConfigs([{ type: 'object', backend: 's3', url: s3Url, options: { bucket } }]);
  if (!config) throw new Error('no object config');
  await using repository = await createS3ObjectRepository(config);
  const endpoint = parseS3Endpoint(s3Url);
  const raw = new S3Client({
    endpoint: endpoint.endpoint,
    region: endpoint.region,
    forcePathStyle: true,
    ...(endpoint.credentials ? { credentials: endpoint.credentials } : {}),
  });
  const key = 'artifacts/model-4k.bin';
  try {
    await repository.put(key, randomBytes(4096));
    const tasks = {
      'ObjectRepository.get': async () => {
        if ((await repository.get(key))?.body.length !== 4096) throw new Error('bench object missing');
      },
      'S3Client GetObject': async () => {
        const response = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if ((await response.Body?.transformToByteArray())?.length !== 4096)
          throw new Error('bench object missing');
      },
    } as const;
    const medians = await measure(tasks, rounds, timeMs);
    return [
      row(
        'object get 4 KiB: ObjectRepository.get (SHA-256 verified) vs S3Client GetObject',
        medians['ObjectRepository.get'],
        medians['S3Client GetObject'],
        1.1,
        `S3 at ${endpoint.endpoint} (S3Proxy filesystem-nio2 when local: not a performance peer of S3 or MinIO), sequential, SDK defaults on both sides; ${rounds} rounds × ${timeMs} ms per task, median of round medians`,
      ),
    ];
  } finally {
    await raw.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    await raw.send(new DeleteBucketCommand({ Bucket: bucket }));
    raw.destroy();
  }
}
