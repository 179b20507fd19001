// Documents and full-text search: Elasticsearch in the ADR, JSONB + tsvector in single-postgres.
import { DalError, ValidationError } from '../errors.ts';
import { checkedLoadItems, MAX_BULK_ITEMS } from './document-input.ts';

export type JsonDocument = Record<string, unknown>;

export interface StoredDocument {
  readonly id: string;
  readonly document: JsonDocument;
  /** External version when the writer supplied one (outbox relay), else the store's own. */
  readonly version: number | undefined;
}

export interface IndexOptions {
  /** External version: a write with a version lower than the stored one is ignored (idempotent replay). */
  version?: number;
}

export interface BulkItem {
  readonly id: string;
  readonly document: JsonDocument;
  readonly version?: number;
}

export interface BulkResult {
  readonly indexed: number;
  /** Writes ignored because a newer version was already stored. */
  readonly skippedStale: number;
  readonly errors: readonly { id: string; reason: string }[];
}

export interface SearchQuery {
  /** Plain user text: never parsed as query syntax (no Lucene or tsquery operators). */
  readonly text: string;
  /** Fields to search; default: every text field of the collection's mapping. */
  readonly fields?: readonly string[];
  /** Exact-match filters on keyword fields. */
  readonly filters?: Readonly<Record<string, string | number | boolean>>;
  /** A keyword field to return a terms aggregation for. */
  readonly aggregateBy?: string;
  readonly size?: number;
  readonly highlight?: boolean;
  /**
   * Match the text's words as a phrase: adjacent and in order within one string value (not across
   * two fields or two array elements). Default: every word anywhere in the searched fields.
   */
  readonly phrase?: boolean;
}

export interface SearchHit {
  readonly id: string;
  readonly score: number;
  readonly document: JsonDocument;
  /** Field → fragments, with matches wrapped in <em>…</em>; document HTML is escaped. */
  readonly highlights: Readonly<Record<string, readonly string[]>>;
}

export interface SearchResult {
  readonly total: number;
  readonly hits: readonly SearchHit[];
  readonly aggregation?: readonly { key: string; count: number }[];
}

export interface DocumentRepository {
  index(collection: string, id: string, document: JsonDocument, options?: IndexOptions): Promise<void>;
  bulkIndex(collection: string, items: readonly BulkItem[]): Promise<BulkResult>;
  get(collection: string, id: string): Promise<StoredDocument | undefined>;
  /**
   * With `version` (external), the delete applies only over an older stored version, and a later
   * write of an older version is refused where the store keeps tombstones (Elasticsearch, for
   * index.gc_deletes). Returns false when absent or when the stored version is newer.
   */
  delete(collection: string, id: string, options?: IndexOptions): Promise<boolean>;
  search(collection: string, query: SearchQuery): Promise<SearchResult>;
  /** Make every acknowledged write visible to search now. */
  refresh(collection: string): Promise<void>;
  count(collection: string): Promise<number>;
  /**
   * Optional bulk path for loading a dataset (Elasticsearch: `_bulk` with refresh off and no replicas
   * meanwhile, restored afterwards): plain index writes (no external versions), streamed, searchable
   * when it resolves. A refused document fails the load, naming its id. loadDocuments() below falls
   * back to bulkIndex batches for a backend without it.
   */
  loadDocuments?(
    collection: string,
    items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
  ): Promise<{ indexed: number }>;
}

/**
 * Load `items` into `collection` by the repository's bulk path (which batches as the store loads
 * best), or where it has none by bulkIndex in batches of `batchSize`, then refresh. A refused document throws (the store's BulkLoadError, or
 * here a DalError) naming its id.
 */
export async function loadDocuments(
  repository: DocumentRepository,
  collection: string,
  items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
  batchSize = 1_000,
): Promise<{ indexed: number }> {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BULK_ITEMS)
    throw new ValidationError(
      'batchSize',
      `must be an integer from 1 to ${MAX_BULK_ITEMS}, got ${batchSize}`,
    );
  if (repository.loadDocuments) return repository.loadDocuments(collection, items);
  let indexed = 0;
  let batch: BulkItem[] = [];
  const flush = async () => {
    const result = await repository.bulkIndex(collection, batch);
    if (result.errors.length > 0) {
      const shown = result.errors
        .slice(0, 3)
        .map((e) => `${e.id} (${e.reason})`)
        .join('; ');
      throw new DalError(
        `bulk load into ${collection}: ${result.errors.length} document(s) refused, e.g. ${shown}`,
      );
    }
    indexed += result.indexed;
    batch = [];
  };
  for await (const item of checkedLoadItems(items)) {
    batch.push(item);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  await repository.refresh(collection);
  return { indexed };
}
