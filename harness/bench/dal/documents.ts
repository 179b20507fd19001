// bench:dal paths on Elasticsearch: the DocumentRepository against the raw @elastic/elasticsearch
// client sending the identical request (same body, same parameters) and reading what a caller
// needs from the answer. The group works under its own index prefix; its indices are dropped
// afterwards.
import { randomBytes } from 'node:crypto';
import { createElasticsearchDocumentRepository } from '../../../reference-dal/backends/elasticsearch/document-repository.ts';
import { ALL_TEXT_FIELD, DOC_FIELD } from '../../../reference-dal/backends/elasticsearch/index-mapping.ts';
import { parseStorageConfigs } from '../../../reference-dal/config/storage-config.ts';
import {
  AGGREGATION_SIZE,
  validateDocument,
  validateDocumentId,
} from '../../../reference-dal/ports/document-input.ts';
import { needUrl, type PathGroupSpec } from './path.ts';

const WORDS = ['anomaly', 'detector', 'sensor', 'latency', 'spike', 'drift', 'model', 'forest'];
const DOCUMENTS = 500;
const TEXT = 'anomaly spike';

export const documentsGroup: PathGroupSpec = {
  name: 'documents',
  needs: ['elasticsearch'],
  async open(urls) {
    const url = needUrl(urls, 'elasticsearch');
    const [config] = parseStorageConfigs([
      {
        type: 'document',
        backend: 'elasticsearch',
        url,
        poolSize: 1,
        options: { indexPrefix: `dalbench-bench-${randomBytes(4).toString('hex')}-` },
      },
    ]);
    if (!config) throw new Error('no document config');
    const repository = await createElasticsearchDocumentRepository(config);
    // The raw calls go through the repository's own client: the same settings (requestTimeout,
    // maxRetries, compression off, the default serializer) and the same undici connection. Two
    // clients would mean two connections, which Elasticsearch serves on different network threads:
    // a difference between connections, not between the DAL and its client.
    const raw = repository.client;
    const collection = 'experiments';
    const writes = 'writes';
    const close = async () => {
      try {
        await repository.dropCollection(collection);
        await repository.dropCollection(writes);
      } finally {
        await repository.close();
      }
    };
    try {
      const index = repository.indexName(collection);
      const items = Array.from({ length: DOCUMENTS }, (_, i) => ({
        id: `exp-${i}`,
        document: experiment(i),
      }));
      const indexed = await repository.bulkIndex(collection, items);
      if (indexed.errors.length > 0)
        throw new Error(`bench setup: ${indexed.errors.length} documents failed to index`);
      await repository.refresh(collection);
      // The write path's index exists before measuring (its first write creates it).
      const written = experiment(7);
      await repository.index(writes, 'w-1', written);
      const writesIndex = repository.indexName(writes);
      // The raw side sends what the repository sends: the same query, size and total tracking.
      const query = {
        bool: {
          must: [{ match: { [ALL_TEXT_FIELD]: { query: TEXT, operator: 'and' as const } } }],
          filter: [],
        },
      };
      const rawSearch = { index, size: 10, track_total_hits: true, query };
      const rawRichSearch = {
        ...rawSearch,
        highlight: {
          encoder: 'html' as const,
          pre_tags: ['<em>'],
          post_tags: ['</em>'],
          require_field_match: false,
          max_analyzed_offset: 999_999,
          fields: { [`${DOC_FIELD}.*`]: {} },
        },
        aggs: { by: { terms: { field: `${DOC_FIELD}.status.keyword`, size: AGGREGATION_SIZE } } },
      };
      const settings = `Elasticsearch, ${DOCUMENTS} documents in one shard, sequential; raw calls use the repository's own client (requestTimeout ${config.timeoutMs} ms, maxRetries ${config.retryAttempts}, compression off, default serializer with prototype-poisoning protection, a transport with a shorter retry backoff), so both sides share one connection`;
      return {
        paths: [
          {
            id: 'documents.get',
            title: 'DocumentRepository.get vs client.get',
            store: 'elasticsearch',
            dal: async () => {
              if (!(await repository.get(collection, 'exp-42'))) throw new Error('bench document missing');
            },
            raw: async () => {
              const found = await raw.get<Record<string, unknown>>({ index, id: 'exp-42' });
              if (!found.found || !found._source?.[DOC_FIELD]) throw new Error('bench document missing');
            },
            note: settings,
          },
          {
            id: 'documents.search',
            title: `DocumentRepository.search "${TEXT}" vs client.search (same body)`,
            store: 'elasticsearch',
            dal: async () => {
              if ((await repository.search(collection, { text: TEXT })).hits.length === 0)
                throw new Error('no hits');
            },
            raw: async () => {
              if ((await raw.search(rawSearch)).hits.hits.length === 0) throw new Error('no hits');
            },
            note: `${settings}; 10 hits, total tracked`,
          },
          {
            id: 'documents.search-highlight-aggs',
            title: `DocumentRepository.search "${TEXT}" with highlights and a terms aggregation vs client.search (same body)`,
            store: 'elasticsearch',
            dal: async () => {
              const result = await repository.search(collection, {
                text: TEXT,
                highlight: true,
                aggregateBy: 'status',
              });
              if (result.hits.length === 0 || !result.aggregation?.length)
                throw new Error('no hits or no buckets');
            },
            raw: async () => {
              const result = await raw.search(rawRichSearch);
              const buckets = (result.aggregations?.by as { buckets?: unknown[] } | undefined)?.buckets;
              if (result.hits.hits.length === 0 || !buckets?.length) throw new Error('no hits or no buckets');
            },
            note: `${settings}; html-encoded highlights on every doc.* field, terms aggregation on doc.status.keyword (the DAL resolves the keyword field once and caches it)`,
          },
          {
            id: 'documents.index',
            title: 'DocumentRepository.index (one document) vs client.index',
            store: 'elasticsearch',
            dal: () => repository.index(writes, 'w-1', written),
            raw: async () => {
              await raw.index({
                index: writesIndex,
                id: 'w-2',
                document: { [DOC_FIELD]: written },
                refresh: false,
              });
            },
            guarantee: {
              title: 'id and document validation (depth, field names, strings, size)',
              task: () => {
                validateDocumentId('w-1');
                validateDocument(written);
              },
            },
            note: `${settings}; refresh=false on both sides, the same document rewritten`,
          },
        ],
        [Symbol.asyncDispose]: close,
      };
    } catch (error) {
      await close();
      throw error;
    }
  },
};

function experiment(i: number) {
  return {
    name: `experiment ${i}`,
    description: Array.from({ length: 12 }, (_, j) => WORDS[(i * 7 + j * 3) % WORDS.length]).join(' '),
    status: ['running', 'completed', 'failed'][i % 3],
    metrics: { f1: (i % 100) / 100 },
  };
}
