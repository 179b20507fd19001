// Elasticsearch behaviour the generic document contract cannot reach at its sizes: a bulk in which
// the server refuses one item (the others still land, the refused one is named), and totals past the
// 10,000 hits Elasticsearch counts by default.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createElasticsearchDocumentRepository,
  type ElasticsearchDocumentRepository,
} from '../../reference-dal/backends/elasticsearch/document-repository.ts';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { MAX_BULK_ITEMS } from '../../reference-dal/ports/document-input.ts';
import { requireStore } from '../support/stores.ts';

let repository: ElasticsearchDocumentRepository | undefined;
const collections: string[] = [];

beforeAll(async () => {
  const [config] = parseStorageConfigs([
    {
      type: 'document',
      backend: 'elasticsearch',
      url: requireStore('elasticsearch').url,
      options: { indexPrefix: `dalbench-b${randomBytes(3).toString('hex')}-`, refresh: 'false' },
    },
  ]);
  if (!config) throw new Error('no config');
  repository = await createElasticsearchDocumentRepository(config);
});
afterAll(async () => {
  for (const collection of collections) await repository?.dropCollection(collection);
  await repository?.close();
});

function fresh(label: string): { repo: ElasticsearchDocumentRepository; collection: string } {
  if (!repository) throw new Error('repository not opened');
  const collection = `${label}-${randomBytes(4).toString('hex')}`;
  collections.push(collection);
  return { repo: repository, collection };
}

describe('elasticsearch documents at the edges', () => {
  it('a versioned delete that comes first leaves the collection searchable (the contract property found it)', async () => {
    // Elasticsearch auto-creates a missing index for an external-version delete (to keep the
    // tombstone), with dynamic mappings: documents indexed after it were stored but not found.
    const { repo, collection } = fresh('delete-first');
    expect(await repo.delete(collection, 'd1', { version: 1 })).toBe(false);
    await repo.bulkIndex(collection, [{ id: 'd1', document: { title: 'alpha beta' } }]);
    await repo.refresh(collection);
    const found = await repo.search(collection, { text: 'alpha' });
    expect(found.hits.map((hit) => hit.id)).toEqual(['d1']);
  });

  it('a bulk with an item the server refuses indexes the others and names the refused one', async () => {
    const { repo, collection } = fresh('partial');
    await repo.index(collection, 'first', { n: 1, title: 'alpha' }); // maps n as a number
    const result = await repo.bulkIndex(collection, [
      { id: 'ok1', document: { n: 2 } },
      { id: 'bad', document: { n: 'not a number' } },
      { id: 'stale', document: { n: 3 }, version: 1 },
      { id: 'stale', document: { n: 4 }, version: 1 },
      { id: 'ok2', document: { n: 5 } },
    ]);
    expect(result.indexed).toBe(3);
    expect(result.skippedStale).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.id).toBe('bad');
    expect(result.errors[0]?.reason).toMatch(/^document_parsing_exception: .+/);
    expect((await repo.get(collection, 'ok2'))?.document).toEqual({ n: 5 });
    expect((await repo.get(collection, 'stale'))?.document).toEqual({ n: 3 });
    expect(await repo.get(collection, 'bad')).toBeUndefined();
  });

  it('counts every match past the 10,000 hits Elasticsearch counts by default', async () => {
    const { repo, collection } = fresh('total');
    const total = MAX_BULK_ITEMS + 5;
    for (let from = 0; from < total; from += MAX_BULK_ITEMS) {
      const items = Array.from({ length: Math.min(MAX_BULK_ITEMS, total - from) }, (_, i) => ({
        id: `d${from + i}`,
        document: { title: 'alpha', n: (from + i) % 3 },
      }));
      expect((await repo.bulkIndex(collection, items)).errors).toEqual([]);
    }
    await repo.refresh(collection);
    const result = await repo.search(collection, { text: 'alpha', size: 3, aggregateBy: 'n' });
    expect(result.total).toBe(total);
    expect(result.hits).toHaveLength(3);
    expect(result.aggregation).toEqual([
      { key: '0', count: 3335 },
      { key: '1', count: 3335 },
      { key: '2', count: 3335 },
    ]);
    expect(await repo.count(collection)).toBe(total);
  });
});
