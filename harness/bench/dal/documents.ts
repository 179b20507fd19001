// Micro-benchmark: document get and search through the Elasticsearch DocumentRepository against
// the raw @elastic/elasticsearch client sending the same requests, in one run, on one server.
// Rounds alternate task order; the reported median is the median of per-round medians. Ratios are
// measured, never asserted. Works in its own index, dropped afterwards.
import { Client } from '@elastic/elasticsearch';
import { randomBytes } from 'node:crypto';
import { createElasticsearchDocumentRepository } from '../../../reference-dal/backends/elasticsearch/document-repository.ts';
import { ALL_TEXT_FIELD } from '../../../reference-dal/backends/elasticsearch/index-mapping.ts';
import { parseStorageConfigs } from '../../../reference-dal/config/storage-config.ts';
import { measure, row, type DalVsRawRow } from './bench-row.ts';

export interface DocumentBenchOptions {
  /** Time budget per task per round (default 500 ms). */
  readonly timeMs?: number;
  /** Rounds, alternating task order (default 5). */
  readonly rounds?: number;
  /** Documents indexed before measuring (default 500). */
  readonly documents?: number;
}

const WORDS = ['anomaly', 'detector', 'sensor', 'latency', 'spike', 'drift', 'model', 'forest'];

export async function benchDocuments(
  elasticsearchUrl: string,
  options: DocumentBenchOptions = {},
): Promise<DalVsRawRow[]> {
  const timeMs = options.timeMs ?? 500;
  const rounds = options.rounds ?? 5;
  const count = options.documents ?? 500;
  const [config] = parseStorageConfigs([
    {
      type: 'document',
      backend: 'elasticsearch',
      url: elasticsearchUrl,
      poolSize: 1,
      options: { indexPrefix: `dalbench-bench-${randomBytes(4).toString('hex')}-` },
    },
  ]);
  if (!config) throw new Error('no document config');
  await using repository = await createElasticsearchDocumentRepository(config);
  const raw = new Client({ node: elasticsearchUrl, compression: false });
  const collection = 'experiments';
  const index = repository.indexName(collection);
  try {
    const items = Array.from({ length: count }, (_, i) => ({
      id: `exp-${i}`,
      document: {
        name: `experiment ${i}`,
        description: Array.from({ length: 12 }, (_, j) => WORDS[(i * 7 + j * 3) % WORDS.length]).join(' '),
        status: ['running', 'completed', 'failed'][i % 3],
        metrics: { f1: (i % 100) / 100 },
      },
    }));
    const indexed = await repository.bulkIndex(collection, items);
    if (indexed.errors.length > 0)
      throw new Error(`bench setup: ${indexed.errors.length} documents failed to index`);
    await repository.refresh(collection);
    const id = 'exp-42';
    const text = 'anomaly spike';
    // The raw side sends what the repository sends: the same query, size and total tracking.
    const rawSearch = {
      index,
      size: 10,
      track_total_hits: true,
      query: {
        bool: {
          must: [{ match: { [ALL_TEXT_FIELD]: { query: text, operator: 'and' as const } } }],
          filter: [],
        },
      },
    };
    const tasks = {
      'DocumentRepository.get': async () => {
        if (!(await repository.get(collection, id))) throw new Error('bench document missing');
      },
      'client.get': async () => {
        if (!(await raw.get({ index, id })).found) throw new Error('bench document missing');
      },
      'DocumentRepository.search': async () => {
        if ((await repository.search(collection, { text })).hits.length === 0) throw new Error('no hits');
      },
      'client.search': async () => {
        if ((await raw.search(rawSearch)).hits.hits.length === 0) throw new Error('no hits');
      },
    } as const;
    const medians = await measure(tasks, rounds, timeMs);
    const note = `Elasticsearch, ${count} documents in one shard, sequential, DAL and raw client each with its own connection pool; ${rounds} rounds × ${timeMs} ms per task, median of round medians`;
    return [
      row(
        'document get: DocumentRepository.get vs client.get',
        medians['DocumentRepository.get'],
        medians['client.get'],
        1.1,
        note,
      ),
      row(
        `document search "${text}": DocumentRepository.search vs client.search (same query)`,
        medians['DocumentRepository.search'],
        medians['client.search'],
        1.1,
        note,
      ),
    ];
  } finally {
    await raw.close();
    await repository.dropCollection(collection);
  }
}
