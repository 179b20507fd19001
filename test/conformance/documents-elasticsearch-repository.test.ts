// ElasticsearchDocumentRepository behaviour the generic document contract leaves open: its options
// (index prefix, refresh modes), how each operation reports a server or connection failure, filters
// and field-scoped searches on values the analyzer would change, highlights, aggregation fields, the
// retry backoff, health and closing.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createElasticsearchDocumentRepository,
  ElasticsearchDocumentRepository,
} from '../../reference-dal/backends/elasticsearch/document-repository.ts';
import { parseStorageConfigs, type StorageConfig } from '../../reference-dal/config/storage-config.ts';
import { redactUrl, StoreError, ValidationError } from '../../reference-dal/errors.ts';
import { requireStore } from '../support/stores.ts';
// A port on this host nothing listens on (asked of the kernel, then closed): connections are refused at once.
import { freePort as deadPort } from '../../harness/provision/free-port.ts';

let url = '';
let prefix = '';
let repository: ElasticsearchDocumentRepository | undefined;
const opened: ElasticsearchDocumentRepository[] = [];
const collections: string[] = [];

function config(options: Record<string, unknown>, extra: Record<string, unknown> = {}): StorageConfig {
  const [parsed] = parseStorageConfigs([
    { type: 'document', backend: 'elasticsearch', url, options, ...extra },
  ]);
  if (!parsed) throw new Error('no config');
  return parsed;
}

/** A repository on the test store with this file's index prefix (closed after the file). */
async function open(
  refresh: 'false' | 'true' | 'wait_for' = 'false',
): Promise<ElasticsearchDocumentRepository> {
  const repo = await createElasticsearchDocumentRepository(config({ indexPrefix: prefix, refresh }));
  opened.push(repo);
  return repo;
}

beforeAll(async () => {
  url = requireStore('elasticsearch').url;
  prefix = `dalbench-r${randomBytes(3).toString('hex')}-`;
  repository = await open();
});
afterAll(async () => {
  for (const collection of collections) await repository?.dropCollection(collection);
  for (const repo of opened) await repo.close();
});

function fresh(label: string): { repo: ElasticsearchDocumentRepository; collection: string; index: string } {
  if (!repository) throw new Error('repository not opened');
  const collection = `${label}-${randomBytes(4).toString('hex')}`;
  collections.push(collection);
  return { repo: repository, collection, index: repository.indexName(collection) };
}

async function failure(attempt: Promise<unknown>): Promise<Error> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error(`expected a rejection with an Error, got ${String(error)}`);
  return error;
}

async function exists(repo: ElasticsearchDocumentRepository, index: string): Promise<boolean> {
  return repo.client.indices.exists({ index });
}

describe('elasticsearch repository options', () => {
  it('refuses a configuration for another backend', () => {
    const [postgres] = parseStorageConfigs([
      { type: 'document', backend: 'postgres', url: 'postgres://u@127.0.0.1:1/db' },
    ]);
    if (!postgres) throw new Error('no config');
    let error: unknown;
    try {
      new ElasticsearchDocumentRepository(postgres);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('backend');
    expect((error as Error).message).toBe('backend: expected "elasticsearch", got "postgres"');
  });

  it('names indices with the default prefix, and refuses a prefix that is not a lowercase name', () => {
    const plain = new ElasticsearchDocumentRepository(config({}));
    opened.push(plain);
    expect(plain.indexName('things')).toBe('dalbench-things');
    for (const bad of ['Upper-', 'a b', '-lead', 'ok!', 'x'.repeat(102), 'tail-\n']) {
      let error: unknown;
      try {
        new ElasticsearchDocumentRepository(config({ indexPrefix: bad }));
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field, bad).toBe('options.indexPrefix');
      expect((error as Error).message, bad).toBe(
        'options.indexPrefix: lowercase letters, digits, "_" or "-"',
      );
    }
    for (const good of ['a', 'x'.repeat(101), 'p_1-']) {
      expect(new ElasticsearchDocumentRepository(config({ indexPrefix: good })).indexName('c')).toBe(
        `${good}c`,
      );
    }
  });

  it('names the document store URL when its API key is malformed', () => {
    let error: unknown;
    try {
      new ElasticsearchDocumentRepository({
        ...config({}),
        url: `${url.replace(/\/$/, '')}/?api_key=%21%21`,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('document store URL api_key');
  });

  it('sends requests uncompressed', async () => {
    const { repo, collection } = fresh('plain');
    const headers: Record<string, unknown>[] = [];
    const listener = (_error: unknown, event: unknown) => {
      const params = (event as { meta?: { request?: { params?: { headers?: Record<string, unknown> } } } })
        .meta?.request?.params;
      if (params?.headers) headers.push(params.headers);
    };
    repo.client.diagnostic.on('request', listener);
    try {
      await repo.index(collection, 'a', { title: 'alpha '.repeat(200) });
    } finally {
      repo.client.diagnostic.off('request', listener);
    }
    expect(headers.length).toBeGreaterThan(0);
    for (const h of headers) {
      expect(h['content-encoding']).toBeUndefined();
      expect(h['accept-encoding']).toBeUndefined();
    }
  });

  it('refresh "true" makes every write searchable at once, "false" leaves that to the next refresh', async () => {
    const now = await open('true');
    const { repo: later, collection, index } = fresh('refresh-modes');
    await later.index(collection, 'seed', { n: 0 });
    await later.client.indices.putSettings({ index, settings: { index: { refresh_interval: '-1' } } });
    await later.refresh(collection);
    await later.index(collection, 'a', { n: 1 });
    await later.bulkIndex(collection, [{ id: 'b', document: { n: 2 } }]);
    expect(await later.count(collection)).toBe(1);
    await now.index(collection, 'c', { n: 3 });
    expect(await later.count(collection)).toBe(4);
    await later.index(collection, 'd', { n: 4 });
    await now.bulkIndex(collection, [{ id: 'e', document: { n: 5 } }]);
    expect(await later.count(collection)).toBe(6);
    expect(await later.delete(collection, 'e')).toBe(true);
    expect(await later.count(collection)).toBe(6);
    expect(await now.delete(collection, 'd')).toBe(true);
    expect(await later.count(collection)).toBe(4);
  });

  it('refresh "wait_for" holds a write until a refresh makes it searchable, forcing none', async () => {
    const waiting = await open('wait_for');
    const { repo, collection, index } = fresh('wait-for');
    await repo.index(collection, 'seed', { n: 0 });
    await repo.client.indices.putSettings({ index, settings: { index: { refresh_interval: '-1' } } });
    await repo.refresh(collection);
    let settled = false;
    const write = waiting.index(collection, 'a', { n: 1 }).finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(settled).toBe(false);
    expect(await repo.count(collection)).toBe(1);
    await repo.refresh(collection);
    await write;
    expect(await repo.count(collection)).toBe(2);
  });

  it('refreshes only the collection it is asked to', async () => {
    const { repo, collection: a } = fresh('refresh-a');
    const { collection: b, index: indexB } = fresh('refresh-b');
    await repo.index(a, 'x', { n: 1 });
    await repo.index(b, 'y', { n: 1 });
    await repo.client.indices.putSettings({ index: indexB, settings: { index: { refresh_interval: '-1' } } });
    await repo.refresh(b);
    await repo.index(b, 'z', { n: 2 });
    await repo.refresh(a);
    expect(await repo.count(b)).toBe(1);
    await repo.refresh(b);
    expect(await repo.count(b)).toBe(2);
  });
});

describe('elasticsearch repository writes', () => {
  it('an empty bulk is a no-op that creates nothing', async () => {
    const { repo, collection, index } = fresh('empty-bulk');
    expect(await repo.bulkIndex(collection, [])).toEqual({ indexed: 0, skippedStale: 0, errors: [] });
    expect(await exists(repo, index)).toBe(false);
  });

  it('refuses a document the mapping cannot hold as a ValidationError, versioned or not', async () => {
    const { repo, collection } = fresh('conflict');
    await repo.index(collection, 'a', { n: 1 });
    for (const options of [{}, { version: 7 }]) {
      const error = await failure(repo.index(collection, 'b', { n: 'text' }, options));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('document');
      expect(error.message).toMatch(
        new RegExp(
          `^document: index ${collection}/b: document_parsing_exception: .*failed to parse field \\[doc\\.n\\]`,
        ),
      );
      expect(error.cause).toBeDefined();
    }
    expect(await repo.get(collection, 'b')).toBeUndefined();
    const bulk = await repo.bulkIndex(collection, [
      { id: 'v', document: { n: 'text' }, version: 3 },
      { id: 'w', document: { n: 2 }, version: 3 },
    ]);
    expect(bulk.indexed).toBe(1);
    expect(bulk.skippedStale).toBe(0);
    expect(bulk.errors.map((e) => e.id)).toEqual(['v']);
    expect(bulk.errors[0]?.reason).toMatch(/^document_parsing_exception: \[.+/);
  });

  it('a second instance writes to an index another one created', async () => {
    const { repo, collection } = fresh('shared');
    await repo.index(collection, 'a', { title: 'alpha' });
    const other = await open();
    await other.index(collection, 'b', { title: 'beta' });
    expect(await other.bulkIndex(collection, [{ id: 'c', document: { title: 'gamma' } }])).toEqual({
      indexed: 1,
      skippedStale: 0,
      errors: [],
    });
    await repo.refresh(collection);
    expect(await repo.count(collection)).toBe(3);
  });

  it('deletes: true for a stored document, false for a missing one, without creating an index', async () => {
    const { repo, collection, index } = fresh('delete');
    expect(await repo.delete(collection, 'x')).toBe(false);
    expect(await exists(repo, index)).toBe(false);
    await repo.index(collection, 'x', { n: 1 });
    expect(await repo.delete(collection, 'missing')).toBe(false);
    expect(await repo.delete(collection, 'x')).toBe(true);
    expect(await repo.delete(collection, 'x')).toBe(false);
    await repo.index(collection, 'v', { n: 1 }, { version: 4 });
    expect(await repo.delete(collection, 'v', { version: 3 })).toBe(false);
    expect((await repo.get(collection, 'v'))?.version).toBe(4);
    expect(await repo.delete(collection, 'v', { version: 5 })).toBe(true);
    expect(await repo.get(collection, 'v')).toBeUndefined();
  });

  it('drops a collection: true when it existed, false when not', async () => {
    const { repo, collection, index } = fresh('drop');
    expect(await repo.dropCollection(collection)).toBe(false);
    await repo.index(collection, 'a', { n: 1 });
    expect(await repo.dropCollection(collection)).toBe(true);
    expect(await exists(repo, index)).toBe(false);
    expect(await repo.dropCollection(collection)).toBe(false);
  });
});

describe('elasticsearch repository searches', () => {
  it('filters on a string value exactly as stored, and on numbers and booleans', async () => {
    const { repo, collection } = fresh('filters');
    await repo.bulkIndex(collection, [
      { id: 'a', document: { title: 'alpha', status: 'Open Case', n: 3, ok: true, meta: { k: 'K 1' } } },
      { id: 'b', document: { title: 'alpha', status: 'open case', n: 4, ok: false, meta: { k: 'K 2' } } },
      { id: 'c', document: { title: 'alpha', status: 'open', n: 3, ok: false } },
    ]);
    await repo.refresh(collection);
    const ids = async (filters: Record<string, string | number | boolean>) =>
      (await repo.search(collection, { text: 'alpha', filters })).hits.map((h) => h.id).sort();
    expect(await ids({ status: 'Open Case' })).toEqual(['a']);
    expect(await ids({ status: 'open' })).toEqual(['c']);
    expect(await ids({ n: 3 })).toEqual(['a', 'c']);
    expect(await ids({ ok: false })).toEqual(['b', 'c']);
    expect(await ids({ 'meta.k': 'K 2' })).toEqual(['b']);
  });

  it('a field-scoped search needs every word, across the listed fields only, and skips numeric fields', async () => {
    const { repo, collection } = fresh('fields');
    await repo.bulkIndex(collection, [
      { id: 'both', document: { title: 'alpha', body: 'beta', n: 1 } },
      { id: 'one', document: { title: 'alpha', body: 'delta', n: 2 } },
      { id: 'elsewhere', document: { title: 'gamma', note: 'alpha beta', n: 3, meta: { note: 'epsilon' } } },
    ]);
    await repo.refresh(collection);
    const ids = async (text: string, fields: string[]) =>
      (await repo.search(collection, { text, fields })).hits.map((h) => h.id).sort();
    expect(await ids('alpha beta', ['title', 'body'])).toEqual(['both']);
    expect(await ids('alpha', ['title'])).toEqual(['both', 'one']);
    expect(await ids('alpha', ['title', 'n'])).toEqual(['both', 'one']);
    expect(await ids('beta', ['title'])).toEqual([]);
    expect(await ids('alpha beta', ['note'])).toEqual(['elsewhere']);
    expect(await ids('epsilon', ['meta.note'])).toEqual(['elsewhere']);
    expect(await ids('epsilon', ['note'])).toEqual([]);
  });

  it('scores hits: positive for words, constant for an empty text', async () => {
    const { repo, collection } = fresh('scores');
    await repo.bulkIndex(collection, [
      { id: 'a', document: { title: 'alpha alpha alpha' } },
      { id: 'b', document: { title: 'alpha beta gamma delta' } },
    ]);
    await repo.refresh(collection);
    const words = await repo.search(collection, { text: 'alpha' });
    expect(words.hits.map((h) => h.id)).toEqual(['a', 'b']);
    for (const hit of words.hits) expect(hit.score).toBeGreaterThan(0);
    expect(words.hits[0]!.score).toBeGreaterThan(words.hits[1]!.score);
    const all = await repo.search(collection, { text: '' });
    expect(all.hits.map((h) => h.score)).toEqual([1, 1]);
    // Filters only narrow: the empty text still scores every remaining document as a match.
    const filtered = await repo.search(collection, { text: '', filters: { title: 'alpha alpha alpha' } });
    expect(filtered.hits.map((h) => [h.id, h.score])).toEqual([['a', 1]]);
  });

  it('highlights only when asked and only for words, without keyword subfields', async () => {
    const { repo, collection } = fresh('highlights');
    await repo.index(collection, 'a', { title: 'alpha', status: 'open', meta: { note: 'alpha note' } });
    await repo.refresh(collection);
    const asked = await repo.search(collection, { text: 'alpha', highlight: true });
    expect(asked.hits[0]?.highlights).toEqual({
      title: ['<em>alpha</em>'],
      'meta.note': ['<em>alpha</em> note'],
    });
    const notAsked = await repo.search(collection, { text: 'alpha', filters: { status: 'open' } });
    expect(notAsked.hits[0]?.highlights).toEqual({});
    const noWords = await repo.search(collection, { text: '', filters: { status: 'open' }, highlight: true });
    expect(noWords.hits.map((h) => h.id)).toEqual(['a']);
    expect(noWords.hits[0]?.highlights).toEqual({});
  });

  it('a missing collection searches empty without an aggregation unless one was asked for', async () => {
    const { repo, collection } = fresh('missing');
    expect(await repo.search(collection, { text: 'alpha' })).toEqual({ total: 0, hits: [] });
  });

  it('aggregates each field on its own kind, and forgets a dropped collection’s fields', async () => {
    const { repo, collection } = fresh('aggregations');
    await repo.bulkIndex(collection, [
      { id: 'a', document: { status: 'Open Case', n: 2, meta: { k: 'x' } } },
      { id: 'b', document: { status: 'Open Case', n: 3, meta: { k: 'y' } } },
    ]);
    await repo.refresh(collection);
    const by = async (aggregateBy: string) =>
      (await repo.search(collection, { text: '', aggregateBy, size: 0 })).aggregation;
    expect(await by('status')).toEqual([{ key: 'Open Case', count: 2 }]);
    expect(await by('n')).toEqual([
      { key: '2', count: 1 },
      { key: '3', count: 1 },
    ]);
    expect(await by('meta')).toEqual([]);
    expect(await by('meta.k')).toEqual([
      { key: 'x', count: 1 },
      { key: 'y', count: 1 },
    ]);
    // A field no document has yet is not remembered: once one has it as a string, it aggregates.
    expect(await by('later')).toEqual([]);
    await repo.index(collection, 'c', { later: 'Soon Now' });
    await repo.refresh(collection);
    expect(await by('later')).toEqual([{ key: 'Soon Now', count: 1 }]);
    // Paths that would read alike without their dots are told apart.
    await repo.index(collection, 'f', { a: { bc: 'Some Text' }, ab: { c: 5 } });
    await repo.refresh(collection);
    expect(await by('a.bc')).toEqual([{ key: 'Some Text', count: 1 }]);
    expect(await by('ab.c')).toEqual([{ key: '5', count: 1 }]);
    // Dropped and recreated with other kinds under the same names.
    expect(await repo.dropCollection(collection)).toBe(true);
    await repo.bulkIndex(collection, [
      { id: 'd', document: { status: 7, n: 'Many Words' } },
      { id: 'e', document: { status: 7, n: 'Many Words' } },
    ]);
    await repo.refresh(collection);
    expect(await by('status')).toEqual([{ key: '7', count: 2 }]);
    expect(await by('n')).toEqual([{ key: 'Many Words', count: 2 }]);
  });
});

describe('elasticsearch repository failures', () => {
  it('reports each operation on a closed index as a StoreError naming it', async () => {
    const { repo, collection, index } = fresh('closed');
    await repo.index(collection, 'a', { title: 'alpha', n: 1 });
    await repo.client.indices.close({ index });
    try {
      const shown = redactUrl(url);
      const cases: [string, () => Promise<unknown>][] = [
        [`index ${collection}/b`, () => repo.index(collection, 'b', { n: 2 })],
        [`index ${collection}/c`, () => repo.index(collection, 'c', { n: 2 }, { version: 9 })],
        [`get ${collection}/a`, () => repo.get(collection, 'a')],
        [`delete ${collection}/a`, () => repo.delete(collection, 'a')],
        [`delete ${collection}/a`, () => repo.delete(collection, 'a', { version: 9 })],
        [`search ${collection}`, () => repo.search(collection, { text: 'alpha' })],
        [`count ${collection}`, () => repo.count(collection)],
      ];
      for (const [what, attempt] of cases) {
        const error = await failure(attempt());
        expect(error, what).toBeInstanceOf(StoreError);
        expect(error, what).not.toBeInstanceOf(ValidationError);
        expect(error.message, what).toBe(
          `elasticsearch at ${shown}: ${what}: index_closed_exception: closed`,
        );
        expect((error as StoreError).url).toBe(shown);
      }
      const bulk = await repo.bulkIndex(collection, [{ id: 'd', document: { n: 3 } }]);
      expect(bulk).toEqual({
        indexed: 0,
        skippedStale: 0,
        errors: [{ id: 'd', reason: 'index_closed_exception: closed' }],
      });
      await expect(repo.refresh(collection)).resolves.toBeUndefined();
    } finally {
      await repo.client.indices.open({ index });
    }
    expect((await repo.get(collection, 'a'))?.document).toEqual({ title: 'alpha', n: 1 });
  });

  it('reports an unreachable store as a StoreError naming the step, after a fast retry backoff', async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const cfg = { ...config({ indexPrefix: prefix }, { retryAttempts: 6 }), url: dead };
    const started = performance.now();
    const error = await failure(createElasticsearchDocumentRepository(cfg));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(new RegExp(`^elasticsearch at ${dead}/?: health check: .*ECONNREFUSED`));
    // Six retries waiting 50, 100, 200, 250, 250, 250 ms: about 1.1 s (the client's own backoff: 15+ s).
    expect(elapsed).toBeGreaterThanOrEqual(1_050);
    expect(elapsed).toBeLessThan(2_500);

    const repo = new ElasticsearchDocumentRepository({ ...cfg, retryAttempts: 0 });
    opened.push(repo);
    const index = repo.indexName('c');
    const steps: [string, () => Promise<unknown>][] = [
      [`create index ${index}`, () => repo.index('c', 'a', { n: 1 })],
      [`create index ${index}`, () => repo.bulkIndex('c', [{ id: 'a', document: { n: 1 } }])],
      [`create index ${index}`, () => repo.delete('c', 'a', { version: 1 })],
      ['get c/a', () => repo.get('c', 'a')],
      ['delete c/a', () => repo.delete('c', 'a')],
      ['search c', () => repo.search('c', { text: 'alpha' })],
      ['read mapping of doc.status', () => repo.search('c', { text: 'alpha', aggregateBy: 'status' })],
      ['refresh c', () => repo.refresh('c')],
      ['count c', () => repo.count('c')],
      ['drop c', () => repo.dropCollection('c')],
      ['health check', () => repo.health()],
    ];
    for (const [what, attempt] of steps) {
      const e = await failure(attempt());
      expect(e, what).toBeInstanceOf(StoreError);
      expect(e.message, what).toMatch(new RegExp(`^elasticsearch at ${dead}/?: ${what}: .*ECONNREFUSED`));
      expect(e.cause, what).toBeDefined();
    }
  });

  it('reports a bulk the server refuses as a whole as a StoreError naming it', async () => {
    const repo = new ElasticsearchDocumentRepository(config({ indexPrefix: prefix }, { retryAttempts: 0 }));
    opened.push(repo);
    const { collection } = fresh('too-large');
    await repo.index(collection, 'seed', { n: 1 });
    // 110 documents of 1 MB: one request past Elasticsearch's 100 MB http.max_content_length.
    const big = 'x'.repeat(1_000_000);
    const items = Array.from({ length: 110 }, (_, i) => ({ id: `big-${i}`, document: { t: big } }));
    const error = await failure(repo.bulkIndex(collection, items));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(
      new RegExp(`^elasticsearch at ${redactUrl(url)}: bulk index 110 items into ${collection}: `),
    );
    // 413 Request Entity Too Large, whose empty body leaves the message without a reason.
    expect((error.cause as { meta?: { statusCode?: number } }).meta?.statusCode).toBe(413);
    await repo.refresh(collection);
    expect(await repo.count(collection)).toBe(1);
  });

  it('answers health with the cluster status', async () => {
    const repo = await open();
    const health = await repo.health();
    expect(Object.keys(health).sort()).toEqual(['status', 'version']);
    expect(['green', 'yellow']).toContain(health.status);
    expect(health.version).toBeUndefined();
    // A red cluster is not made here: every repository opened by a test running beside this one
    // checks health, and would fail while it lasted.
  });

  it('closing ends the client; so does leaving an `await using` block', async () => {
    const repo = await createElasticsearchDocumentRepository(config({ indexPrefix: prefix }));
    await repo.close();
    await expect(repo.count('anything')).rejects.toThrow();
    let disposed: ElasticsearchDocumentRepository | undefined;
    {
      await using scoped = await createElasticsearchDocumentRepository(config({ indexPrefix: prefix }));
      disposed = scoped;
      expect(await scoped.count('anything')).toBe(0);
    }
    await expect(disposed.count('anything')).rejects.toThrow();
  });
});
