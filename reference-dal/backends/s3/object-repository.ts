// ObjectRepository on S3 (AWS S3, MinIO, S3Proxy): SHA-256 of the content in user metadata,
// verified on every read; multipart above a threshold; streamed reads; presigned GETs.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { StorageConfig } from '../../config/storage-config.ts';
import { DalError, IntegrityError, StoreError, ValidationError } from '../../errors.ts';
import {
  SHA256_METADATA,
  validateContentType,
  validateExpiry,
  validateMetadata,
  validateObjectKey,
  validateObjectPrefix,
} from '../../ports/object-keys.ts';
import type { ObjectInfo, ObjectRepository, PutOptions } from '../../ports/objects.ts';
import { parseS3Endpoint } from '../../config/s3-endpoint.ts';
import { sha256Hex, verifiedStream } from './hashing.ts';
import { readS3Options, type S3Options } from './options.ts';
import { spool } from './spool.ts';

const LIST_HEAD_CONCURRENCY = 8;

export class S3ObjectRepository implements ObjectRepository, AsyncDisposable {
  readonly #client: S3Client;
  readonly #url: string;
  readonly #options: S3Options;

  constructor(config: StorageConfig) {
    if (config.backend !== 's3')
      throw new ValidationError('backend', `expected "s3", got "${config.backend}"`);
    const endpoint = parseS3Endpoint(config.url);
    this.#url = config.url;
    this.#options = readS3Options(config);
    this.#client = new S3Client({
      endpoint: endpoint.endpoint,
      region: endpoint.region,
      ...(endpoint.credentials ? { credentials: endpoint.credentials } : {}),
      // Bucket in the path: local servers (S3Proxy, MinIO) have no wildcard DNS for bucket hosts.
      forcePathStyle: true,
      maxAttempts: config.retryAttempts + 1,
      // Every read is verified against the SHA-256 stored at write time, so the SDK's own CRC32
      // check of a GetObject body (on by default) is a second pass over the same bytes through a
      // stream of its own: 0.44 ms per MiB streamed here, 1.18 × a read without it. Uploads keep
      // the SDK's default CRC32, which the server checks on receipt.
      responseChecksumValidation: 'WHEN_REQUIRED',
      // throwOnRequestTimeout: without it smithy only logs when requestTimeout passes, and a
      // server that accepts but never answers holds the call forever.
      requestHandler: {
        requestTimeout: config.timeoutMs,
        connectionTimeout: config.timeoutMs,
        throwOnRequestTimeout: true,
        ...(endpoint.tls?.ca ? { httpsAgent: { ca: endpoint.tls.ca } } : {}),
      },
    });
  }

  /** The raw SDK client, for benchmarks that compare against it. */
  get client(): S3Client {
    return this.#client;
  }

  get bucket(): string {
    return this.#options.bucket;
  }

  async ensureBucket(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (statusOf(error) !== 404 || !this.#options.createBucket)
        throw this.#wrap(`head bucket ${this.bucket}`, error);
    }
    try {
      await this.#client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') {
        throw this.#wrap(`create bucket ${this.bucket}`, error);
      }
    }
  }

  async put(key: string, body: Uint8Array | Readable, options: PutOptions = {}): Promise<ObjectInfo> {
    validateObjectKey(key);
    const contentType = validateContentType(options.contentType);
    const metadata = validateMetadata(options.metadata);
    if (body instanceof Uint8Array) return this.#putBytes(key, body, contentType, metadata);
    if (!(body instanceof Readable)) throw new ValidationError('body', 'must be a Uint8Array or a Readable');
    await using spooled = await spool(body, this.#options.multipartThresholdBytes);
    if (options.contentLength !== undefined && options.contentLength !== spooled.size) {
      throw new ValidationError(
        'contentLength',
        `says ${options.contentLength} bytes, the stream had ${spooled.size}`,
      );
    }
    if (spooled.bytes) return await this.#putBytes(key, spooled.bytes, contentType, metadata);
    await this.#upload(key, spooled.open(), spooled.sha256, contentType, metadata);
    return this.#info(key, spooled.size, spooled.sha256, contentType, metadata);
  }

  async get(key: string): Promise<{ info: ObjectInfo; body: Uint8Array } | undefined> {
    const found = await this.#open(key);
    if (!found) return undefined;
    // Hashed as the chunks arrive (while the rest is still on the wire), and a body that came in
    // one chunk is returned as is instead of being copied by Buffer.concat.
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of found.source) {
        const buffer = chunk as Buffer;
        hash.update(buffer);
        chunks.push(buffer);
        size += buffer.length;
      }
    } catch (error) {
      throw this.#wrap(`read ${key}`, error);
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    const actual = hash.digest('hex');
    if (actual !== found.info.sha256) {
      throw new IntegrityError(
        `s3 object ${key}: content SHA-256 ${actual} does not match stored ${found.info.sha256}`,
      );
    }
    return { info: found.info, body };
  }

  async getStream(key: string): Promise<{ info: ObjectInfo; body: Readable } | undefined> {
    const found = await this.#open(key);
    if (!found) return undefined;
    // A source error or a hash mismatch errors the caller's stream either way.
    return { info: found.info, body: verifiedStream(found.source, found.info.sha256, `s3 object ${key}`) };
  }

  async #open(key: string): Promise<{ info: ObjectInfo; source: Readable } | undefined> {
    validateObjectKey(key);
    let response;
    try {
      response = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.#wrap(`get ${key}`, error);
    }
    const source = response.Body as Readable | undefined;
    if (!source) throw new StoreError('s3', `get ${key}: response has no body`, { url: this.#url });
    try {
      return { info: this.#infoFromHead(key, response), source };
    } catch (error) {
      // An unread body holds its pooled HTTP socket: refusing the object must release it.
      source.destroy();
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    validateObjectKey(key);
    try {
      const response = await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return this.#infoFromHead(key, response);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.#wrap(`head ${key}`, error);
    }
  }

  /** S3's DeleteObject answers 204 whether or not the key existed, so existence is checked first. */
  async delete(key: string): Promise<boolean> {
    validateObjectKey(key);
    const existed = (await this.head(key)) !== undefined;
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      throw this.#wrap(`delete ${key}`, error);
    }
    return existed;
  }

  /** Keys in UTF-8 binary order (ListObjectsV2 pages); each entry is HEADed for hash and metadata. */
  async list(prefix = '', options: { limit?: number } = {}): Promise<ObjectInfo[]> {
    validateObjectPrefix(prefix);
    const limit = options.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
      throw new ValidationError('limit', 'must be an integer 1-100000');
    }
    const keys: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix === '' ? undefined : prefix,
            ContinuationToken: token,
            MaxKeys: Math.min(1000, limit - keys.length),
          }),
        );
      } catch (error) {
        throw this.#wrap(`list ${prefix}`, error);
      }
      for (const entry of page.Contents ?? []) if (entry.Key !== undefined) keys.push(entry.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && keys.length < limit);
    const infos: (ObjectInfo | undefined)[] = new Array<ObjectInfo | undefined>(keys.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) {
        const i = next++;
        const key = keys[i];
        if (key !== undefined) infos[i] = await this.head(key);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_HEAD_CONCURRENCY, keys.length) }, worker));
    // An object deleted between the listing and its HEAD is simply gone.
    return infos.filter((info): info is ObjectInfo => info !== undefined);
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    validateObjectKey(key);
    validateExpiry(expiresInSeconds);
    try {
      return await getSignedUrl(this.#client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
        expiresIn: expiresInSeconds,
      });
    } catch (error) {
      throw this.#wrap(`presign ${key}`, error);
    }
  }

  async health(): Promise<{ status: string }> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      throw this.#wrap('health check', error);
    }
    return { status: 'ok' };
  }

  close(): Promise<void> {
    this.#client.destroy();
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #putBytes(
    key: string,
    bytes: Uint8Array,
    contentType: string,
    metadata: Record<string, string>,
  ): Promise<ObjectInfo> {
    const sha256 = sha256Hex(bytes);
    if (bytes.byteLength >= this.#options.multipartThresholdBytes) {
      await this.#upload(
        key,
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        sha256,
        contentType,
        metadata,
      );
    } else {
      try {
        await this.#client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: bytes,
            ContentLength: bytes.byteLength,
            ContentType: contentType,
            Metadata: { ...metadata, [SHA256_METADATA]: sha256 },
          }),
        );
      } catch (error) {
        throw this.#wrap(`put ${key}`, error);
      }
    }
    return this.#info(key, bytes.byteLength, sha256, contentType, metadata);
  }

  async #upload(
    key: string,
    body: Buffer | Readable,
    sha256: string,
    contentType: string,
    metadata: Record<string, string>,
  ): Promise<void> {
    const upload = new Upload({
      client: this.#client,
      queueSize: this.#options.queueSize,
      partSize: this.#options.partSizeBytes,
      leavePartsOnError: false,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        Metadata: { ...metadata, [SHA256_METADATA]: sha256 },
      },
    });
    try {
      await upload.done();
    } catch (error) {
      throw this.#wrap(`multipart upload ${key}`, error);
    }
  }

  #info(
    key: string,
    size: number,
    sha256: string,
    contentType: string,
    metadata: Record<string, string>,
  ): ObjectInfo {
    return { key, size, sha256, contentType, metadata: { ...metadata }, lastModified: new Date() };
  }

  #infoFromHead(
    key: string,
    head: Pick<HeadObjectCommandOutput, 'ContentLength' | 'ContentType' | 'Metadata' | 'LastModified'>,
  ): ObjectInfo {
    const { [SHA256_METADATA]: sha256, ...metadata } = head.Metadata ?? {};
    if (!sha256)
      throw new IntegrityError(
        `s3 object ${key} has no ${SHA256_METADATA} metadata: not written by this repository`,
      );
    return {
      key,
      size: head.ContentLength ?? 0,
      sha256,
      contentType: head.ContentType ?? 'application/octet-stream',
      metadata,
      lastModified: head.LastModified ?? new Date(0),
    };
  }

  #wrap(what: string, error: unknown): DalError {
    if (error instanceof DalError) return error;
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new StoreError('s3', `${what} (bucket ${this.bucket}): ${detail}`, {
      url: this.#url,
      cause: error,
    });
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return statusOf(error) === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

/** Build a repository from a validated StorageConfig; creates the bucket when missing (options.createBucket). */
export async function createS3ObjectRepository(config: StorageConfig): Promise<S3ObjectRepository> {
  const repository = new S3ObjectRepository(config);
  try {
    await repository.ensureBucket();
  } catch (error) {
    await repository.close();
    throw error;
  }
  return repository;
}
