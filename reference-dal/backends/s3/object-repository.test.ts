// Refusing an object (no SHA-256 metadata: not written by this repository) must release the GET
// response it opened: an unread body keeps its pooled socket, and once the SDK's pool (50 sockets)
// is used up every later request waits forever. And a body is verified once, by its SHA-256. Real
// S3 API (S3Proxy locally, MinIO in docker).
import { DeleteBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { IncomingMessage } from 'node:http';
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

describe.skipIf(unavailableReason('s3') !== undefined)('S3ObjectRepository reading a body', () => {
  it('verifies it once: by its SHA-256, not also by the SDK’s CRC32 stream', async () => {
    const bucket = `dalbench-once-${randomBytes(4).toString('hex')}`;
    const [config] = parseStorageConfigs([
      { type: 'object', backend: 's3', url: requireStore('s3').url, options: { bucket } },
    ]);
    if (!config) throw new Error('no config');
    await using repository = await createS3ObjectRepository(config);
    const content = randomBytes(64 * 1024);
    await repository.put('once', content);
    // The SDK's default asks for the CRC32 stored on put and wraps the body in a ChecksumStream to
    // check it; the repository's client does not ask, and the body is the HTTP response itself.
    const response = await repository.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'once' }));
    expect(response.ChecksumCRC32).toBeUndefined();
    expect(response.Body).toBeInstanceOf(IncomingMessage);
    await response.Body?.transformToByteArray();
    // A caller who asks for the SDK's check still gets it: the upload carried the CRC32.
    const checked = await repository.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'once', ChecksumMode: 'ENABLED' }),
    );
    expect(checked.ChecksumCRC32).toBeTypeOf('string');
    expect(checked.Body).not.toBeInstanceOf(IncomingMessage);
    await checked.Body?.transformToByteArray();
    const streamed = await repository.getStream('once');
    const chunks: Buffer[] = [];
    for await (const chunk of streamed?.body ?? []) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    await repository.delete('once');
    await repository.client.send(new DeleteBucketCommand({ Bucket: bucket }));
  }, 30_000);
});
