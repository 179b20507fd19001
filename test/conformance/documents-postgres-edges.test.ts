// The postgres document backend past the shared contract: its own construction and schema, store
// errors that name the store and the operation, a bulk whose COMMIT fails (nothing half-applied, the
// connection reusable), dropCollection's answer, health, and highlights that escape every HTML
// character Lucene's encoder escapes. Real PostgreSQL, one scratch database for the file.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresDocumentRepository,
  PostgresDocumentRepository,
} from '../../reference-dal/backends/postgres/document-repository.ts';
import { parseStorageConfigs, type StorageConfig } from '../../reference-dal/config/storage-config.ts';
import { StoreError, ValidationError } from '../../reference-dal/errors.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { requireStore } from '../support/stores.ts';

let database: TestDatabase | undefined;
let config: StorageConfig;
let repository: PostgresDocumentRepository;
let closed: PostgresDocumentRepository;

function documentConfig(url: string, extra: Record<string, unknown> = {}): StorageConfig {
  const [parsed] = parseStorageConfigs([{ type: 'document', backend: 'postgres', url, ...extra }]);
  if (!parsed) throw new Error('no config');
  return parsed;
}

/** The rejection of `promise`, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

beforeAll(async () => {
  database = await createTestDatabase(requireStore('postgres').url, 'documents_edges');
  // One connection: a client left inside a failed transaction would fail the next statement.
  config = documentConfig(database.url, { poolSize: 1 });
  repository = await createPostgresDocumentRepository(config);
  closed = new PostgresDocumentRepository(config);
  await closed.close();
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    // Refused only at COMMIT: a deferred constraint trigger on ids starting with "late".
    await admin.query(`CREATE FUNCTION refuse_late() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id LIKE 'late%' THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NEW; END $$`);
    await admin.query(`CREATE CONSTRAINT TRIGGER refuse_late AFTER INSERT OR UPDATE ON dalbench_documents
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_late()`);
  } finally {
    await admin.end();
  }
});

afterAll(async () => {
  await repository?.close();
  await database?.[Symbol.asyncDispose]();
});

describe('postgres document repository: construction and schema', () => {
  it('refuses a config of another backend, naming the backend', () => {
    const [es] = parseStorageConfigs([
      { type: 'document', backend: 'elasticsearch', url: 'http://127.0.0.1:9' },
    ]);
    expect(() => new PostgresDocumentRepository(es!)).toThrow(
      new ValidationError('backend', 'expected "postgres", got "elasticsearch"'),
    );
  });

  it('uses the pool it is given, and applies its one migration once', async () => {
    const pool = new pg.Pool({ connectionString: database!.url, max: 1 });
    const own = new PostgresDocumentRepository(config, pool);
    try {
      expect(own.pool).toBe(pool);
      expect(await own.migrate()).toEqual([]);
      const applied = await pool.query<{ version: number }>(
        "SELECT version FROM dalbench_migrations WHERE namespace = 'documents-postgres'",
      );
      expect(applied.rows.map((r) => r.version)).toEqual([1]);
    } finally {
      await own.close();
    }
    expect(repository.pool).toBeInstanceOf(pg.Pool);
  });

  it('a fresh database gets the table and its indexes', async () => {
    const indexes = await repository.pool.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dalbench_documents' ORDER BY indexname",
    );
    expect(indexes.rows.map((r) => [r.indexname, r.indexdef.replace(/^.* USING /, '')])).toEqual([
      ['dalbench_documents_doc', 'gin (doc jsonb_path_ops)'],
      ['dalbench_documents_pkey', 'btree (collection, id)'],
      ['dalbench_documents_tsv', 'gin (tsv)'],
    ]);
  });

  it('names the store and the step when the schema cannot be applied', async () => {
    const error = await rejection(closed.migrate());
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/^postgres at .*: migrate documents schema: /);
    const missing = documentConfig(`${database!.url}_missing`, { timeoutMs: 5_000 });
    const failed = await rejection(createPostgresDocumentRepository(missing));
    expect(failed).toBeInstanceOf(StoreError);
    expect(failed.message).toContain('migrate documents schema');
  });
});

describe('postgres document repository: store errors', () => {
  it('wraps every failed call in a StoreError naming the operation', async () => {
    const cases: [string, () => Promise<unknown>][] = [
      ['index c/a: ', () => closed.index('c', 'a', { x: 1 })],
      ['connect: ', () => closed.bulkIndex('c', [{ id: 'a', document: {} }])],
      ['get c/a: ', () => closed.get('c', 'a')],
      ['delete c/a: ', () => closed.delete('c', 'a')],
      ['search c: ', () => closed.search('c', { text: 'x' })],
      ['search c: ', () => closed.search('c', { text: 'x', size: 0 })],
      ['count c: ', () => closed.count('c')],
      ['drop c: ', () => closed.dropCollection('c')],
      ['health check: ', () => closed.health()],
    ];
    for (const [what, call] of cases) {
      const error = await rejection(call());
      expect(error, what).toBeInstanceOf(StoreError);
      expect(error.message, what).toMatch(/^postgres at [^ ]+: /);
      expect(error.message, what).toContain(`: ${what}Cannot use a pool after calling end on the pool`);
    }
  });

  it('validates the collection before refreshing it', async () => {
    await expect(repository.refresh('_all')).rejects.toBeInstanceOf(ValidationError);
    await expect(repository.refresh('fine')).resolves.toBeUndefined();
  });

  it('a bulk refused at COMMIT applies nothing, names the bulk, and the connection serves the next one', async () => {
    const error = await rejection(
      repository.bulkIndex('late', [
        { id: 'early', document: { n: 1 } },
        { id: 'late1', document: { n: 2 } },
      ]),
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).store).toBe('postgres');
    expect(error.message).toMatch(/^postgres at [^ ]+: bulk index 2 items into late: refused at commit$/);
    expect(await repository.get('late', 'early')).toBeUndefined();
    expect(await repository.bulkIndex('late', [{ id: 'early', document: { n: 1 } }])).toEqual({
      indexed: 1,
      skippedStale: 0,
      errors: [],
    });
    // Committed: another connection sees it (the repository's only connection would see its own
    // uncommitted rows too).
    const other = new pg.Client({ connectionString: database!.url });
    await other.connect();
    try {
      const seen = await other.query("SELECT doc FROM dalbench_documents WHERE collection = 'late'");
      expect(seen.rows).toEqual([{ doc: { n: 1 } }]);
    } finally {
      await other.end();
    }
    const single = await rejection(repository.index('late', 'late2', { n: 3 }));
    expect(single).toBeInstanceOf(StoreError);
    expect(single.message).toContain('index late/late2: refused at commit');
  });
});

describe('postgres document repository: answers', () => {
  it('dropCollection says whether there was anything to drop, and count follows', async () => {
    expect(await repository.dropCollection('drop-me')).toBe(false);
    await repository.index('drop-me', 'a', { n: 1 });
    await repository.index('drop-me', 'b', { n: 2 });
    await repository.index('keep-me', 'a', { n: 1 });
    expect(await repository.count('drop-me')).toBe(2);
    expect(await repository.dropCollection('drop-me')).toBe(true);
    expect(await repository.count('drop-me')).toBe(0);
    expect(await repository.count('keep-me')).toBe(1);
  });

  it('health answers ok', async () => {
    expect(await repository.health()).toEqual({ status: 'ok' });
  });

  it('delete reports whether it removed a document, honouring the version', async () => {
    await repository.index('del', 'v', { n: 1 }, { version: 4 });
    await repository.index('del', 'u', { n: 1 });
    expect(await repository.delete('del', 'v', { version: 4 })).toBe(false);
    expect(await repository.delete('del', 'v', { version: 3 })).toBe(false);
    expect(await repository.delete('del', 'v', { version: 5 })).toBe(true);
    expect(await repository.delete('del', 'v')).toBe(false);
    expect(await repository.delete('del', 'u')).toBe(true);
    expect(await repository.count('del')).toBe(0);
  });

  it('highlights escape all six HTML characters and keep one fragment per array element', async () => {
    await repository.index('hl', 'h', {
      text: `alpha x&y <b> "q" 's' a/b three four five six`,
      list: ['alpha one two three four', 'beta', 'alpha five six seven eight'],
      nested: { deep: { note: 'alpha' } },
      n: 7,
      nothing: null,
      flag: true,
    });
    const result = await repository.search('hl', { text: 'alpha', highlight: true });
    expect(result.total).toBe(1);
    expect(result.hits[0]?.highlights).toEqual({
      text: ['<em>alpha</em> x&amp;y &lt;b&gt; &quot;q&quot; &#x27;s&#x27; a&#x2F;b three four five'],
      list: ['<em>alpha</em> one two three four', '<em>alpha</em> five six seven eight'],
      'nested.deep.note': ['<em>alpha</em>'],
    });
    const plain = await repository.search('hl', { text: 'alpha' });
    expect(plain.hits[0]?.highlights).toEqual({});
    const empty = await repository.search('hl', { text: '', highlight: true });
    expect(empty.hits[0]?.highlights).toEqual({});
  });
});

describe('postgres document repository: limits and lifetime', () => {
  it('refuses a document whose words overflow the tsvector as invalid input, naming the call', async () => {
    // ~1 MB of distinct six-letter words: under the 1 MiB document limit, over the 1 MiB tsvector limit.
    const words = Array.from({ length: 140_000 }, (_, i) => `w${i.toString(36).padStart(5, '0')}`);
    const error = await rejection(repository.index('big', 'words', { text: words.join(' ') }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/^document: index big\/words: string is too long for tsvector/);
    expect((error.cause as { code?: string } | undefined)?.code).toBe('54000');
    expect(await repository.count('big')).toBe(0);
  });

  it('ranks by relevance when there is text, and scores every hit 1 when there is none', async () => {
    await repository.index('rank', 'a-sparse', { text: 'alpha beta gamma delta epsilon zeta eta theta' });
    await repository.index('rank', 'b-dense', { text: 'alpha alpha alpha' });
    const ranked = await repository.search('rank', { text: 'alpha' });
    expect(ranked.hits.map((h) => h.id)).toEqual(['b-dense', 'a-sparse']);
    expect(ranked.hits[0]!.score).toBeGreaterThan(ranked.hits[1]!.score);
    expect(ranked.hits[1]!.score).toBeGreaterThan(0);
    expect(ranked.hits[0]!.score).toBeLessThan(1);
    const all = await repository.search('rank', { text: '' });
    expect(all.hits.map((h) => [h.id, h.score])).toEqual([
      ['a-sparse', 1],
      ['b-dense', 1],
    ]);
  });

  it('disposing the repository ends its pool', async () => {
    let disposed: PostgresDocumentRepository | undefined;
    {
      await using own = new PostgresDocumentRepository(config);
      disposed = own;
      expect(await own.health()).toEqual({ status: 'ok' });
    }
    expect(disposed.pool.ended).toBe(true);
    await expect(disposed.health()).rejects.toBeInstanceOf(StoreError);
  });
});
