// Fuzzed documents and search strings on both document backends (Elasticsearch, PostgreSQL JSONB +
// tsvector), on scratch indices / a scratch database. Indexing a hostile document stores it exactly
// or refuses it with a ValidationError naming the field, the document count unchanged; searching
// hostile user text (Lucene syntax, SQL, tsquery operators) returns results or a ValidationError
// naming the query field — never a store parse error.
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertProperty } from '../../harness/conformance/support/seed.ts';
import { createElasticsearchDocumentRepository } from '../../reference-dal/backends/elasticsearch/document-repository.ts';
import { createPostgresDocumentRepository } from '../../reference-dal/backends/postgres/document-repository.ts';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { ValidationError } from '../../reference-dal/errors.ts';
import type { DocumentRepository, JsonDocument } from '../../reference-dal/ports/documents.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { storeEndpoint } from '../support/stores.ts';
import { hostileString, shownError } from './support/hostile.ts';

type Closable = DocumentRepository & { close(): Promise<void>; dropCollection(c: string): Promise<boolean> };

const COLLECTION = 'fuzz-docs';
const fieldName = fc.oneof(fc.constantFrom('title', 'body', 'tag', 'a_b', 'x-1'), hostileString);
const documentArb: fc.Arbitrary<JsonDocument> = fc.record({
  title: hostileString,
  body: fc.oneof(hostileString, fc.array(hostileString, { maxLength: 3 })),
  tag: fc.constantFrom('a', 'b', "'; DROP TABLE x; --", 'field:(a OR b)^3'),
  extra: fc.dictionary(fieldName, fc.oneof(hostileString, fc.integer(), fc.boolean(), fc.constant(null)), {
    maxKeys: 2,
  }),
});

interface Backend {
  name: 'elasticsearch' | 'postgres';
  open(): Promise<Closable>;
  dispose?(): Promise<void>;
}

let database: TestDatabase | undefined;
const BACKENDS: Backend[] = [
  {
    name: 'elasticsearch',
    open: async () => {
      const [config] = parseStorageConfigs([
        {
          type: 'document',
          backend: 'elasticsearch',
          url: storeEndpoint('elasticsearch')!.url,
          options: { indexPrefix: `dalbench-fz${randomBytes(3).toString('hex')}-`, refresh: 'false' },
        },
      ]);
      return await createElasticsearchDocumentRepository(config!);
    },
  },
  {
    name: 'postgres',
    open: async () => {
      database = await createTestDatabase(storeEndpoint('postgres')!.url, 'fuzzdocs');
      const [config] = parseStorageConfigs([
        { type: 'document', backend: 'postgres', url: database.url, poolSize: 2 },
      ]);
      return await createPostgresDocumentRepository(config!);
    },
    dispose: async () => {
      await database?.[Symbol.asyncDispose]();
    },
  },
];

describe.each(BACKENDS)('fuzzed documents and search ($name)', (backend) => {
  const available = storeEndpoint(backend.name) !== undefined;
  let repository: Closable | undefined;
  beforeAll(async () => {
    if (available) repository = await backend.open();
  });
  afterAll(async () => {
    try {
      await repository?.dropCollection(COLLECTION);
      await repository?.close();
    } finally {
      await backend.dispose?.();
    }
  });

  const count = async () => {
    await repository!.refresh(COLLECTION).catch(() => undefined);
    return repository!.count(COLLECTION).catch(() => 0);
  };

  it.skipIf(!available)(
    'a hostile document is stored exactly, or refused naming the field with the count unchanged',
    async () => {
      const ids = new Set<string>();
      await assertProperty(
        fc.asyncProperty(fc.oneof(fc.uuid(), hostileString), documentArb, async (id, document) => {
          const before = await count();
          expect(before).toBe(ids.size);
          let error: unknown;
          try {
            await repository!.index(COLLECTION, id, document);
          } catch (caught) {
            error = caught;
          }
          if (error !== undefined) {
            expect(error, shownError(error)).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).field).toMatch(/^(id|document|collection)/);
            expect(await count(), 'a refused document changed the count').toBe(before);
            return;
          }
          ids.add(id);
          const stored = await repository!.get(COLLECTION, id);
          expect(stored?.document).toEqual(document);
          expect(await count()).toBe(ids.size);
        }),
        25,
      );
    },
  );

  it.skipIf(!available)(
    'hostile search text, fields and filters: results or a ValidationError on the query, never a store error',
    async () => {
      await repository!.index(COLLECTION, 'seed-doc', {
        title: "'; DROP TABLE x; -- field:(a OR b)^3",
        tag: 'a',
      });
      await repository!.refresh(COLLECTION);
      await assertProperty(
        fc.asyncProperty(
          hostileString,
          fc.option(fc.array(fc.oneof(fc.constant('title'), hostileString), { minLength: 1, maxLength: 2 })),
          fc.option(fc.tuple(fc.oneof(fc.constant('tag'), hostileString), hostileString)),
          async (text, fields, filter) => {
            try {
              const result = await repository!.search(COLLECTION, {
                text,
                ...(fields ? { fields } : {}),
                ...(filter ? { filters: { [filter[0]]: filter[1] } } : {}),
              });
              expect(result.total).toBeGreaterThanOrEqual(0);
            } catch (error) {
              expect(error, shownError(error)).toBeInstanceOf(ValidationError);
              expect((error as ValidationError).field).toMatch(/^query\./);
            }
          },
        ),
        40,
      );
    },
  );
});
