// Fuzzed S3 keys against a real S3 API (a scratch bucket for this file, emptied and removed after):
// a put either stores the object under exactly that key (byte-exact get, listed under it) or is
// refused with a ValidationError naming the key — and then nothing was written (object count).
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertProperty } from '../../harness/conformance/support/seed.ts';
import {
  createS3ObjectRepository,
  type S3ObjectRepository,
} from '../../reference-dal/backends/s3/object-repository.ts';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { ValidationError } from '../../reference-dal/errors.ts';
import { storeEndpoint, unavailableReason } from '../support/stores.ts';
import { hostileString, shownError } from './support/hostile.ts';

const bucket = `dalbench-fuzz-${randomBytes(4).toString('hex')}`;

describe.skipIf(!storeEndpoint('s3'))(
  `fuzzed S3 keys${unavailableReason('s3') ? ` (${unavailableReason('s3')})` : ''}`,
  () => {
    let repository: S3ObjectRepository | undefined;
    beforeAll(async () => {
      const [config] = parseStorageConfigs([
        { type: 'object', backend: 's3', url: storeEndpoint('s3')!.url, options: { bucket } },
      ]);
      repository = await createS3ObjectRepository(config!);
    });
    afterAll(async () => {
      if (!repository) return;
      try {
        for (const info of await repository.list('', { limit: 1000 })) await repository.delete(info.key);
        await repository.client.send(new DeleteBucketCommand({ Bucket: bucket }));
      } finally {
        await repository.close();
      }
    });

    const count = async () => (await repository!.list('', { limit: 1000 })).length;

    it('a hostile key round-trips byte-exact under exactly that key, or is refused naming the key with nothing written', async () => {
      const stored = new Set<string>();
      await assertProperty(
        fc.asyncProperty(
          fc.constantFrom('', 'p/'),
          hostileString.filter((s) => s.length < 2000),
          fc.uint8Array({ maxLength: 64 }),
          async (prefix, tail, body) => {
            const key = prefix + tail;
            const before = await count();
            expect(before).toBe(stored.size);
            let error: unknown;
            try {
              await repository!.put(key, body);
            } catch (caught) {
              error = caught;
            }
            if (error !== undefined) {
              expect(error, shownError(error)).toBeInstanceOf(ValidationError);
              expect((error as ValidationError).field).toMatch(/key/);
              expect(await count(), 'a refused put changed the object count').toBe(before);
              await expect(repository!.get(key)).rejects.toBeInstanceOf(ValidationError);
              return;
            }
            stored.add(key);
            const got = await repository!.get(key);
            expect(got?.info.key).toBe(key);
            expect(
              Buffer.from(got?.body ?? []).equals(Buffer.from(body)),
              `body of ${JSON.stringify(key)}`,
            ).toBe(true);
            expect(await count()).toBe(stored.size);
            expect((await repository!.list(key, { limit: 1000 })).map((i) => i.key)).toContain(key);
          },
        ),
        30,
      );
    });

    it('the segment limit is exact: 200 bytes of UTF-8 between "/" are stored, 201 are refused', async () => {
      const before = await count();
      const ok = `${'é'.repeat(99)}kk/${'A'.repeat(200)}`;
      await repository!.put(ok, Buffer.from('s'));
      expect((await repository!.get(ok))?.info.key).toBe(ok);
      await repository!.delete(ok);
      await expect(repository!.put(`a/${'é'.repeat(100)}k`, Buffer.from('s'))).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect(await count()).toBe(before);
    });

    it('hostile metadata is stored exactly or refused naming the metadata, nothing written', async () => {
      await assertProperty(
        fc.asyncProperty(hostileString, hostileString, async (name, value) => {
          const key = `meta-${randomBytes(4).toString('hex')}`;
          const before = await count();
          let error: unknown;
          try {
            await repository!.put(key, Buffer.from('m'), { metadata: { [name]: value } });
          } catch (caught) {
            error = caught;
          }
          if (error !== undefined) {
            expect(error, shownError(error)).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).field).toMatch(/metadata/);
            expect(await count()).toBe(before);
            return;
          }
          const head = await repository!.head(key);
          expect(head?.metadata[name.toLowerCase()] ?? head?.metadata[name]).toBe(value);
          await repository!.delete(key);
        }),
        20,
      );
    });
  },
);
