// The object contract on a real S3 API (S3Proxy locally, MinIO in docker): a bucket per test file.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { createS3ObjectRepository } from '../../reference-dal/backends/s3/object-repository.ts';
import { requireStore } from '../../test/support/stores.ts';
import { objectsContract } from './objects.contract.ts';

const bucket = `dalbench-objects-${randomBytes(4).toString('hex')}`;
const MULTIPART_THRESHOLD = 5 * 1024 * 1024;

objectsContract('s3', async () => {
  const [config] = parseStorageConfigs([
    {
      type: 'object',
      backend: 's3',
      url: requireStore('s3').url,
      options: { bucket, multipartThresholdBytes: MULTIPART_THRESHOLD, partSizeBytes: MULTIPART_THRESHOLD },
    },
  ]);
  if (!config) throw new Error('no config');
  const repository = await createS3ObjectRepository(config);
  return {
    repository,
    prefix: `${randomBytes(3).toString('hex')}/`,
    presign: true,
    multipartThresholdBytes: MULTIPART_THRESHOLD,
    corrupt: async (key) => {
      const head = await repository.head(key);
      await repository.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: Buffer.from('tampered'),
          Metadata: { sha256: head?.sha256 ?? '' },
        }),
      );
    },
    [Symbol.asyncDispose]: () => repository.close(),
  };
});
