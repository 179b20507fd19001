// DocumentRepository on Elasticsearch, core APIs only (index, _bulk, get, delete by id, search,
// terms aggregation, highlight, _cluster/health) so it runs on the integ-test archive and on a full
// distribution alike. Client 8.19: speaks to 8.x and 9.x servers.
import { Client } from '@elastic/elasticsearch';
import { Transport, type TransportOptions } from '@elastic/transport';

/**
 * The transport's default retry backoff waits 1–4 s per attempt, so a dead node holds a caller for
 * ~8 s; a real-time DAL retries within milliseconds (50, 100, 200 ms … capped at 250 ms).
 */
class FastRetryTransport extends Transport {
  constructor(options: TransportOptions) {
    super({ ...options, retryBackoff: (_min, _max, attempt) => Math.min(0.025 * 2 ** attempt, 0.25) });
  }
}
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
  checkedLoadItems,
} from '../../ports/document-input.ts';
import type {
  BulkItem,
  BulkResult,
  DocumentRepository,
  IndexOptions,
  JsonDocument,
  SearchHit,
  SearchQuery,
  SearchResult,
  StoredDocument,
} from '../../ports/documents.ts';
import { ALL_TEXT_FIELD, DOC_FIELD, INDEX_BODY } from './index-mapping.ts';
import { readElasticsearchOptions, type ElasticsearchOptions } from './options.ts';
import { errorType, isIndexMissing, reasonOf, statusOf } from './response-errors.ts';
import { elasticsearchConnection } from '../../config/elasticsearch-connection.ts';
import { bulkLoadDocuments } from './bulk-load.ts';

type Refresh = boolean | 'wait_for';

export class ElasticsearchDocumentRepository implements DocumentRepository, AsyncDisposable {
  readonly #client: Client;
  readonly #url: string;
  readonly #options: ElasticsearchOptions;
  readonly #refresh: Refresh;
  /** Indices this instance has created or seen, so writes skip the existence check. */
  readonly #knownIndices = new Set<string>();
  /** Field path → the field to aggregate on (keyword subfield or the field itself). */
  readonly #aggregationFields = new Map<string, string>();

  constructor(config: StorageConfig) {
    if (config.backend !== 'elasticsearch') {
      throw new ValidationError('backend', `expected "elasticsearch", got "${config.backend}"`);
    }
    this.#url = config.url;
    this.#options = readElasticsearchOptions(config);
    this.#refresh = this.#options.refresh === 'wait_for' ? 'wait_for' : this.#options.refresh === 'true';
    this.#client = new Client({
      ...elasticsearchConnection(config.url, 'document store URL'),
      requestTimeout: config.timeoutMs,
      maxRetries: config.retryAttempts,
      Transport: FastRetryTransport,
      compression: false,
    });
  }

  /** The raw client, for benchmarks that compare against it. */
  get client(): Client {
    return this.#client;
  }

  indexName(collection: string): string {
    validateCollection(collection);
    return `${this.#options.indexPrefix}${collection}`;
  }

  async index(
    collection: string,
    id: string,
    document: JsonDocument,
    options: IndexOptions = {},
  ): Promise<void> {
    validateDocumentId(id);
    validateDocument(document);
    validateVersion(options.version);
    const index = await this.#ensureIndex(collection);
    try {
      await this.#client.index({
        index,
        id,
        document: { [DOC_FIELD]: document },
        refresh: this.#refresh,
        ...(options.version === undefined
          ? {}
          : { version: options.version, version_type: 'external' as const }),
      });
    } catch (error) {
      // A replayed older write: the stored version is newer or equal, which is the point.
      if (options.version !== undefined && statusOf(error) === 409) return;
      throw this.#wrap(`index ${collection}/${id}`, error);
    }
  }

  /** A dataset's load: `_bulk` with refresh off and no replicas meanwhile (bulkLoadDocuments), then refreshed. */
  async loadDocuments(
    collection: string,
    items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
  ): Promise<{ indexed: number }> {
    const index = await this.#ensureIndex(collection);
    const result = await bulkLoadDocuments(this.#client, index, checkedLoadItems(items), { url: this.#url });
    return { indexed: result.indexed };
  }

  async bulkIndex(collection: string, items: readonly BulkItem[]): Promise<BulkResult> {
    validateBulk(items);
    if (items.length === 0) return { indexed: 0, skippedStale: 0, errors: [] };
    const index = await this.#ensureIndex(collection);
    const operations: unknown[] = [];
    for (const item of items) {
      operations.push({
        index: {
          _index: index,
          _id: item.id,
          ...(item.version === undefined ? {} : { version: item.version, version_type: 'external' }),
        },
      });
      operations.push({ [DOC_FIELD]: item.document });
    }
    let response;
    try {
      response = await this.#client.bulk({ operations, refresh: this.#refresh });
    } catch (error) {
      throw this.#wrap(`bulk index ${items.length} items into ${collection}`, error);
    }
    let indexed = 0;
    let skippedStale = 0;
    const failures: { id: string; reason: string }[] = [];
    response.items.forEach((entry, i) => {
      const result = entry.index;
      const item = items[i];
      if (!result || !item) return;
      if (result.error === undefined) indexed += 1;
      else if (result.status === 409 && item.version !== undefined) skippedStale += 1;
      else failures.push({ id: item.id, reason: `${result.error.type}: ${result.error.reason ?? ''}` });
    });
    return { indexed, skippedStale, errors: failures };
  }

  async get(collection: string, id: string): Promise<StoredDocument | undefined> {
    validateDocumentId(id);
    const index = this.indexName(collection);
    try {
      const response = await this.#client.get<Record<string, JsonDocument>>({ index, id });
      if (!response.found || !response._source) return undefined;
      return { id, document: response._source[DOC_FIELD] ?? {}, version: response._version };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.#wrap(`get ${collection}/${id}`, error);
    }
  }

  async delete(collection: string, id: string, options: IndexOptions = {}): Promise<boolean> {
    validateDocumentId(id);
    // An external-version delete makes Elasticsearch create a missing index (to keep its tombstone)
    // with dynamic mappings, under which later documents are stored but not found: ours first.
    const index =
      options.version === undefined ? this.indexName(collection) : await this.#ensureIndex(collection);
    const versioned =
      options.version === undefined ? {} : { version: options.version, version_type: 'external' as const };
    try {
      const response = await this.#client.delete({ index, id, refresh: this.#refresh, ...versioned });
      return response.result === 'deleted';
    } catch (error) {
      if (statusOf(error) === 404) return false;
      // A newer version is stored: this delete is stale and must not remove it.
      if (statusOf(error) === 409 && options.version !== undefined) return false;
      throw this.#wrap(`delete ${collection}/${id}`, error);
    }
  }

  async search(collection: string, query: SearchQuery): Promise<SearchResult> {
    const q = resolveSearch(query);
    const index = this.indexName(collection);
    const filter = q.filters.map(({ path, value }) => ({
      term: { [`${DOC_FIELD}.${path.join('.')}${typeof value === 'string' ? '.keyword' : ''}`]: value },
    }));
    // `match`/`multi_match` analyze the text as plain words: Lucene syntax in it is just text. A
    // phrase never spans two values: copy_to and arrays leave a position gap between them, and
    // `phrase` matches each field on its own.
    const must =
      q.text === ''
        ? [{ match_all: {} }]
        : q.fields === undefined
          ? [
              q.phrase
                ? { match_phrase: { [ALL_TEXT_FIELD]: { query: q.text } } }
                : { match: { [ALL_TEXT_FIELD]: { query: q.text, operator: 'and' as const } } },
            ]
          : [
              {
                multi_match: {
                  query: q.text,
                  ...(q.phrase
                    ? { type: 'phrase' as const }
                    : { type: 'cross_fields' as const, operator: 'and' as const }),
                  lenient: true,
                  fields: q.fields.map((f) => `${DOC_FIELD}.${f.join('.')}`),
                },
              },
            ];
    const aggregationField = q.aggregateBy ? await this.#aggregationField(index, q.aggregateBy) : undefined;
    try {
      const response = await this.#client.search<Record<string, JsonDocument>>({
        index,
        size: q.size,
        track_total_hits: true,
        query: { bool: { must, filter } },
        ...(q.highlight && q.text !== ''
          ? {
              highlight: {
                encoder: 'html' as const,
                pre_tags: ['<em>'],
                post_tags: ['</em>'],
                require_field_match: false,
                // Huge fields are highlighted on their first million characters instead of failing.
                max_analyzed_offset: 999_999,
                fields: { [`${DOC_FIELD}.*`]: {} },
              },
            }
          : {}),
        ...(aggregationField
          ? { aggs: { by: { terms: { field: aggregationField, size: AGGREGATION_SIZE } } } }
          : {}),
      });
      const total =
        typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? 0);
      const hits: SearchHit[] = response.hits.hits.map((hit) => ({
        id: hit._id ?? '',
        score: hit._score ?? 0,
        document: hit._source?.[DOC_FIELD] ?? {},
        highlights: stripHighlightFields(hit.highlight),
      }));
      const result: SearchResult = { total, hits };
      if (!q.aggregateBy) return result;
      const buckets =
        (response.aggregations?.by as { buckets?: AggregationBucket[] } | undefined)?.buckets ?? [];
      return {
        ...result,
        aggregation: buckets.map((b) => ({ key: b.key_as_string ?? String(b.key), count: b.doc_count })),
      };
    } catch (error) {
      if (isIndexMissing(error))
        return q.aggregateBy ? { total: 0, hits: [], aggregation: [] } : { total: 0, hits: [] };
      throw this.#wrap(`search ${collection}`, error);
    }
  }

  async refresh(collection: string): Promise<void> {
    const index = this.indexName(collection);
    try {
      await this.#client.indices.refresh({ index, ignore_unavailable: true });
    } catch (error) {
      throw this.#wrap(`refresh ${collection}`, error);
    }
  }

  async count(collection: string): Promise<number> {
    const index = this.indexName(collection);
    try {
      return (await this.#client.count({ index })).count;
    } catch (error) {
      if (isIndexMissing(error)) return 0;
      throw this.#wrap(`count ${collection}`, error);
    }
  }

  /** Drop a collection's index (tests and migrations); true if it existed. */
  async dropCollection(collection: string): Promise<boolean> {
    const index = this.indexName(collection);
    this.#knownIndices.delete(index);
    for (const key of this.#aggregationFields.keys())
      if (key.startsWith(`${index}\n`)) this.#aggregationFields.delete(key);
    try {
      await this.#client.indices.delete({ index });
      return true;
    } catch (error) {
      if (isIndexMissing(error)) return false;
      throw this.#wrap(`drop ${collection}`, error);
    }
  }

  /** `_cluster/health` (this archive answers `GET /` with 405). Throws a StoreError when red or unreachable. */
  async health(): Promise<{ status: string; version: string | undefined }> {
    try {
      const health = await this.#client.cluster.health({ timeout: '5s' });
      if (health.status === 'red') throw new Error('cluster health is red');
      return { status: health.status, version: undefined };
    } catch (error) {
      throw this.#wrap('health check', error);
    }
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #ensureIndex(collection: string): Promise<string> {
    const index = this.indexName(collection);
    if (this.#knownIndices.has(index)) return index;
    try {
      await this.#client.indices.create({ index, ...structuredClone(INDEX_BODY) });
    } catch (error) {
      if (errorType(error) !== 'resource_already_exists_exception')
        throw this.#wrap(`create index ${index}`, error);
    }
    this.#knownIndices.add(index);
    return index;
  }

  /** Strings aggregate on their keyword subfield, numbers and booleans on the field itself. */
  async #aggregationField(index: string, path: readonly string[]): Promise<string | undefined> {
    const key = `${index}\n${path.join('.')}`;
    const cached = this.#aggregationFields.get(key);
    if (cached) return cached;
    const field = `${DOC_FIELD}.${path.join('.')}`;
    try {
      const response = await this.#client.indices.getFieldMapping({ index, fields: field });
      const mapping = response[index]?.mappings[field]?.mapping;
      const leaf = mapping ? Object.values(mapping)[0] : undefined;
      const type = (leaf as { type?: string } | undefined)?.type;
      if (type === undefined || type === 'object') return undefined;
      const resolved = type === 'text' ? `${field}.keyword` : field;
      this.#aggregationFields.set(key, resolved);
      return resolved;
    } catch (error) {
      if (isIndexMissing(error)) return undefined;
      throw this.#wrap(`read mapping of ${field}`, error);
    }
  }

  #wrap(what: string, error: unknown): Error {
    if (error instanceof ValidationError || error instanceof StoreError) return error;
    const type = errorType(error);
    // The server refused the document itself (a field changed type, too many fields, ...): input, not outage.
    if (
      type === 'document_parsing_exception' ||
      type === 'mapper_parsing_exception' ||
      type === 'illegal_argument_exception'
    ) {
      return new ValidationError('document', `${what}: ${reasonOf(error)}`, { cause: error });
    }
    return new StoreError('elasticsearch', `${what}: ${reasonOf(error)}`, { url: this.#url, cause: error });
  }
}

interface AggregationBucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
}

/** `doc.title` → `title`; keyword subfields repeat their text field and are dropped. */
function stripHighlightFields(highlight: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [field, fragments] of Object.entries(highlight ?? {})) {
    if (field.endsWith('.keyword')) continue;
    out[field.startsWith(`${DOC_FIELD}.`) ? field.slice(DOC_FIELD.length + 1) : field] = fragments;
  }
  return out;
}

/** Build a repository from a validated StorageConfig and check the cluster answers. */
export async function createElasticsearchDocumentRepository(
  config: StorageConfig,
): Promise<ElasticsearchDocumentRepository> {
  const repository = new ElasticsearchDocumentRepository(config);
  try {
    await repository.health();
  } catch (error) {
    await repository.close();
    throw error;
  }
  return repository;
}
