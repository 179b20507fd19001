// Input rules every DocumentRepository backend enforces before touching its store, so that the
// same hostile input gets the same answer (works exactly, or a ValidationError naming the field)
// from Elasticsearch and from PostgreSQL.
import { ValidationError } from '../errors.ts';
import type { BulkItem, JsonDocument, SearchQuery } from './documents.ts';

/** Nesting deeper than this is refused (Elasticsearch's mapping depth limit is 20 with our wrapper). */
export const MAX_DOCUMENT_DEPTH = 16;
/** Serialized JSON size limit of one document (PostgreSQL's tsvector tops out near 1 MiB). */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** Strings longer than this are not exact-match filterable (Elasticsearch keyword ignore_above). */
export const MAX_FILTER_VALUE_CHARS = 256;
export const MAX_SEARCH_SIZE = 100;
export const DEFAULT_SEARCH_SIZE = 10;
export const MAX_SEARCH_TEXT_CHARS = 4096;
/** Buckets returned by a terms aggregation at most. */
export const AGGREGATION_SIZE = 100;
export const MAX_BULK_ITEMS = 10_000;

const COLLECTION = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const FIELD_SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
// Control characters (other than tab/newline/carriage return) make ids unprintable and break logs.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function validateCollection(collection: string): void {
  if (typeof collection !== 'string' || !COLLECTION.test(collection)) {
    throw new ValidationError(
      'collection',
      `"${String(collection).slice(0, 80)}" is not a valid collection name (lowercase letters, digits, "_" or "-", 1-63 characters, starting with a letter or digit)`,
    );
  }
}

export function validateDocumentId(id: string, field = 'id'): void {
  if (typeof id !== 'string' || id.length === 0)
    throw new ValidationError(field, 'must be a non-empty string');
  if (Buffer.byteLength(id, 'utf8') > 512) throw new ValidationError(field, 'longer than 512 bytes');
  if (CONTROL.test(id)) throw new ValidationError(field, 'contains a control character');
  if (hasLoneSurrogate(id)) throw new ValidationError(field, 'contains a lone surrogate');
}

export function validateVersion(version: number | undefined, field = 'version'): void {
  if (version === undefined) return;
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new ValidationError(field, `must be a non-negative safe integer, got ${shown(version)}`);
  }
}

/** Walks the document once: depth, key shapes, strings both stores can hold, total size. */
export function validateDocument(document: JsonDocument, field = 'document'): void {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new ValidationError(field, 'must be a JSON object');
  }
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > MAX_DOCUMENT_DEPTH) {
      throw new ValidationError(path, `nested deeper than ${MAX_DOCUMENT_DEPTH} levels`);
    }
    if (value === null || typeof value === 'boolean') return;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new ValidationError(path, 'numbers must be finite');
      return;
    }
    if (typeof value === 'string') {
      // PostgreSQL jsonb cannot hold U+0000; a lone surrogate is not valid UTF-8 for either store.
      if (value.includes('\u0000')) throw new ValidationError(path, 'strings must not contain U+0000');
      if (hasLoneSurrogate(value)) throw new ValidationError(path, 'string contains a lone surrogate');
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`, depth + 1));
      return;
    }
    if (typeof value === 'object') {
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
        throw new ValidationError(path, 'must be plain JSON (no Date, Map or class instances)');
      }
      for (const [key, child] of Object.entries(value)) {
        if (!FIELD_SEGMENT.test(key)) {
          throw new ValidationError(
            `${path}.${key.slice(0, 60)}`,
            'field names must start with a letter or "_" and hold only letters, digits, "_" or "-" (at most 128); dots would be read as paths',
          );
        }
        visit(child, `${path}.${key}`, depth + 1);
      }
      return;
    }
    throw new ValidationError(path, `unsupported value of type ${typeof value}`);
  };
  visit(document, field, 1);
  const bytes = Buffer.byteLength(JSON.stringify(document), 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new ValidationError(field, `serialized size ${bytes} bytes exceeds ${MAX_DOCUMENT_BYTES}`);
  }
}

export function validateBulk(items: readonly BulkItem[]): void {
  const input: unknown = items; // callers from untyped code may pass anything
  if (!Array.isArray(input)) throw new ValidationError('items', 'must be an array');
  if (items.length > MAX_BULK_ITEMS) throw new ValidationError('items', `more than ${MAX_BULK_ITEMS} items`);
  items.forEach((item, i) => {
    validateItemContent(item, i);
    validateVersion(item.version, `items[${i}].version`);
  });
}

/** A bulk item's id and document, named by its place in the whole input (`items[1234].document`). */
function validateItemContent(item: BulkItem, i: number): void {
  validateDocumentId(item.id, `items[${i}].id`);
  validateDocument(item.document, `items[${i}].document`);
}

/** A dotted field path of a document ("title", "meta.owner"), validated segment by segment. */
export function validateFieldPath(path: string, field: string): string[] {
  const segments = typeof path === 'string' ? path.split('.') : [];
  if (
    segments.length === 0 ||
    segments.length > MAX_DOCUMENT_DEPTH ||
    !segments.every((s) => FIELD_SEGMENT.test(s))
  ) {
    throw new ValidationError(field, `"${String(path).slice(0, 80)}" is not a valid field path`);
  }
  return segments;
}

export interface ResolvedSearch {
  readonly text: string;
  readonly fields: readonly (readonly string[])[] | undefined;
  readonly filters: readonly { path: readonly string[]; value: string | number | boolean }[];
  readonly aggregateBy: readonly string[] | undefined;
  readonly size: number;
  readonly highlight: boolean;
  readonly phrase: boolean;
}

/** Validated, defaulted search query. Empty (whitespace-only) text means "match every document". */
export function resolveSearch(query: SearchQuery): ResolvedSearch {
  if (query === null || typeof query !== 'object') throw new ValidationError('query', 'must be an object');
  if (typeof query.text !== 'string') throw new ValidationError('query.text', 'must be a string');
  if (query.text.length > MAX_SEARCH_TEXT_CHARS) {
    throw new ValidationError('query.text', `longer than ${MAX_SEARCH_TEXT_CHARS} characters`);
  }
  if (query.text.includes('\u0000') || hasLoneSurrogate(query.text)) {
    throw new ValidationError('query.text', 'contains U+0000 or a lone surrogate');
  }
  const size = query.size ?? DEFAULT_SEARCH_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_SEARCH_SIZE) {
    throw new ValidationError('query.size', `must be an integer 0-${MAX_SEARCH_SIZE}`);
  }
  const fields = query.fields?.map((f, i) => validateFieldPath(f, `query.fields[${i}]`));
  if (fields?.length === 0)
    throw new ValidationError('query.fields', 'must name at least one field when given');
  const filters = Object.entries(query.filters ?? {}).map(([path, value]) => {
    const segments = validateFieldPath(path, `query.filters.${path.slice(0, 60)}`);
    if (typeof value === 'string') {
      if (value.length > MAX_FILTER_VALUE_CHARS || value.includes('\u0000') || hasLoneSurrogate(value)) {
        throw new ValidationError(
          `query.filters.${path}`,
          `string filter values are at most ${MAX_FILTER_VALUE_CHARS} characters without U+0000`,
        );
      }
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new ValidationError(`query.filters.${path}`, 'must be finite');
    } else if (typeof value !== 'boolean') {
      throw new ValidationError(`query.filters.${path}`, 'must be a string, number or boolean');
    }
    return { path: segments, value };
  });
  const aggregateBy =
    query.aggregateBy === undefined ? undefined : validateFieldPath(query.aggregateBy, 'query.aggregateBy');
  for (const flag of ['highlight', 'phrase'] as const) {
    if (query[flag] !== undefined && typeof query[flag] !== 'boolean')
      throw new ValidationError(`query.${flag}`, 'must be true or false');
  }
  return {
    text: query.text.trim(),
    fields,
    filters,
    aggregateBy,
    size,
    highlight: query.highlight ?? false,
    phrase: query.phrase ?? false,
  };
}

/** A UTF-16 string that cannot be encoded as UTF-8 (String#isWellFormed is ES2024). */
function hasLoneSurrogate(value: string): boolean {
  return /\p{Cs}/u.test(value);
}

/** The value for a message: String() throws for an object without a prototype (found by test/fuzz). */
function shown(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * A load's items, each checked as bulkIndex checks it and named by its place in the whole input
 * (`items[1234].document`); a load writes plain documents, so a version is refused.
 */
export async function* checkedLoadItems(
  items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
): AsyncIterable<BulkItem> {
  let i = 0;
  for await (const item of items) {
    validateItemContent(item, i);
    if (item.version !== undefined)
      throw new ValidationError(
        `items[${i}].version`,
        'a load writes plain documents; use bulkIndex for versions',
      );
    i += 1;
    yield item;
  }
}
