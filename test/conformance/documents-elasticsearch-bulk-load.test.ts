// The Elasticsearch bulk loader and dataset markers (reference-dal/backends/elasticsearch/bulk-load.ts)
// on a real Elasticsearch: loading settings switched and restored, batching and concurrency, per-item
// failures (fail fast or collect), loader errors, and when a stored dataset is reused.
import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createElasticsearchDocumentRepository,
  type ElasticsearchDocumentRepository,
} from '../../reference-dal/backends/elasticsearch/document-repository.ts';
import {
  BulkLoadError,
  bulkLoadDocuments,
  checkDocumentDataset,
  loadDocumentDataset,
  readDocumentDatasetMarker,
  readLoadSettings,
} from '../../reference-dal/backends/elasticsearch/bulk-load.ts';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { redactUrl, StoreError, ValidationError } from '../../reference-dal/errors.ts';
import { datasetIdentity } from '../../reference-dal/ports/dataset.ts';
import { loadDocuments, type BulkItem } from '../../reference-dal/ports/documents.ts';
import { DataAccessLayer } from '../../reference-dal/dal/data-access-layer.ts';
import type { Progress } from '../../reference-dal/ports/load-progress.ts';
import { requireStore } from '../support/stores.ts';
// A port on this host nothing listens on (asked of the kernel, then closed): connections are refused at once.
import { freePort as deadPort } from '../../harness/provision/free-port.ts';

let repository: ElasticsearchDocumentRepository | undefined;
let url = '';
/** How errors show the URL. */
let shownUrl = '';
const collections: string[] = [];

beforeAll(async () => {
  url = requireStore('elasticsearch').url;
  shownUrl = redactUrl(url);
  const [config] = parseStorageConfigs([
    {
      type: 'document',
      backend: 'elasticsearch',
      url,
      options: { indexPrefix: `dalbench-l${randomBytes(3).toString('hex')}-`, refresh: 'false' },
    },
  ]);
  if (!config) throw new Error('no config');
  repository = await createElasticsearchDocumentRepository(config);
});
afterAll(async () => {
  for (const collection of collections) await repository?.dropCollection(collection);
  await repository?.close();
});

/** A fresh collection, its index name and the repository (the index does not exist yet). */
function fresh(label: string): { repo: ElasticsearchDocumentRepository; collection: string; index: string } {
  if (!repository) throw new Error('repository not opened');
  const collection = `${label}-${randomBytes(4).toString('hex')}`;
  collections.push(collection);
  return { repo: repository, collection, index: repository.indexName(collection) };
}

/** A fresh collection whose index exists with the repository's mapping, `n` mapped as a number. */
async function freshIndex(label: string) {
  const f = fresh(label);
  await f.repo.index(f.collection, 'seed', { n: 0, title: 'seed' });
  return f;
}

function docs(count: number, from = 0): BulkItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `d${from + i}`,
    document: { n: from + i, title: `word${from + i} common` },
  }));
}

/** A Progress that records each `add`. */
function recordingProgress(): Progress & { adds: number[] } {
  const adds: number[] = [];
  return {
    adds,
    add: (n) => {
      adds.push(n);
    },
    done: () => undefined,
    get count() {
      return adds.reduce((a, b) => a + b, 0);
    },
  };
}

async function countOf(repo: ElasticsearchDocumentRepository, index: string): Promise<number> {
  return (await repo.client.count({ index })).count;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error('condition never held');
}

async function exists(repo: ElasticsearchDocumentRepository, index: string): Promise<boolean> {
  return repo.client.indices.exists({ index });
}

function identity(seed: number) {
  return datasetIdentity({
    kind: 'documents',
    spec: { count: 7 },
    scale: 'tiny',
    seed,
    schemaVersion: 'es-test@1',
  });
}

describe('elasticsearch bulk loader', () => {
  it('reads an index’s own refresh interval and replica count, null where it uses the default', async () => {
    const { repo, index } = await freshIndex('settings');
    expect(await readLoadSettings(repo.client, index)).toEqual({
      refresh_interval: null,
      number_of_replicas: '0',
    });
    await repo.client.indices.putSettings({ index, settings: { index: { refresh_interval: '9s' } } });
    expect(await readLoadSettings(repo.client, index)).toEqual({
      refresh_interval: '9s',
      number_of_replicas: '0',
    });
  });

  it('loads in batches with refresh off, restores the settings and refreshes when done', async () => {
    const { repo, collection, index } = await freshIndex('batches');
    await repo.client.indices.putSettings({ index, settings: { index: { refresh_interval: '30s' } } });
    await repo.refresh(collection);
    const progress = recordingProgress();
    const during: unknown[] = [];
    const progressAtPull: number[] = [];
    async function* items() {
      for (const [i, item] of docs(30).entries()) {
        progressAtPull.push(progress.count);
        if (i === 3) during.push(await readLoadSettings(repo.client, index));
        yield item;
      }
    }
    const result = await bulkLoadDocuments(repo.client, index, items(), {
      batchSize: 10,
      concurrency: 1,
      progress,
    });
    expect(result).toEqual({ indexed: 30, failed: 0, errors: [] });
    expect(during).toEqual([{ refresh_interval: '-1', number_of_replicas: '0' }]);
    expect(progress.adds).toEqual([10, 10, 10]);
    // One request in flight: the 21st document is read only after the first batch was answered
    // (the second was sent then), while the first batch is in flight the 11th to 20th are read.
    expect(progressAtPull[10]).toBe(0);
    expect(progressAtPull[19]).toBe(0);
    expect(progressAtPull[20]).toBe(10);
    expect(await readLoadSettings(repo.client, index)).toEqual({
      refresh_interval: '30s',
      number_of_replicas: '0',
    });
    // Searchable at once (refreshed after the load, though refresh_interval is 30 s).
    expect(await countOf(repo, index)).toBe(31);
    expect((await repo.get(collection, 'd17'))?.document).toEqual({ n: 17, title: 'word17 common' });
    expect((await repo.search(collection, { text: 'word24' })).hits.map((h) => h.id)).toEqual(['d24']);
  });

  it("a DAL's loadDocuments (what `dalbench run` loads with) takes this path through the DAL's guarded service, refresh off while it runs", async () => {
    const prefix = `dalbench-d${randomBytes(3).toString('hex')}-`;
    await using dal = await DataAccessLayer.initialize([
      {
        type: 'document',
        backend: 'elasticsearch',
        url,
        options: { indexPrefix: prefix, refresh: 'true' },
      },
    ]);
    const collection = `dal-${randomBytes(4).toString('hex')}`;
    const index = `${prefix}${collection}`;
    const raw = new Client({ node: url });
    const during: unknown[] = [];
    try {
      async function* items() {
        for (const [i, item] of docs(12).entries()) {
          if (i === 5) during.push(await readLoadSettings(raw, index));
          yield item;
        }
      }
      expect(await loadDocuments(dal.documents, collection, items())).toEqual({ indexed: 12 });
      expect(during).toEqual([{ refresh_interval: '-1', number_of_replicas: '0' }]);
      expect(await readLoadSettings(raw, index)).toEqual({ refresh_interval: null, number_of_replicas: '0' });
      expect(await dal.documents.count(collection)).toBe(12);
    } finally {
      await raw.indices.delete({ index }, { ignore: [404] });
      await raw.close();
    }
  });

  it('keeps two requests in flight by default, and one document makes a batch of one', async () => {
    const { repo, index } = await freshIndex('defaults');
    const progress = recordingProgress();
    const progressAtPull: number[] = [];
    function* items() {
      for (const item of docs(4)) {
        progressAtPull.push(progress.count);
        yield item;
      }
    }
    const result = await bulkLoadDocuments(repo.client, index, items(), { batchSize: 1, progress });
    expect(result).toEqual({ indexed: 4, failed: 0, errors: [] });
    expect(progress.adds).toEqual([1, 1, 1, 1]);
    // Two batches go out before anything is answered; the 3rd waits for one of them.
    expect(progressAtPull.slice(0, 2)).toEqual([0, 0]);
    expect(progressAtPull[2]).toBe(0);
    expect(progressAtPull[3]).toBeGreaterThanOrEqual(1);
    expect(await countOf(repo, index)).toBe(5);
  });

  it('loads with every option left to its default (1,000 a batch)', async () => {
    const { repo, index } = await freshIndex('all-defaults');
    const result = await bulkLoadDocuments(repo.client, index, docs(1_005));
    expect(result).toEqual({ indexed: 1_005, failed: 0, errors: [] });
    expect(await countOf(repo, index)).toBe(1_006);
  });

  it('refuses a batch size or a concurrency that is not a positive integer, before touching the index', async () => {
    const { repo, index } = fresh('options'); // no index: validation comes first
    for (const [options, field] of [
      [{ batchSize: 0 }, 'batchSize'],
      [{ batchSize: 1.5 }, 'batchSize'],
      [{ batchSize: -3 }, 'batchSize'],
      [{ concurrency: 0 }, 'concurrency'],
      [{ concurrency: 2.5 }, 'concurrency'],
      [{ concurrency: -1 }, 'concurrency'],
    ] as const) {
      const error = await bulkLoadDocuments(repo.client, index, docs(1), options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
      expect((error as Error).message).toBe(`${field}: must be a positive integer`);
    }
  });

  it('fails fast by default: stops after the batch with a refused document and names it', async () => {
    const { repo, index } = await freshIndex('fail-fast');
    await repo.client.indices.putSettings({ index, settings: { index: { refresh_interval: '20s' } } });
    const items = docs(15);
    items[2] = { id: 'bad-2', document: { n: 'not a number' } };
    items[4] = { id: 'bad-4', document: { n: 'nor this' } };
    const pulled: string[] = [];
    function* source() {
      for (const item of items) {
        pulled.push(item.id);
        yield item;
      }
    }
    const error = await bulkLoadDocuments(repo.client, index, source(), {
      batchSize: 5,
      concurrency: 1,
      url,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkLoadError);
    expect(error).toBeInstanceOf(StoreError);
    const e = error as BulkLoadError;
    expect(e.name).toBe('BulkLoadError');
    expect(e.url).toBe(shownUrl);
    expect(e.result.indexed).toBe(3);
    expect(e.result.failed).toBe(2);
    expect(e.result.errors.map((x) => x.id)).toEqual(['bad-2', 'bad-4']);
    for (const x of e.result.errors) expect(x.reason).toMatch(/^document_parsing_exception: \S.+/);
    expect(e.message).toBe(
      `elasticsearch at ${shownUrl}: bulk load into ${index}: 2 document(s) refused, e.g. ` +
        `bad-2 (${e.result.errors[0]?.reason}); bad-4 (${e.result.errors[1]?.reason})`,
    );
    // The second batch was read while the first was in flight, but never sent; the third never read.
    expect(pulled).toEqual(items.slice(0, 10).map((x) => x.id));
    expect(await countOf(repo, index)).toBe(4);
    expect(await readLoadSettings(repo.client, index)).toEqual({
      refresh_interval: '20s',
      number_of_replicas: '0',
    });
  });

  it('collects refused documents with onItemError "collect", keeping at most maxErrors of them', async () => {
    const { repo, index } = await freshIndex('collect');
    const items = docs(10).map((item, i) =>
      i % 3 === 1 ? { id: `bad-${i}`, document: { n: `text ${i}` } } : item,
    );
    const result = await bulkLoadDocuments(repo.client, index, items, {
      batchSize: 5,
      concurrency: 1,
      onItemError: 'collect',
      maxErrors: 2,
    });
    expect(result.indexed).toBe(7);
    expect(result.failed).toBe(3);
    expect(result.errors.map((x) => x.id)).toEqual(['bad-1', 'bad-4']);
    expect(await countOf(repo, index)).toBe(8);
  });

  it('keeps 100 refused documents by default and shows three of them in the message', async () => {
    const { repo, index } = await freshIndex('max-errors');
    const items = Array.from({ length: 101 }, (_, i) => ({ id: `bad-${i}`, document: { n: `x${i}` } }));
    const result = await bulkLoadDocuments(repo.client, index, items, { onItemError: 'collect' });
    expect(result.indexed).toBe(0);
    expect(result.failed).toBe(101);
    expect(result.errors).toHaveLength(100);
    expect(result.errors.at(-1)?.id).toBe('bad-99');

    const error = await bulkLoadDocuments(repo.client, index, items.slice(0, 5)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkLoadError);
    const shown = (error as BulkLoadError).result.errors
      .slice(0, 3)
      .map((x) => `${x.id} (${x.reason})`)
      .join('; ');
    expect((error as Error).message).toBe(
      `elasticsearch: bulk load into ${index}: 5 document(s) refused, e.g. ${shown}`,
    );
    expect(shown).toMatch(/^bad-0 \(document_parsing_exception: .+\); bad-1 \(.+\); bad-2 \(.+\)$/);
  });

  it('names an invalid id by its position in the input, counting documents already answered', async () => {
    const { repo, index } = await freshIndex('bad-id');
    const progress = recordingProgress();
    async function* source() {
      yield { id: 'x0', document: { n: 'refused' } };
      yield* docs(3, 1);
      // Both batches answered, then one more document is buffered before the invalid id.
      await until(() => progress.count === 4);
      yield { id: 'x4', document: { n: 4 } };
      yield { id: '', document: { n: 5 } };
    }
    const error = await bulkLoadDocuments(repo.client, index, source(), {
      batchSize: 2,
      concurrency: 1,
      onItemError: 'collect',
      progress,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('items[5].id');
    expect(await countOf(repo, index)).toBe(4); // seed + the three accepted; x4 never sent
  });

  it('names an invalid id by its position while earlier batches are still in flight', async () => {
    const { repo, index } = await freshIndex('bad-id-in-flight');
    function* source() {
      yield* docs(2);
      yield { id: '', document: { n: 2 } };
    }
    // The first batch is sent and not yet answered when the third document is read.
    const error = await bulkLoadDocuments(repo.client, index, source(), { batchSize: 2 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('items[2].id');
  });

  it('never has more requests in flight than its concurrency, the last partial batch included', async () => {
    const { index } = await freshIndex('concurrency-cap');
    // A second client to the same server, whose requests are counted on their way through.
    const counted = new Client({ node: url });
    let active = 0;
    let most = 0;
    const request = counted.transport.request.bind(counted.transport);
    counted.transport.request = (async (...args: Parameters<typeof request>) => {
      active += 1;
      most = Math.max(most, active);
      try {
        return await request(...args);
      } finally {
        active -= 1;
      }
    }) as typeof request;
    try {
      const result = await bulkLoadDocuments(counted, index, docs(5), { batchSize: 2, concurrency: 1 });
      expect(result).toEqual({ indexed: 5, failed: 0, errors: [] });
      expect(most).toBe(1);
    } finally {
      await counted.close();
    }
  });

  it('rethrows an error of the source even when a batch with a refused document was in flight', async () => {
    const { repo, index } = await freshIndex('source-error-in-flight');
    const failure = new Error('source broke');
    function* source() {
      yield { id: 'bad', document: { n: 'refused' } };
      yield* docs(1, 1);
      throw failure;
    }
    const error = await bulkLoadDocuments(repo.client, index, source(), { batchSize: 2 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBe(failure);
  });

  it('rethrows an error of the source itself and restores the settings', async () => {
    const { repo, index } = await freshIndex('source-error');
    await repo.client.indices.putSettings({ index, settings: { index: { refresh_interval: '15s' } } });
    const failure = new Error('source broke');
    function* source() {
      yield* docs(13);
      throw failure;
    }
    const error = await bulkLoadDocuments(repo.client, index, source(), {
      batchSize: 5,
      concurrency: 1,
    }).catch((e: unknown) => e);
    expect(error).toBe(failure);
    expect(await readLoadSettings(repo.client, index)).toEqual({
      refresh_interval: '15s',
      number_of_replicas: '0',
    });
    // The two full batches were loaded before the source failed.
    expect(await countOf(repo, index)).toBe(11);
  });

  it('wraps a thrown value that is not an Error in a StoreError', async () => {
    const { repo, index } = await freshIndex('source-throws-string');
    function* source(): Generator<BulkItem> {
      yield* docs(2);
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw 'plain string';
    }
    const error = await bulkLoadDocuments(repo.client, index, source(), { url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(
      `elasticsearch at ${shownUrl}: bulk load into ${index}: plain string`,
    );
    expect((error as StoreError).url).toBe(shownUrl);
  });

  it('reports a missing index as a failure to prepare it, with the store URL', async () => {
    const { repo, index } = fresh('missing');
    const error = await bulkLoadDocuments(repo.client, index, docs(1), { url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).not.toBeInstanceOf(BulkLoadError);
    expect((error as StoreError).url).toBe(shownUrl);
    expect((error as Error).message).toBe(
      `elasticsearch at ${shownUrl}: prepare ${index} for loading: index_not_found_exception: no such index [${index}]`,
    );
    expect((error as Error).cause).toBeDefined();
  });

  it('reports a failed restore when the load itself went well, and the load’s own failure otherwise', async () => {
    const { repo, index } = await freshIndex('restore');
    /** A source of no documents that runs `action` when asked for its first one. */
    const source = (action: () => Promise<unknown>): AsyncIterable<BulkItem> => ({
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<BulkItem>> => {
          await action();
          return { done: true, value: undefined };
        },
      }),
    });
    // The index disappears during the load (nothing was sent): restoring its settings fails.
    const error = await bulkLoadDocuments(
      repo.client,
      index,
      source(() => repo.client.indices.delete({ index })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(
      `elasticsearch: restore settings of ${index}: index_not_found_exception: no such index [${index}]`,
    );

    await repo.client.indices.create({ index });
    const failure = new Error('source broke after the drop');
    const droppingThenFailing = source(async () => {
      await repo.client.indices.delete({ index });
      throw failure;
    });
    expect(await bulkLoadDocuments(repo.client, index, droppingThenFailing).catch((e: unknown) => e)).toBe(
      failure,
    );
  });
  it('reads no further documents once a batch with a refused one is answered', async () => {
    const { repo, index } = await freshIndex('stop-reading');
    const progress = recordingProgress();
    let pulled = 0;
    async function* source() {
      for (const item of docs(5)) {
        pulled += 1;
        yield item.id === 'd2' ? { id: 'bad', document: { n: 'refused' } } : item;
      }
      // The first batch is sent; once it is answered, one more document is read and dropped.
      await until(() => progress.count === 5);
      for (const item of docs(5, 5)) {
        pulled += 1;
        yield item;
      }
    }
    const error = await bulkLoadDocuments(repo.client, index, source(), { batchSize: 5, progress }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BulkLoadError);
    expect(pulled).toBe(6);
    expect(await countOf(repo, index)).toBe(5);
  });

  it('refreshes only the index it loaded', async () => {
    const { repo, index } = await freshIndex('refresh-own');
    const other = await freshIndex('refresh-other');
    await repo.client.indices.putSettings({
      index: other.index,
      settings: { index: { refresh_interval: '-1' } },
    });
    await other.repo.refresh(other.collection);
    await other.repo.index(other.collection, 'unrefreshed', { n: 1 });
    await bulkLoadDocuments(repo.client, index, docs(3));
    expect(await countOf(repo, index)).toBe(4);
    expect(await countOf(repo, other.index)).toBe(1);
  });

  it('reports a request the server refuses as a whole, naming the batch', async () => {
    const { repo, index } = await freshIndex('too-large');
    // 110 documents of 1 MB: one request past Elasticsearch's 100 MB http.max_content_length.
    const big = 'x'.repeat(1_000_000);
    const items = Array.from({ length: 110 }, (_, i) => ({ id: `big-${i}`, document: { t: big } }));
    const error = await bulkLoadDocuments(repo.client, index, items, { url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).not.toBeInstanceOf(BulkLoadError);
    // 413's body is empty: the status says what was wrong.
    // (Node names 413 "Payload Too Large"; RFC 9110 "Content Too Large".)
    expect((error as Error).message).toMatch(
      new RegExp(
        `^elasticsearch at ${shownUrl}: bulk request of 110 documents into ${index}: HTTP 413 \\w+ Too Large$`,
      ),
    );
    expect(((error as Error).cause as { meta?: { statusCode?: number } }).meta?.statusCode).toBe(413);
    expect(await countOf(repo, index)).toBe(1);
    expect(await readLoadSettings(repo.client, index)).toEqual({
      refresh_interval: null,
      number_of_replicas: '0',
    });
  });

  it('reports an unreachable store instead of taking it for a missing dataset', async () => {
    const { repo, index } = fresh('unreachable');
    const dead = new Client({ node: `http://127.0.0.1:${await deadPort()}`, maxRetries: 0 });
    try {
      await expect(readDocumentDatasetMarker(dead, index)).rejects.toThrow(/ECONNREFUSED/);
      const error = await bulkLoadDocuments(dead, index, docs(1)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(
        new RegExp(`^elasticsearch: prepare ${index} for loading: .*ECONNREFUSED`),
      );
    } finally {
      await dead.close();
    }
    expect(await exists(repo, index)).toBe(false);
  });
});

describe('elasticsearch dataset markers', () => {
  const source = (count: number, extra: Record<string, unknown> = {}) => ({
    total: count,
    documents: () => docs(count).map((d) => ({ ...d, document: { ...d.document, ...extra } })),
  });

  it('loads into a new index with the repository mapping, marks it complete, then reuses it', async () => {
    const { repo, collection, index } = fresh('dataset');
    const id = identity(1);
    const before = performance.now();
    const loaded = await loadDocumentDataset(repo.client, index, id, source(7));
    const wall = performance.now() - before;
    expect(loaded).toMatchObject({
      action: 'loaded',
      reason: 'no dataset marker in the store',
      fingerprint: id.fingerprint,
      records: 7,
    });
    expect(loaded.elapsedMs).toBeGreaterThan(0);
    expect(loaded.elapsedMs).toBeLessThanOrEqual(wall);
    const mapping = Object.values(await repo.client.indices.getMapping({ index }))[0]?.mappings;
    expect(mapping?._meta).toEqual({
      dalbench: { fingerprint: id.fingerprint, complete: true, records: 7, scale: 'tiny', seed: 1 },
    });
    expect(mapping?.date_detection).toBe(false);
    expect(mapping?.numeric_detection).toBe(false);
    const settings = Object.values(await repo.client.indices.getSettings({ index, flat_settings: true }))[0]
      ?.settings as Record<string, unknown>;
    expect(settings['index.gc_deletes']).toBe('60s');
    expect(await readDocumentDatasetMarker(repo.client, index)).toEqual({
      fingerprint: id.fingerprint,
      complete: true,
      records: 7,
    });
    // The repository reads what was loaded (documents under its field, strings searchable).
    expect((await repo.get(collection, 'd3'))?.document).toEqual({ n: 3, title: 'word3 common' });
    expect((await repo.search(collection, { text: 'word5' })).hits.map((h) => h.id)).toEqual(['d5']);

    const reused = await loadDocumentDataset(repo.client, index, id, source(7));
    expect(reused).toMatchObject({
      action: 'reused',
      reason: `dataset ${id.fingerprint.slice(0, 12)} already loaded`,
      records: 0,
    });

    // Forced: dropped and loaded again, even though the marker matches.
    await repo.index(collection, 'extra', { n: 99 });
    const forced = await loadDocumentDataset(repo.client, index, id, source(3), { force: true });
    expect(forced).toMatchObject({ action: 'loaded', reason: 'forced', records: 3 });
    expect(await countOf(repo, index)).toBe(3);
    expect(await repo.get(collection, 'extra')).toBeUndefined();
  });

  it('marks the load incomplete while it runs, and reloads a different dataset', async () => {
    const { repo, index } = fresh('dataset-progress');
    const first = identity(2);
    await loadDocumentDataset(repo.client, index, first, source(4));
    const second = identity(3);
    const seen: unknown[] = [];
    const watched = {
      async *documents() {
        seen.push(await readDocumentDatasetMarker(repo.client, index));
        yield* docs(2);
      },
    };
    const loaded = await loadDocumentDataset(repo.client, index, second, watched);
    expect(seen).toEqual([{ fingerprint: second.fingerprint, complete: false, records: 0 }]);
    expect(loaded).toMatchObject({ action: 'loaded', records: 2 });
    expect(loaded.reason).toMatch(/^stored dataset \w{12} differs from wanted \w{12}$/);
    expect(await countOf(repo, index)).toBe(2);
  });

  it('reloads a dataset written to since it was loaded', async () => {
    const { repo, collection, index } = fresh('dataset-written');
    const id = identity(4);
    await loadDocumentDataset(repo.client, index, id, source(3));
    expect((await checkDocumentDataset(repo.client, index, id)).action).toBe('reuse');
    await repo.index(collection, 'later', { n: 1 });
    await repo.refresh(collection);
    expect(await checkDocumentDataset(repo.client, index, id)).toEqual({
      action: 'reload',
      reason: 'index holds 4 documents, the dataset 3: written since loaded',
    });
  });

  it('reads a marker faithfully: missing, malformed, or partly filled in', async () => {
    const { repo, collection, index } = fresh('marker');
    expect(await readDocumentDatasetMarker(repo.client, index)).toBeUndefined(); // no index
    await repo.index(collection, 'a', { n: 1 });
    expect(await readDocumentDatasetMarker(repo.client, index)).toBeUndefined(); // no _meta
    const put = (dalbench: unknown) => repo.client.indices.putMapping({ index, _meta: { dalbench } });
    await put({ complete: true, records: 1 });
    expect(await readDocumentDatasetMarker(repo.client, index)).toBeUndefined(); // no fingerprint
    await put({ fingerprint: 12, complete: true, records: 1 });
    expect(await readDocumentDatasetMarker(repo.client, index)).toBeUndefined();
    await put({ fingerprint: 'abc', complete: 'true' });
    expect(await readDocumentDatasetMarker(repo.client, index)).toEqual({
      fingerprint: 'abc',
      complete: false,
      records: -1,
    });
    await put({ fingerprint: 'abc', complete: true, records: '5' });
    expect(await readDocumentDatasetMarker(repo.client, index)).toEqual({
      fingerprint: 'abc',
      complete: true,
      records: 5,
    });
    await repo.client.indices.putMapping({ index, _meta: { other: 1 } });
    expect(await readDocumentDatasetMarker(repo.client, index)).toBeUndefined();
  });

  it('reports errors other than a missing index, naming the step that failed', async () => {
    const { repo } = fresh('errors');
    const id = identity(5);
    // An invalid index name: the marker read rethrows, the dataset load names the check.
    await expect(readDocumentDatasetMarker(repo.client, '_invalid')).rejects.toThrow(
      /invalid_index_name_exception/,
    );
    const checkError = await loadDocumentDataset(repo.client, '_invalid', id, source(1), { url }).catch(
      (e: unknown) => e,
    );
    expect(checkError).toBeInstanceOf(StoreError);
    expect((checkError as StoreError).url).toBe(shownUrl);
    expect((checkError as Error).message).toMatch(
      new RegExp(
        `^elasticsearch at ${shownUrl}: check dataset in _invalid: invalid_index_name_exception: .+`,
      ),
    );
    // Upper case passes the check (no such index) but cannot be created.
    const createError = await loadDocumentDataset(repo.client, 'UPPER', id, source(1)).catch(
      (e: unknown) => e,
    );
    expect(createError).toBeInstanceOf(StoreError);
    expect((createError as Error).message).toMatch(
      /^elasticsearch: recreate UPPER: invalid_index_name_exception: Invalid index name \[UPPER\], must be lowercase$/,
    );
  });
});
