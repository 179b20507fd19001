// Bulk loading of documents into Elasticsearch with `_bulk`: refresh off (`refresh_interval: -1`)
// and no replicas while loading, the index's previous settings restored afterwards (also when the
// load fails), bounded concurrent requests, per-item errors reported with the document id.
// Documents are wrapped under DOC_FIELD and the index uses the repository's INDEX_BODY, so the
// DAL's ElasticsearchDocumentRepository reads what is loaded here.
import type { Client } from '@elastic/elasticsearch';
import { StoreError, ValidationError } from '../../errors.ts';
import type { BulkItem } from '../../ports/documents.ts';
import { validateDocumentId } from '../../ports/document-input.ts';
import { DOC_FIELD, INDEX_BODY } from './index-mapping.ts';
import { isIndexMissing, reasonOf } from './response-errors.ts';
import {
  decideReuseCounted,
  type DatasetIdentity,
  type DatasetLoadResult,
  reusedDataset,
  type ReuseDecision,
  type StoredDatasetMarker,
} from '../../ports/dataset.ts';
import { silentProgress, type Progress } from '../../ports/load-progress.ts';

export interface BulkLoadOptions {
  /** Documents per `_bulk` request (default 1,000). */
  readonly batchSize?: number;
  /** Requests in flight at once (default 2). */
  readonly concurrency?: number;
  /** 'fail' (default): stop after the first request with failed items; 'collect': load the rest. */
  readonly onItemError?: 'fail' | 'collect';
  /** Failed items kept in the result/error (default 100); all are counted. */
  readonly maxErrors?: number;
  readonly progress?: Progress;
  /** For error messages (password redacted). */
  readonly url?: string;
}

export interface BulkLoadResult {
  readonly indexed: number;
  readonly failed: number;
  readonly errors: readonly { id: string; reason: string }[];
}

/** Items of a bulk load were refused; `errors` names each document id with the reason. */
export class BulkLoadError extends StoreError {
  override name = 'BulkLoadError';
  readonly result: BulkLoadResult;
  constructor(index: string, result: BulkLoadResult, url: string | undefined) {
    const shown = result.errors
      .slice(0, 3)
      .map((e) => `${e.id} (${e.reason})`)
      .join('; ');
    super('elasticsearch', `bulk load into ${index}: ${result.failed} document(s) refused, e.g. ${shown}`, {
      url,
    });
    this.result = result;
  }
}

type IndexSettings = { refresh_interval: string | null; number_of_replicas: string | null };

/** The index's own refresh_interval and number_of_replicas (null where it uses the default). */
export async function readLoadSettings(client: Client, index: string): Promise<IndexSettings> {
  const response = await client.indices.getSettings({ index, flat_settings: true });
  const settings = (Object.values(response)[0]?.settings ?? {}) as Record<string, unknown>;
  const read = (key: string) => {
    const value = settings[key];
    return typeof value === 'string' ? value : null;
  };
  return {
    refresh_interval: read('index.refresh_interval'),
    number_of_replicas: read('index.number_of_replicas'),
  };
}

interface BulkResponseBody {
  errors: boolean;
  items?: Record<string, { _id?: string; status?: number; error?: { type?: string; reason?: string } }>[];
}

/**
 * `_bulk`-index `items` into the existing `index`. Settings are switched for loading and restored
 * in `finally`; then the index is refreshed so the documents are searchable.
 */
export async function bulkLoadDocuments(
  client: Client,
  index: string,
  items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
  options: BulkLoadOptions = {},
): Promise<BulkLoadResult> {
  const batchSize = options.batchSize ?? 1_000;
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ValidationError('batchSize', 'must be a positive integer');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ValidationError('concurrency', 'must be a positive integer');
  const maxErrors = options.maxErrors ?? 100;
  const failFast = (options.onItemError ?? 'fail') === 'fail';
  const progress = options.progress ?? silentProgress();
  const wrap = (what: string, error: unknown) =>
    error instanceof StoreError || error instanceof ValidationError
      ? error
      : new StoreError('elasticsearch', `${what}: ${reasonOf(error)}`, { url: options.url, cause: error });

  let previous: IndexSettings;
  try {
    previous = await readLoadSettings(client, index);
    await client.indices.putSettings({
      index,
      settings: { index: { refresh_interval: '-1', number_of_replicas: 0 } },
    });
  } catch (error) {
    throw wrap(`prepare ${index} for loading`, error);
  }

  let indexed = 0;
  let failed = 0;
  const errors: { id: string; reason: string }[] = [];
  let stop: unknown;
  const inFlight = new Set<Promise<void>>();
  const prefix = `{"index":{"_index":${JSON.stringify(index)},"_id":`;

  const send = (body: string, ids: string[]): Promise<void> => {
    const request = (async () => {
      let response: BulkResponseBody;
      try {
        response = await client.transport.request<BulkResponseBody>({
          method: 'POST',
          path: '/_bulk',
          querystring: { filter_path: 'errors,items.*._id,items.*.status,items.*.error' },
          bulkBody: body,
        });
      } catch (error) {
        stop ??= wrap(`bulk request of ${ids.length} documents into ${index}`, error);
        return;
      }
      let batchFailed = 0;
      if (response.errors) {
        (response.items ?? []).forEach((entry, i) => {
          const result = Object.values(entry)[0];
          if (result?.error === undefined) return;
          batchFailed += 1;
          if (errors.length < maxErrors) {
            errors.push({
              id: result._id ?? ids[i] ?? '?',
              reason: `${result.error.type ?? 'error'}: ${result.error.reason ?? ''}`,
            });
          }
        });
      }
      failed += batchFailed;
      indexed += ids.length - batchFailed;
      progress.add(ids.length);
      if (batchFailed > 0 && failFast) stop ??= 'item errors';
    })();
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
    return request;
  };

  /** Sends the batch once a request slot is free, unless the load has stopped meanwhile. */
  const sendWhenFree = async (body: string, ids: string[]): Promise<boolean> => {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (stop !== undefined) return false;
    void send(body, ids);
    return true;
  };

  try {
    let body = '';
    let ids: string[] = [];
    let read = 0;
    for await (const item of items) {
      if (stop !== undefined) break;
      validateDocumentId(item.id, `items[${read}].id`);
      read += 1;
      body += `${prefix}${JSON.stringify(item.id)}}}\n${JSON.stringify({ [DOC_FIELD]: item.document })}\n`;
      ids.push(item.id);
      if (ids.length >= batchSize) {
        if (!(await sendWhenFree(body, ids))) break;
        body = '';
        ids = [];
      }
    }
    if (ids.length > 0 && stop === undefined) await sendWhenFree(body, ids);
    await Promise.all(inFlight);
  } catch (error) {
    // What went wrong first wins: a source failure over refusals answered while it was thrown.
    const known = stop;
    await Promise.allSettled(inFlight);
    stop = known ?? error;
  } finally {
    try {
      // null resets a setting to its default (it was not set on the index before).
      await client.indices.putSettings({ index, settings: { index: previous } as Record<string, unknown> });
      await client.indices.refresh({ index });
    } catch (error) {
      // The load's own failure is the more useful one; a restore failure alone is thrown.
      // eslint-disable-next-line no-unsafe-finally
      if (stop === undefined) throw wrap(`restore settings of ${index}`, error);
    }
  }
  const result = { indexed, failed, errors };
  if (stop === 'item errors' || (failed > 0 && stop === undefined && failFast))
    throw new BulkLoadError(index, result, options.url);
  if (stop !== undefined) throw stop instanceof Error ? stop : wrap(`bulk load into ${index}`, stop);
  return result;
}

/** The dataset marker kept in the index mapping's `_meta.dalbench`. */
export interface DocumentDatasetMarker extends StoredDatasetMarker {
  readonly records: number;
}

export async function readDocumentDatasetMarker(
  client: Client,
  index: string,
): Promise<DocumentDatasetMarker | undefined> {
  try {
    const response = await client.indices.getMapping({ index });
    const meta = Object.values(response)[0]?.mappings._meta as
      { dalbench?: Partial<DocumentDatasetMarker> } | undefined;
    const marker = meta?.dalbench;
    if (!marker || typeof marker.fingerprint !== 'string') return undefined;
    return {
      fingerprint: marker.fingerprint,
      complete: marker.complete === true,
      records: Number(marker.records ?? -1),
    };
  } catch (error) {
    if (isIndexMissing(error)) return undefined;
    throw error;
  }
}

export async function checkDocumentDataset(
  client: Client,
  index: string,
  wanted: DatasetIdentity,
): Promise<ReuseDecision> {
  const marker = await readDocumentDatasetMarker(client, index);
  return decideReuseCounted(wanted, marker, async () => (await client.count({ index })).count, {
    container: 'index',
    records: 'documents',
  });
}

export interface DocumentDatasetSource {
  readonly total?: number;
  documents(): Iterable<BulkItem> | AsyncIterable<BulkItem>;
}

/**
 * Load a dataset into `index` unless the identical one is there: drop the index, create it with
 * the repository's mapping and an incomplete marker, bulk load, then mark it complete. An
 * interrupted load leaves `complete: false`, which is never reused.
 */
export async function loadDocumentDataset(
  client: Client,
  index: string,
  identity: DatasetIdentity,
  source: DocumentDatasetSource,
  options: BulkLoadOptions & { force?: boolean } = {},
): Promise<DatasetLoadResult> {
  const started = performance.now();
  const wrap = (what: string, error: unknown) =>
    error instanceof StoreError || error instanceof ValidationError
      ? error
      : new StoreError('elasticsearch', `${what}: ${reasonOf(error)}`, { url: options.url, cause: error });
  let decision: ReuseDecision;
  try {
    decision = options.force
      ? { action: 'reload', reason: 'forced' }
      : await checkDocumentDataset(client, index, identity);
  } catch (error) {
    throw wrap(`check dataset in ${index}`, error);
  }
  if (decision.action === 'reuse') return reusedDataset(decision.reason, identity, started);
  const marker = (complete: boolean, records: number) => ({
    dalbench: {
      fingerprint: identity.fingerprint,
      complete,
      records,
      scale: identity.scale,
      seed: identity.seed,
    },
  });
  try {
    await client.indices.delete({ index }, { ignore: [404] });
    const body = structuredClone(INDEX_BODY) as unknown as {
      settings: Record<string, unknown>;
      mappings: Record<string, unknown>;
    };
    await client.indices.create({
      index,
      settings: body.settings,
      mappings: { ...body.mappings, _meta: marker(false, 0) },
    });
  } catch (error) {
    throw wrap(`recreate ${index}`, error);
  }
  const result = await bulkLoadDocuments(client, index, source.documents(), options);
  try {
    await client.indices.putMapping({ index, _meta: marker(true, result.indexed) });
  } catch (error) {
    throw wrap(`mark dataset complete in ${index}`, error);
  }
  return {
    action: 'loaded',
    reason: decision.reason,
    fingerprint: identity.fingerprint,
    records: result.indexed,
    elapsedMs: performance.now() - started,
  };
}
