// Refusing an object (no SHA-256 metadata: not written by this repository) must release the GET
// response it opened: an unread body keeps its pooled socket, and once the SDK's pool (50 sockets)
// is used up every later request waits forever. Real S3 API (S3Proxy locally, MinIO in docker).
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseStorageConfigs } from '../../config/storage-config.ts';
import { IntegrityError } from '../../errors.ts';
import { requireStore, unavailableReason } from '../../../test/support/stores.ts';
import { createS3ObjectRepository } from './object-repository.ts';

const SDK_SOCKETS = 50;

describe.skipIf(unavailableReason('s3') !== undefined)('S3ObjectRepository refusing a foreign object', () => {
  it('releases the response of each refused read, so later reads still get a socket', async () => {
    const bucket = `dalbench-foreign-${randomBytes(4).toString('hex')}`;
    const [config] = parseStorageConfigs([
      {
        type: 'object',
        backend: 's3',
        url: requireStore('s3').url,
        timeoutMs: 5_000,
        options: { bucket },
      },
    ]);
    if (!config) throw new Error('no config');
    await using repository = await createS3ObjectRepository(config);
    await repository.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'foreign', Body: Buffer.from('not ours') }),
    );
    await repository.put('ours', Buffer.from('ours'));

    for (let i = 0; i < SDK_SOCKETS + 5; i++) {
      await expect(repository.get('foreign')).rejects.toBeInstanceOf(IntegrityError);
    }
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<'stuck'>((resolve) => {
      timer = setTimeout(() => resolve('stuck'), 8_000);
    });
    try {
      const read = await Promise.race([repository.get('ours'), stuck]);
      expect(read === 'stuck' ? read : Buffer.from(read?.body ?? []).toString()).toBe('ours');
    } finally {
      clearTimeout(timer);
    }
  }, 30_000);
});
