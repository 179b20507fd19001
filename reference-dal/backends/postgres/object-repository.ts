// ObjectRepository on PostgreSQL for the single-postgres profile: bytea with the same semantics as
// the S3 backend (SHA-256 stored and verified on read, user metadata, streamed reads in chunks).
// presignGet is not supported: PostgreSQL has no URL a client could GET without credentials.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type pg from 'pg';
import type { StorageConfig } from '../../config/storage-config.ts';
import { DalError, IntegrityError, StoreError, ValidationError } from '../../errors.ts';
import {
  validateContentType,
  validateExpiry,
  validateMetadata,
  validateObjectKey,
  validateObjectPrefix,
} from '../../ports/object-keys.ts';
import type { ObjectInfo, ObjectRepository, PutOptions } from '../../ports/objects.ts';
import { applyMigrations } from '../../sql/migrate.ts';
import { createPool, storeError, watchCheckedOut } from '../../sql/pool.ts';
import { OBJECT_MIGRATIONS, OBJECTS_NAMESPACE } from './object-migrations.ts';

/** bytea tops out at 1 GiB; stay well below so a whole-object read fits in memory. */
export const MAX_POSTGRES_OBJECT_BYTES = 512 * 1024 * 1024;
const STREAM_CHUNK_BYTES = 1024 * 1024;

/** Thrown by operations a backend cannot offer (presigned URLs on PostgreSQL). */
export class UnsupportedOperationError extends DalError {
  override name = 'UnsupportedOperationError';
}

interface InfoRow {
  key: string;
  size: string;
  sha256: string;
  content_type: string;
  metadata: Record<string, string>;
  last_modified: Date;
}

const INFO_COLUMNS = 'key, size, sha256, content_type, metadata, last_modified';
// The hot statements, built once and prepared once per connection (by name).
const PUT_SQL = `INSERT INTO dalbench_objects (key, body, size, sha256, content_type, metadata, last_modified)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body, size = EXCLUDED.size, sha256 = EXCLUDED.sha256,
         content_type = EXCLUDED.content_type, metadata = EXCLUDED.metadata, last_modified = EXCLUDED.last_modified
       RETURNING ${INFO_COLUMNS}`;
const GET_SQL = `SELECT ${INFO_COLUMNS}, body FROM dalbench_objects WHERE key = $1`;
const HEAD_SQL = `SELECT ${INFO_COLUMNS} FROM dalbench_objects WHERE key = $1`;

export class PostgresObjectRepository implements ObjectRepository, AsyncDisposable {
  readonly #pool: pg.Pool;
  readonly #url: string;

  /** Use createPostgresObjectRepository, which also applies the schema. */
  constructor(config: StorageConfig, pool?: pg.Pool) {
    if (config.backend !== 'postgres')
      throw new ValidationError('backend', `expected "postgres", got "${config.backend}"`);
    this.#url = config.url;
    this.#pool = pool ?? createPool(config, 'postgres');
  }

  get pool(): pg.Pool {
    return this.#pool;
  }

  async migrate(): Promise<number[]> {
    try {
      return await applyMigrations(this.#pool, OBJECTS_NAMESPACE, OBJECT_MIGRATIONS);
    } catch (error) {
      throw storeError('postgres', this.#url, 'migrate objects schema', error);
    }
  }

  async put(key: string, body: Uint8Array | Readable, options: PutOptions = {}): Promise<ObjectInfo> {
    validateObjectKey(key);
    const contentType = validateContentType(options.contentType);
    const metadata = validateMetadata(options.metadata);
    const bytes = body instanceof Uint8Array ? body : await readAll(body);
    if (
      options.contentLength !== undefined &&
      !(body instanceof Uint8Array) &&
      options.contentLength !== bytes.byteLength
    ) {
      throw new ValidationError(
        'contentLength',
        `says ${options.contentLength} bytes, the stream had ${bytes.byteLength}`,
      );
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const result = await this.#query<InfoRow>(`put ${key}`, 'dalbench_objects_put', PUT_SQL, [
      key,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      bytes.byteLength,
      sha256,
      contentType,
      metadata,
    ]);
    return toInfo(firstRow(result, key));
  }

  async get(key: string): Promise<{ info: ObjectInfo; body: Uint8Array } | undefined> {
    validateObjectKey(key);
    const result = await this.#query<InfoRow & { body: Buffer }>(
      `get ${key}`,
      'dalbench_objects_get',
      GET_SQL,
      [key],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const actual = createHash('sha256').update(row.body).digest('hex');
    if (actual !== row.sha256) {
      throw new IntegrityError(
        `postgres object ${key}: content SHA-256 ${actual} does not match stored ${row.sha256}`,
      );
    }
    return { info: toInfo(row), body: row.body };
  }

  /** Reads 1 MiB chunks in one REPEATABLE READ transaction, so a concurrent overwrite cannot mix versions. */
  async getStream(key: string): Promise<{ info: ObjectInfo; body: Readable } | undefined> {
    validateObjectKey(key);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw storeError('postgres', this.#url, `get ${key}`, error);
    }
    const release = watchCheckedOut(client);
    let info: ObjectInfo;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await client.query<InfoRow>(
        `SELECT ${INFO_COLUMNS} FROM dalbench_objects WHERE key = $1`,
        [key],
      );
      const row = result.rows[0];
      if (!row) {
        await client.query('ROLLBACK');
        release();
        return undefined;
      }
      info = toInfo(row);
    } catch (error) {
      release(true);
      throw storeError('postgres', this.#url, `get ${key}`, error);
    }
    const url = this.#url;
    async function* chunks(): AsyncGenerator<Buffer> {
      const hash = createHash('sha256');
      try {
        for (let offset = 0; offset < info.size; offset += STREAM_CHUNK_BYTES) {
          const part = await client.query<{ chunk: Buffer }>(
            'SELECT substring(body FROM $2::int FOR $3::int) AS chunk FROM dalbench_objects WHERE key = $1',
            [key, offset + 1, STREAM_CHUNK_BYTES],
          );
          const chunk = part.rows[0]?.chunk;
          if (!chunk)
            throw new StoreError('postgres', `object ${key} vanished during a streamed read`, { url });
          hash.update(chunk);
          yield chunk;
        }
        await client.query('COMMIT');
        release();
        const actual = hash.digest('hex');
        if (actual !== info.sha256) {
          throw new IntegrityError(
            `postgres object ${key}: content SHA-256 ${actual} does not match stored ${info.sha256}`,
          );
        }
      } finally {
        // Destroyed early or failed: drop the connection rather than return it mid-transaction.
        release(true);
      }
    }
    const body = Readable.from(chunks(), { objectMode: false });
    // A stream destroyed before its first read never enters the generator, so its finally never
    // runs: the close event is what returns the connection then (a no-op once released).
    body.once('close', () => release(true));
    return { info, body };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    validateObjectKey(key);
    const result = await this.#query<InfoRow>(`head ${key}`, 'dalbench_objects_head', HEAD_SQL, [key]);
    const row = result.rows[0];
    return row ? toInfo(row) : undefined;
  }

  async delete(key: string): Promise<boolean> {
    validateObjectKey(key);
    const result = await this.#query(
      `delete ${key}`,
      'dalbench_objects_delete',
      'DELETE FROM dalbench_objects WHERE key = $1',
      [key],
    );
    return result.rowCount === 1;
  }

  /** Keys in byte order (the column is COLLATE "C"), like S3's ListObjectsV2. */
  async list(prefix = '', options: { limit?: number } = {}): Promise<ObjectInfo[]> {
    validateObjectPrefix(prefix);
    const limit = options.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
      throw new ValidationError('limit', 'must be an integer 1-100000');
    const result = await this.#query<InfoRow>(
      `list ${prefix}`,
      undefined,
      `SELECT ${INFO_COLUMNS} FROM dalbench_objects WHERE starts_with(key, $1) ORDER BY key LIMIT $2`,
      [prefix, limit],
    );
    return result.rows.map(toInfo);
  }

  /** Not supported: throws UnsupportedOperationError (after validating the arguments). */
  presignGet(key: string, expiresInSeconds: number): Promise<string> {
    validateObjectKey(key);
    validateExpiry(expiresInSeconds);
    return Promise.reject(
      new UnsupportedOperationError(
        'presignGet is not supported by the postgres object backend: PostgreSQL has no credential-free URL; serve the bytes from get() instead',
      ),
    );
  }

  async health(): Promise<{ status: string }> {
    await this.#query('health check', undefined, 'SELECT 1', []);
    return { status: 'ok' };
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** `name` prepares the statement once per connection (hot paths; one fixed text per name). */
  async #query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    what: string,
    name: string | undefined,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>({ name, text, values });
    } catch (error) {
      throw storeError('postgres', this.#url, what, error);
    }
  }
}

async function readAll(body: Readable): Promise<Buffer> {
  if (!(body instanceof Readable)) throw new ValidationError('body', 'must be a Uint8Array or a Readable');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > MAX_POSTGRES_OBJECT_BYTES) {
      body.destroy();
      throw new ValidationError(
        'body',
        `larger than ${MAX_POSTGRES_OBJECT_BYTES} bytes, the postgres object backend's limit`,
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function firstRow<R>(result: pg.QueryResult<R & pg.QueryResultRow>, key: string): R {
  const row = result.rows[0];
  if (!row) throw new StoreError('postgres', `put ${key}: no row returned`);
  return row;
}

function toInfo(row: InfoRow): ObjectInfo {
  return {
    key: row.key,
    size: Number(row.size),
    sha256: row.sha256,
    contentType: row.content_type,
    metadata: row.metadata,
    lastModified: row.last_modified,
  };
}

/** Build a repository from a validated StorageConfig and apply its schema migrations. */
export async function createPostgresObjectRepository(
  config: StorageConfig,
): Promise<PostgresObjectRepository> {
  const repository = new PostgresObjectRepository(config);
  try {
    await repository.migrate();
  } catch (error) {
    await repository.close();
    throw error;
  }
  return repository;
}
