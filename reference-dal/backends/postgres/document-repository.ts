// DocumentRepository on PostgreSQL for the single-postgres profile: JSONB + generated tsvector
// (GIN), ts_rank, ts_headline over HTML-escaped text, plainto_tsquery so user text is never query
// syntax, filters as jsonb containment, terms aggregation by GROUP BY, external versions honoured.
import type pg from 'pg';
import type { StorageConfig } from '../../config/storage-config.ts';
import { StoreError, ValidationError } from '../../errors.ts';
import {
  AGGREGATION_SIZE,
  resolveSearch,
  validateBulk,
  validateCollection,
  validateDocument,
  validateDocumentId,
  validateVersion,
} from '../../ports/document-input.ts';
import type {
  BulkItem,
  BulkResult,
  DocumentRepository,
  IndexOptions,
  JsonDocument,
  SearchQuery,
  SearchResult,
  StoredDocument,
} from '../../ports/documents.ts';
import { applyMigrations } from '../../sql/migrate.ts';
import { createPool, storeError, watchCheckedOut } from '../../sql/pool.ts';
import { DOCUMENT_MIGRATIONS, DOCUMENTS_NAMESPACE } from './document-migrations.ts';
import { HIGHLIGHT_SQL, UPSERT_SQL, aggregationSql, countSql, searchSql } from './document-sql.ts';

interface DocumentRow {
  id: string;
  doc: JsonDocument;
  version: string;
}

export class PostgresDocumentRepository implements DocumentRepository, AsyncDisposable {
  readonly #pool: pg.Pool;
  readonly #url: string;

  /** Use createPostgresDocumentRepository, which also applies the schema. */
  constructor(config: StorageConfig, pool?: pg.Pool) {
    if (config.backend !== 'postgres') {
      throw new ValidationError('backend', `expected "postgres", got "${config.backend}"`);
    }
    this.#url = config.url;
    this.#pool = pool ?? createPool(config, 'postgres');
  }

  get pool(): pg.Pool {
    return this.#pool;
  }

  async migrate(): Promise<number[]> {
    try {
      return await applyMigrations(this.#pool, DOCUMENTS_NAMESPACE, DOCUMENT_MIGRATIONS);
    } catch (error) {
      throw storeError('postgres', this.#url, 'migrate documents schema', error);
    }
  }

  async index(
    collection: string,
    id: string,
    document: JsonDocument,
    options: IndexOptions = {},
  ): Promise<void> {
    validateCollection(collection);
    validateDocumentId(id);
    validateDocument(document);
    validateVersion(options.version);
    // No row back = a stale external version: ignored, like a 409 from Elasticsearch.
    await this.#query(`index ${collection}/${id}`, UPSERT_SQL, [
      collection,
      id,
      JSON.stringify(document),
      options.version ?? null,
    ]);
  }

  async bulkIndex(collection: string, items: readonly BulkItem[]): Promise<BulkResult> {
    validateCollection(collection);
    validateBulk(items);
    let indexed = 0;
    let skippedStale = 0;
    const errors: { id: string; reason: string }[] = [];
    const client = await this.#connect();
    const release = watchCheckedOut(client);
    // A client whose ROLLBACK failed may still be inside the transaction: destroy it, never reuse it.
    let discard: Error | undefined;
    try {
      await client.query('BEGIN');
      // Items apply in order, like _bulk; one item's failure must not undo the others (savepoints).
      for (const item of items) {
        await client.query('SAVEPOINT item');
        try {
          const result = await client.query(UPSERT_SQL, [
            collection,
            item.id,
            JSON.stringify(item.document),
            item.version ?? null,
          ]);
          if (result.rowCount === 1) indexed += 1;
          else skippedStale += 1;
          await client.query('RELEASE SAVEPOINT item');
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT item');
          errors.push({ id: item.id, reason: error instanceof Error ? error.message : String(error) });
        }
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        discard = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw storeError('postgres', this.#url, `bulk index ${items.length} items into ${collection}`, error);
    } finally {
      release(discard);
    }
    return { indexed, skippedStale, errors };
  }

  async get(collection: string, id: string): Promise<StoredDocument | undefined> {
    validateCollection(collection);
    validateDocumentId(id);
    const result = await this.#query<DocumentRow>(
      `get ${collection}/${id}`,
      'SELECT id, doc, version FROM dalbench_documents WHERE collection = $1 AND id = $2',
      [collection, id],
    );
    const row = result.rows[0];
    return row ? { id: row.id, document: row.doc, version: Number(row.version) } : undefined;
  }

  async delete(collection: string, id: string, options: IndexOptions = {}): Promise<boolean> {
    validateCollection(collection);
    validateDocumentId(id);
    // A versioned delete removes only an older version; this backend keeps no tombstone afterwards.
    const result = await this.#query(
      `delete ${collection}/${id}`,
      `DELETE FROM dalbench_documents WHERE collection = $1 AND id = $2
         AND ($3::bigint IS NULL OR version IS NULL OR version < $3::bigint)`,
      [collection, id, options.version ?? null],
    );
    return result.rowCount === 1;
  }

  async search(collection: string, query: SearchQuery): Promise<SearchResult> {
    validateCollection(collection);
    const q = resolveSearch(query);
    let total: number;
    let rows: (DocumentRow & { score: number; total: string })[] = [];
    if (q.size === 0) {
      const built = countSql(collection, q);
      const result = await this.#query<{ total: string }>(`search ${collection}`, built.text, built.values);
      total = Number(result.rows[0]?.total ?? 0);
    } else {
      const built = searchSql(collection, q);
      rows = (
        await this.#query<DocumentRow & { score: number; total: string }>(
          `search ${collection}`,
          built.text,
          built.values,
        )
      ).rows;
      total = rows.length === 0 ? 0 : Number(rows[0]?.total ?? 0);
    }
    const highlights = q.highlight && q.text !== '' ? await this.#highlight(rows, q.text) : [];
    const hits = rows.map((row, i) => ({
      id: row.id,
      score: row.score,
      document: row.doc,
      highlights: highlights[i] ?? {},
    }));
    if (!q.aggregateBy) return { total, hits };
    const built = aggregationSql(collection, q, q.aggregateBy, AGGREGATION_SIZE);
    const buckets = await this.#query<{ key: string; count: string }>(
      `aggregate ${collection}`,
      built.text,
      built.values,
    );
    return { total, hits, aggregation: buckets.rows.map((b) => ({ key: b.key, count: Number(b.count) })) };
  }

  /** Committed writes are visible at once; nothing to do. */
  async refresh(collection: string): Promise<void> {
    validateCollection(collection);
    await Promise.resolve();
  }

  async count(collection: string): Promise<number> {
    validateCollection(collection);
    const result = await this.#query<{ n: string }>(
      `count ${collection}`,
      'SELECT count(*) AS n FROM dalbench_documents WHERE collection = $1',
      [collection],
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  async dropCollection(collection: string): Promise<boolean> {
    validateCollection(collection);
    const result = await this.#query(
      `drop ${collection}`,
      'DELETE FROM dalbench_documents WHERE collection = $1',
      [collection],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async health(): Promise<{ status: string }> {
    await this.#query('health check', 'SELECT 1', []);
    return { status: 'ok' };
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Field → fragments per hit, from the string leaves that hold any query word. */
  async #highlight(rows: readonly DocumentRow[], text: string): Promise<Record<string, string[]>[]> {
    const leaves: { hit: number; field: string; text: string }[] = [];
    rows.forEach((row, hit) =>
      collectStrings(row.doc, '', (field, value) => leaves.push({ hit, field, text: value })),
    );
    const out: Record<string, string[]>[] = rows.map(() => ({}));
    if (leaves.length === 0) return out;
    const result = await this.#query<{ i: number; fragment: string }>('highlight', HIGHLIGHT_SQL, [
      leaves.map((l) => l.text),
      text,
    ]);
    for (const { i, fragment } of result.rows) {
      const leaf = leaves[i - 1];
      if (!leaf || !fragment.includes('<em>')) continue;
      const fields = out[leaf.hit];
      if (fields) (fields[leaf.field] ??= []).push(fragment);
    }
    return out;
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw storeError('postgres', this.#url, 'connect', error);
    }
  }

  async #query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    what: string,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(text, values);
    } catch (error) {
      // 54000 program_limit_exceeded: e.g. a document whose words overflow the 1 MiB tsvector.
      if ((error as { code?: string }).code === '54000') {
        throw new ValidationError('document', `${what}: ${(error as Error).message}`, { cause: error });
      }
      if (error instanceof StoreError) throw error;
      throw storeError('postgres', this.#url, what, error);
    }
  }
}

/** Every string leaf with its dotted field path (array elements share their field's path, as in ES). */
function collectStrings(value: unknown, path: string, emit: (field: string, text: string) => void): void {
  if (typeof value === 'string') {
    if (path !== '') emit(path, value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, path, emit);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value))
      collectStrings(child, path === '' ? key : `${path}.${key}`, emit);
  }
}

/** Build a repository from a validated StorageConfig and apply its schema migrations. */
export async function createPostgresDocumentRepository(
  config: StorageConfig,
): Promise<PostgresDocumentRepository> {
  const repository = new PostgresDocumentRepository(config);
  try {
    await repository.migrate();
  } catch (error) {
    await repository.close();
    throw error;
  }
  return repository;
}
