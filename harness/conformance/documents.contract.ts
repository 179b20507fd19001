// The DocumentRepository contract, run against every backend: model-based command sequences
// (index, versioned index, bulk, delete, get, search with filters and a terms aggregation) agree
// with an in-memory model; hostile documents and search text work exactly or are refused with a
// ValidationError; highlights escape the document's HTML.
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../reference-dal/errors.ts';
import { DEFAULT_SEARCH_SIZE } from '../../reference-dal/ports/document-input.ts';
import {
  loadDocuments,
  type BulkItem,
  type DocumentRepository,
  type JsonDocument,
  type SearchQuery,
} from '../../reference-dal/ports/documents.ts';
import { DocumentModel, words } from './documents.model.ts';
import { assertProperty } from './support/seed.ts';

export interface DocumentSubject extends AsyncDisposable {
  readonly repository: DocumentRepository;
  /** Remove a collection and everything in it (each property run uses a fresh one). */
  drop(collection: string): Promise<void>;
}

const VOCABULARY = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'] as const;
const word = fc.constantFrom(...VOCABULARY);
const documentArb: fc.Arbitrary<JsonDocument> = fc.record({
  title: fc.array(word, { minLength: 1, maxLength: 4 }).map((ws) => ws.join(' ')),
  status: fc.constantFrom('open', 'closed', 'draft'),
  n: fc.integer({ min: 0, max: 3 }),
  tags: fc.uniqueArray(word, { maxLength: 2 }),
});
// Enough ids that a collection outgrows a default page (10 hits) and the small sizes searched below.
const idArb = fc.constantFrom(
  'd1',
  'd2',
  'd3',
  'd4',
  'd5 with space',
  'dé6',
  ...Array.from({ length: 10 }, (_, i) => `e${i}`),
);
const versionArb = fc.integer({ min: 1, max: 6 });

interface Real {
  readonly repository: DocumentRepository;
  readonly collection: string;
}

type Command = fc.AsyncCommand<DocumentModel, Real>;

class IndexCommand implements Command {
  constructor(
    readonly id: string,
    readonly document: JsonDocument,
    readonly version: number | undefined,
  ) {}
  check(model: Readonly<DocumentModel>): boolean {
    // After a delete, stores differ in how long they remember the deleted version (see README gap).
    return this.version === undefined || !model.deleted.has(this.id);
  }
  async run(model: DocumentModel, real: Real): Promise<void> {
    await real.repository.index(
      real.collection,
      this.id,
      this.document,
      this.version === undefined ? {} : { version: this.version },
    );
    model.index(this.id, this.document, this.version);
    await expectStored(model, real, this.id);
  }
  toString(): string {
    return `index(${this.id}, ${JSON.stringify(this.document)}, v=${String(this.version)})`;
  }
}

class BulkCommand implements Command {
  constructor(readonly items: readonly BulkItem[]) {}
  check(model: Readonly<DocumentModel>): boolean {
    return this.items.every((item) => item.version === undefined || !model.deleted.has(item.id));
  }
  async run(model: DocumentModel, real: Real): Promise<void> {
    const result = await real.repository.bulkIndex(real.collection, this.items);
    let indexed = 0;
    let stale = 0;
    for (const item of this.items) {
      if (model.index(item.id, item.document, item.version) === 'indexed') indexed += 1;
      else stale += 1;
    }
    expect(result).toEqual({ indexed, skippedStale: stale, errors: [] });
    for (const item of this.items) await expectStored(model, real, item.id);
  }
  toString(): string {
    return `bulk(${this.items.map((i) => `${i.id}@${String(i.version)}`).join(', ')})`;
  }
}

class DeleteCommand implements Command {
  constructor(
    readonly id: string,
    readonly version: number | undefined,
  ) {}
  check(model: Readonly<DocumentModel>): boolean {
    // After a delete, the stored version of a re-created document is the store's own (see IndexCommand).
    return this.version === undefined || !model.deleted.has(this.id);
  }
  async run(model: DocumentModel, real: Real): Promise<void> {
    const options = this.version === undefined ? {} : { version: this.version };
    expect(await real.repository.delete(real.collection, this.id, options)).toBe(
      model.delete(this.id, this.version),
    );
    await expectStored(model, real, this.id);
  }
  toString(): string {
    return `delete(${this.id}, v=${String(this.version)})`;
  }
}

type Filter = Readonly<Record<string, string | number | boolean>>;
type SearchFields = readonly ('title' | 'tags' | 'status')[];

class SearchCommand implements Command {
  constructor(
    readonly text: string,
    readonly filters: Filter | undefined,
    readonly aggregateBy: 'status' | 'tags' | 'n' | undefined,
    readonly size: number | undefined,
    readonly fields: SearchFields | undefined,
    readonly phrase: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: DocumentModel, real: Real): Promise<void> {
    await real.repository.refresh(real.collection);
    const result = await real.repository.search(real.collection, {
      text: this.text,
      ...(this.size === undefined ? {} : { size: this.size }),
      ...(this.filters ? { filters: this.filters } : {}),
      ...(this.fields ? { fields: this.fields } : {}),
      ...(this.aggregateBy ? { aggregateBy: this.aggregateBy } : {}),
      ...(this.phrase ? { phrase: true } : {}),
    });
    const expected = model.matching(this.text, this.filters, this.fields, this.phrase);
    // A page of the best hits: which ties make the page is the store's choice, how many is not.
    const page = Math.min(this.size ?? DEFAULT_SEARCH_SIZE, expected.length);
    const ids = result.hits.map((h) => h.id);
    expect(ids).toHaveLength(page);
    expect(new Set(ids).size).toBe(page);
    for (const id of ids) expect(expected).toContain(id);
    if (page === expected.length) expect([...ids].sort()).toEqual(expected);
    expect(result.total).toBe(expected.length);
    result.hits.forEach((hit, i) => {
      expect(hit.document).toEqual(model.entries.get(hit.id)?.document);
      expect(Number.isFinite(hit.score)).toBe(true);
      // Best first.
      if (i > 0) expect(hit.score).toBeLessThanOrEqual(result.hits[i - 1]?.score ?? Infinity);
    });
    if (this.aggregateBy) {
      const actual = new Map((result.aggregation ?? []).map((b) => [b.key, b.count]));
      expect(actual).toEqual(model.aggregate(expected, this.aggregateBy));
    } else {
      expect(result.aggregation).toBeUndefined();
    }
    expect(await real.repository.count(real.collection)).toBe(model.entries.size);
  }
  toString(): string {
    return `search(${JSON.stringify(this.text)}, filters=${JSON.stringify(this.filters)}, agg=${String(this.aggregateBy)}, size=${String(this.size)}, fields=${JSON.stringify(this.fields)}, phrase=${String(this.phrase)})`;
  }
}

async function expectStored(model: DocumentModel, real: Real, id: string): Promise<void> {
  const stored = await real.repository.get(real.collection, id);
  const expected = model.entries.get(id);
  expect(stored?.document).toEqual(expected?.document);
  if (!model.deleted.has(id)) expect(stored?.version).toBe(expected?.version);
}

const commands = [
  fc
    .tuple(idArb, documentArb, fc.option(versionArb, { nil: undefined }))
    .map(([id, d, v]) => new IndexCommand(id, d, v)),
  fc
    .array(
      fc.record({ id: idArb, document: documentArb, version: fc.option(versionArb, { nil: undefined }) }),
      {
        minLength: 1,
        maxLength: 12,
      },
    )
    .map(
      (items) =>
        new BulkCommand(items.map((i) => (i.version === undefined ? { id: i.id, document: i.document } : i))),
    ),
  fc
    .tuple(idArb, fc.option(versionArb, { nil: undefined }))
    .map(([id, version]) => new DeleteCommand(id, version)),
  fc
    .tuple(
      fc.oneof(
        fc.constant(''),
        word,
        fc.tuple(word, word).map(([a, b]) => `${a} ${b}`),
      ),
      fc.option(
        fc.oneof(
          fc.record({ status: fc.constantFrom('open', 'closed', 'draft') }),
          fc.record({ n: fc.integer({ min: 0, max: 3 }) }),
          fc.record({ tags: word }),
          fc.record({ status: fc.constantFrom('open', 'closed'), tags: word }),
        ),
        { nil: undefined },
      ),
      fc.option(fc.constantFrom('status' as const, 'tags' as const, 'n' as const), { nil: undefined }),
      fc.option(fc.constantFrom(0, 1, 3, 10, 100), { nil: undefined }),
      fc.option(fc.constantFrom<SearchFields>(['title'], ['tags'], ['title', 'tags'], ['status']), {
        nil: undefined,
      }),
      fc.boolean(),
    )
    .map(
      ([text, filters, agg, size, fields, phrase]) =>
        new SearchCommand(text, filters, agg, size, fields, phrase),
    ),
];

/** Search text full of Lucene and tsquery syntax: must be read as plain words, never as operators. */
const HOSTILE_TEXTS = [
  'alpha AND NOT beta',
  '"alpha',
  'alpha*',
  '(alpha OR beta)',
  'alpha & !beta',
  'alpha:*',
  'alpha | beta <-> gamma',
  '+alpha -beta',
  'alpha~2',
  'alpha^3',
  "'alpha' ''",
  'alpha \\',
  '/alpha/',
  '{alpha TO beta]',
  'alpha) OR (1=1',
  "alpha'; DROP TABLE dalbench_documents; --",
  '*',
  '!!!',
];

/** PostgreSQL's parser reads "/alpha/" as one file-path word; the ES standard analyzer as "alpha". */
const TOKENIZER_DEPENDENT = new Set(['/alpha/']);

function freshCollection(label: string): string {
  return `c-${label}-${randomBytes(4).toString('hex')}`;
}

export function documentsContract(backend: string, open: () => Promise<DocumentSubject>): void {
  describe(`DocumentRepository contract: ${backend}`, () => {
    it('agrees with the in-memory model on random index/bulk/delete/search sequences', async () => {
      await using subject = await open();
      await assertProperty(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 20 }), async (cmds) => {
          const collection = freshCollection('model');
          try {
            await fc.asyncModelRun(
              () => ({ model: new DocumentModel(), real: { repository: subject.repository, collection } }),
              cmds,
            );
          } finally {
            await subject.drop(collection);
          }
        }),
        15,
      );
    });

    it('skips a replayed older version and counts it as stale', async () => {
      await using subject = await open();
      const { repository } = subject;
      const collection = freshCollection('stale');
      try {
        await repository.index(collection, 'e1', { title: 'newer' }, { version: 5 });
        await repository.index(collection, 'e1', { title: 'older' }, { version: 3 });
        await repository.index(collection, 'e1', { title: 'same' }, { version: 5 });
        expect(await repository.get(collection, 'e1')).toEqual({
          id: 'e1',
          document: { title: 'newer' },
          version: 5,
        });
        const result = await repository.bulkIndex(collection, [
          { id: 'e1', document: { title: 'stale' }, version: 4 },
          { id: 'e1', document: { title: 'newest' }, version: 9 },
          { id: 'e2', document: { title: 'fresh' }, version: 1 },
        ]);
        expect(result).toEqual({ indexed: 2, skippedStale: 1, errors: [] });
        expect((await repository.get(collection, 'e1'))?.document).toEqual({ title: 'newest' });
      } finally {
        await subject.drop(collection);
      }
    });

    it('reads search text with query syntax as plain words', async () => {
      await using subject = await open();
      const { repository } = subject;
      const collection = freshCollection('syntax');
      const model = new DocumentModel();
      const docs: [string, JsonDocument][] = [
        ['a', { title: 'alpha beta' }],
        ['b', { title: 'alpha and not beta', body: 'or gamma to' }],
        ['c', { title: 'gamma 2 3 1' }],
        ['d', { title: 'drop table dalbench_documents' }],
      ];
      try {
        for (const [id, doc] of docs) {
          await repository.index(collection, id, doc);
          model.index(id, doc);
        }
        await repository.refresh(collection);
        for (const text of HOSTILE_TEXTS) {
          const result = await repository.search(collection, { text, size: 100 });
          const expected = words(text).length === 0 && text.trim() !== '' ? [] : model.matching(text);
          const ids = result.hits.map((h) => h.id).sort();
          // Never more than the words justify (an injected "OR 1=1" would widen the result) ...
          expect({ text, extra: ids.filter((id) => !expected.includes(id)) }).toEqual({ text, extra: [] });
          // ... and exactly the model where both tokenizers read the same words.
          if (!TOKENIZER_DEPENDENT.has(text)) expect({ text, ids }).toEqual({ text, ids: expected });
        }
        expect(await repository.count(collection)).toBe(docs.length);
      } finally {
        await subject.drop(collection);
      }
    });

    it('a phrase matches adjacent words in order within one value, never across fields or array elements', async () => {
      await using subject = await open();
      const { repository } = subject;
      const collection = freshCollection('phrase');
      const model = new DocumentModel();
      const docs: [string, JsonDocument][] = [
        ['in-order', { title: 'alpha beta gamma', tags: ['delta'] }],
        ['across-fields', { title: 'gamma alpha', tags: ['beta', 'delta'] }],
        ['across-elements', { title: 'gamma', tags: ['alpha', 'beta'] }],
        ['reversed', { title: 'delta beta alpha', tags: [] }],
        ['apart', { title: 'alpha gamma beta', tags: [] }],
      ];
      try {
        for (const [id, doc] of docs) {
          await repository.index(collection, id, doc);
          model.index(id, doc);
        }
        await repository.refresh(collection);
        const search = async (query: Omit<SearchQuery, 'text'>, text = 'alpha beta') =>
          (await repository.search(collection, { text, size: 100, ...query })).hits.map((h) => h.id).sort();
        for (const fields of [undefined, ['title', 'tags']]) {
          const scope = fields ? { fields } : {};
          expect(await search({ ...scope, phrase: true })).toEqual(['in-order']);
          expect(await search({ ...scope, phrase: true })).toEqual(
            model.matching('alpha beta', {}, fields, true),
          );
          expect(await search({ ...scope })).toEqual(docs.map(([id]) => id).sort());
          expect(await search({ ...scope, phrase: true }, 'beta alpha')).toEqual(['reversed']);
          expect(await search({ ...scope, phrase: true }, 'gamma')).toEqual(
            model.matching('gamma', {}, fields, true),
          );
        }
        const total = await repository.search(collection, { text: 'alpha beta', phrase: true, size: 0 });
        expect(total.total).toBe(1);
        const grouped = await repository.search(collection, {
          text: 'alpha beta',
          phrase: true,
          aggregateBy: 'tags',
          size: 0,
        });
        expect(grouped.aggregation).toEqual([{ key: 'delta', count: 1 }]);
        await expect(
          repository.search(collection, { text: 'alpha', phrase: 'yes' as unknown as boolean }),
        ).rejects.toMatchObject({ name: 'ValidationError', field: 'query.phrase' });
      } finally {
        await subject.drop(collection);
      }
    });

    it('escapes document HTML in highlights and wraps matches in <em>', async () => {
      await using subject = await open();
      const { repository } = subject;
      const collection = freshCollection('html');
      try {
        await repository.index(collection, 'h', {
          title: '<script>alert("x")</script> alpha & beta',
          meta: { note: 'plain alpha text' },
          other: 'nothing here',
        });
        await repository.refresh(collection);
        const result = await repository.search(collection, { text: 'alpha', highlight: true });
        const hit = result.hits[0];
        expect(hit?.id).toBe('h');
        const title = hit?.highlights.title?.join(' ') ?? '';
        expect(title).toContain('<em>alpha</em>');
        expect(title).toMatch(/&lt;|&gt;/);
        expect(title).not.toMatch(/<\/?script>/);
        expect(hit?.highlights['meta.note']?.join(' ')).toContain('<em>alpha</em>');
        expect(hit?.highlights.other).toBeUndefined();
      } finally {
        await subject.drop(collection);
      }
    });

    it('stores deep nesting up to the limit, huge fields, and refuses what it cannot hold', async () => {
      await using subject = await open();
      const { repository } = subject;
      const collection = freshCollection('hostile');
      const nest = (depth: number): JsonDocument =>
        depth === 1 ? { leaf: 'deep alpha' } : { n: nest(depth - 1) };
      const huge = { body: `${'lorem ipsum dolor sit amet '.repeat(24_000)} zeta` }; // ≈650 KB
      try {
        await repository.index(collection, 'deep', nest(15));
        expect((await repository.get(collection, 'deep'))?.document).toEqual(nest(15));
        await repository.index(collection, 'huge', huge);
        expect((await repository.get(collection, 'huge'))?.document).toEqual(huge);
        await repository.refresh(collection);
        const found = await repository.search(collection, { text: 'zeta', highlight: true });
        expect(found.hits.map((h) => h.id)).toEqual(['huge']);
        const refused: [string, () => Promise<unknown>][] = [
          ['too deep', () => repository.index(collection, 'x', nest(17))],
          ['dotted key', () => repository.index(collection, 'x', { 'a.b': 1 })],
          ['empty key', () => repository.index(collection, 'x', { '': 1 })],
          ['metadata key', () => repository.index(collection, 'x', { $where: 1 })],
          ['NUL in text', () => repository.index(collection, 'x', { t: 'a\u0000b' })],
          ['too big', () => repository.index(collection, 'x', { t: 'x'.repeat(1024 * 1024 + 1) })],
          ['empty id', () => repository.index(collection, '', { t: 'a' })],
          ['control id', () => repository.index(collection, 'a\nb', { t: 'a' })],
          ['negative version', () => repository.index(collection, 'x', { t: 'a' }, { version: -1 })],
          ['bad collection ../x', () => repository.get('../x', 'x')],
          ['bad collection *', () => repository.search('*', { text: 'a' })],
          ['bad collection _all', () => repository.count('_all')],
          ['bad collection Upper', () => repository.index('Upper', 'x', { t: 'a' })],
          ['bad filter field', () => repository.search(collection, { text: '', filters: { 'a..b': 'x' } })],
          ['bad aggregation field', () => repository.search(collection, { text: '', aggregateBy: 'x y' })],
          ['bad size', () => repository.search(collection, { text: '', size: 1000 })],
        ];
        for (const [label, attempt] of refused) {
          await expect(attempt(), label).rejects.toBeInstanceOf(ValidationError);
        }
        expect(await repository.count(collection)).toBe(2);
      } finally {
        await subject.drop(collection);
      }
    });

    it('an empty text with a field list matches every document (filters still apply)', async () => {
      await using subject = await open();
      const { repository } = subject;
      const collection = freshCollection('fields');
      try {
        await repository.index(collection, 'a', { title: 'alpha', status: 'open' });
        await repository.index(collection, 'b', { title: 'beta', status: 'closed' });
        await repository.refresh(collection);
        const all = await repository.search(collection, { text: '', fields: ['title'] });
        expect(all.hits.map((h) => h.id).sort()).toEqual(['a', 'b']);
        const open = await repository.search(collection, {
          text: '',
          fields: ['title', 'status'],
          filters: { status: 'open' },
          size: 0,
        });
        expect(open).toEqual({ total: 1, hits: [] });
      } finally {
        await subject.drop(collection);
      }
    });

    it('a filter on an array field matches documents whose array holds the value, and only those', async () => {
      await using subject = await open();
      const { repository } = subject;
      const collection = freshCollection('arrays');
      try {
        await repository.index(collection, 'a', { title: 'alpha', tags: ['red', 'green'] });
        await repository.index(collection, 'b', { title: 'alpha', tags: ['blue'] });
        await repository.index(collection, 'c', { title: 'alpha', tags: 'red' });
        await repository.index(collection, 'd', { title: 'alpha', tags: [] });
        await repository.refresh(collection);
        const ids = async (tag: string) =>
          (await repository.search(collection, { text: 'alpha', filters: { tags: tag } })).hits
            .map((h) => h.id)
            .sort();
        expect(await ids('red')).toEqual(['a', 'c']);
        expect(await ids('blue')).toEqual(['b']);
        expect(await ids('gold')).toEqual([]);
      } finally {
        await subject.drop(collection);
      }
    });

    it("a bulk load (loadDocuments: the backend's own path, or bulkIndex batches) reads back as the model and is searchable at once", async () => {
      await using subject = await open();
      const { repository } = subject;
      await assertProperty(
        fc.asyncProperty(
          fc.array(fc.record({ id: idArb, document: documentArb }), { maxLength: 25 }),
          word,
          async (items, text) => {
            const collection = freshCollection('load');
            try {
              const model = new DocumentModel();
              for (const item of items) model.index(item.id, item.document);
              // A stream, in batches of 4 where the fallback batches: a load never needs the whole input.
              async function* stream() {
                for (const item of items) yield await Promise.resolve(item);
              }
              const loaded = await loadDocuments(repository, collection, stream(), 4);
              expect(loaded.indexed).toBe(items.length);
              expect(await repository.count(collection)).toBe(model.entries.size);
              for (const [id, entry] of model.entries)
                expect((await repository.get(collection, id))?.document).toEqual(entry.document);
              const found = await repository.search(collection, { text, size: 100 });
              expect(found.hits.map((h) => h.id).sort()).toEqual(model.matching(text));
            } finally {
              await subject.drop(collection);
            }
          },
        ),
        8,
      );
    });

    it('a load names a bad item by its place in the whole input and refuses versions', async () => {
      await using subject = await open();
      const { repository } = subject;
      const collection = freshCollection('badload');
      const good = (i: number) => ({ id: `g${i}`, document: { title: 'alpha' } });
      try {
        const bad = [
          good(0),
          good(1),
          good(2),
          good(3),
          good(4),
          { id: 'x', document: [] as unknown as JsonDocument },
        ];
        const error = await loadDocuments(repository, collection, bad, 4).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe('items[5].document');
        const versioned = await loadDocuments(repository, collection, [{ ...good(9), version: 3 }]).catch(
          (e: unknown) => e,
        );
        expect((versioned as ValidationError).field).toBe('items[0].version');
        const badBatch = await loadDocuments(repository, collection, [good(10)], 0).catch((e: unknown) => e);
        expect((badBatch as ValidationError).field).toBe('batchSize');
      } finally {
        await subject.drop(collection);
      }
    });

    it('treats a missing collection as empty', async () => {
      await using subject = await open();
      const { repository } = subject;
      const collection = freshCollection('missing');
      expect(await repository.get(collection, 'x')).toBeUndefined();
      expect(await repository.delete(collection, 'x')).toBe(false);
      expect(await repository.count(collection)).toBe(0);
      expect(await repository.search(collection, { text: 'alpha', aggregateBy: 'status' })).toEqual({
        total: 0,
        hits: [],
        aggregation: [],
      });
    });
  });
}
