// Binary objects (model artifacts): S3 in the ADR, bytea/large objects in single-postgres.
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** Hex SHA-256 of the content, stored with the object and verified on read. */
  readonly sha256: string;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly lastModified: Date;
}

export interface PutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** Required for a stream body unless the repository buffers or uploads multipart. */
  contentLength?: number;
}

export interface ObjectRepository {
  put(key: string, body: Uint8Array | Readable, options?: PutOptions): Promise<ObjectInfo>;
  /** Whole object in memory, SHA-256 verified (IntegrityError on mismatch). */
  get(key: string): Promise<{ info: ObjectInfo; body: Uint8Array } | undefined>;
  /** Streamed read for large objects; the stream errors with IntegrityError if the hash mismatches at the end. */
  getStream(key: string): Promise<{ info: ObjectInfo; body: Readable } | undefined>;
  head(key: string): Promise<ObjectInfo | undefined>;
  delete(key: string): Promise<boolean>;
  list(prefix?: string, options?: { limit?: number }): Promise<ObjectInfo[]>;
  /** A URL that GETs the object without credentials until it expires. */
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
}
