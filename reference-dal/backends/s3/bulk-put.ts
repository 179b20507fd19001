// Bulk loading of objects into S3: bounded parallel puts through the S3ObjectRepository (so each
// object carries the SHA-256 metadata its reads verify, and large ones go multipart), under a key
// prefix. A dataset's marker object is written last; loading first deletes the marker, then
// everything under the prefix, so an interrupted load is never mistaken for a complete one.
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { StoreError, ValidationError } from '../../errors.ts';
import { validateObjectPrefix } from '../../ports/object-keys.ts';
import type { S3ObjectRepository } from './object-repository.ts';
import {
  decideReuseCounted,
  type DatasetIdentity,
  type DatasetLoadResult,
  reusedDataset,
  type ReuseDecision,
  type StoredDatasetMarker,
} from '../../ports/dataset.ts';
import { silentProgress, type Progress } from '../../ports/load-progress.ts';

export const DATASET_MARKER_KEY = '_dalbench-dataset.json';

export interface PutItem {
  /** Relative to the prefix. */
  readonly key: string;
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Called once, just before the put, so only `concurrency` objects are in memory at a time. */
  bytes(): Uint8Array;
}

export interface BulkPutOptions {
  /** Prepended to every key; empty or ending in "/". */
  readonly prefix?: string;
  /** Puts in flight at once (default 8). */
  readonly concurrency?: number;
  readonly progress?: Progress;
}

export interface BulkPutResult {
  readonly objects: number;
  readonly bytes: number;
}

function checkPrefix(prefix: string): void {
  validateObjectPrefix(prefix);
  if (prefix !== '' && !prefix.endsWith('/'))
    throw new ValidationError('prefix', 'must be empty or end with "/"');
}

/** Put every item with at most `concurrency` puts in flight; the first failure stops the rest. */
export async function bulkPutObjects(
  repository: S3ObjectRepository,
  items: Iterable<PutItem> | AsyncIterable<PutItem>,
  options: BulkPutOptions = {},
): Promise<BulkPutResult> {
  const prefix = options.prefix ?? '';
  checkPrefix(prefix);
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ValidationError('concurrency', 'must be a positive integer');
  const progress = options.progress ?? silentProgress();
  let objects = 0;
  let bytes = 0;
  let failure: unknown;
  const inFlight = new Set<Promise<void>>();
  try {
    await sendAll();
  } finally {
    // Also when the source throws: no put may land after this returns (a caller clears the prefix next).
    await Promise.allSettled(inFlight);
  }
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
  return { objects, bytes };

  async function sendAll(): Promise<void> {
    for await (const item of items) {
      if (failure !== undefined) break;
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (failure !== undefined) break;
      const put = (async () => {
        try {
          const body = item.bytes();
          await repository.put(`${prefix}${item.key}`, body, {
            contentType: item.contentType,
            metadata: item.metadata ? { ...item.metadata } : undefined,
          });
          objects += 1;
          bytes += body.byteLength;
          progress.add(1);
        } catch (error) {
          failure ??= error;
        }
      })();
      inFlight.add(put);
      void put.finally(() => inFlight.delete(put));
    }
  }
}

/** Every key under `prefix` (ListObjectsV2 pages; no HEADs). */
export async function listKeys(repository: S3ObjectRepository, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await repository.client.send(
      new ListObjectsV2Command({
        Bucket: repository.bucket,
        Prefix: prefix === '' ? undefined : prefix,
        ContinuationToken: token,
      }),
    );
    for (const entry of page.Contents ?? []) if (entry.Key !== undefined) keys.push(entry.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Delete every object under `prefix` (the marker first), `concurrency` at a time. */
export async function clearPrefix(
  repository: S3ObjectRepository,
  prefix: string,
  concurrency = 8,
): Promise<number> {
  checkPrefix(prefix);
  const del = (key: string) =>
    repository.client.send(new DeleteObjectCommand({ Bucket: repository.bucket, Key: key }));
  await del(`${prefix}${DATASET_MARKER_KEY}`);
  const keys = await listKeys(repository, prefix);
  for (let i = 0; i < keys.length; i += concurrency)
    await Promise.all(keys.slice(i, i + concurrency).map(del));
  return keys.length;
}

export interface ObjectDatasetMarker extends StoredDatasetMarker {
  readonly records: number;
}

export async function readObjectDatasetMarker(
  repository: S3ObjectRepository,
  prefix: string,
): Promise<ObjectDatasetMarker | undefined> {
  const found = await repository.get(`${prefix}${DATASET_MARKER_KEY}`);
  if (!found) return undefined;
  try {
    const marker = JSON.parse(Buffer.from(found.body).toString('utf8')) as Partial<ObjectDatasetMarker>;
    if (typeof marker.fingerprint !== 'string') return undefined;
    return {
      fingerprint: marker.fingerprint,
      complete: marker.complete === true,
      records: Number(marker.records ?? -1),
    };
  } catch {
    return undefined; // not ours or damaged: reload
  }
}

export async function checkObjectDataset(
  repository: S3ObjectRepository,
  prefix: string,
  wanted: DatasetIdentity,
): Promise<ReuseDecision> {
  checkPrefix(prefix);
  const marker = await readObjectDatasetMarker(repository, prefix);
  const count = async () =>
    (await listKeys(repository, prefix)).filter((k) => k !== `${prefix}${DATASET_MARKER_KEY}`).length;
  return decideReuseCounted(wanted, marker, count, { container: 'prefix', records: 'objects' });
}

export interface ObjectDatasetSource {
  readonly total?: number;
  objects(): Iterable<PutItem> | AsyncIterable<PutItem>;
}

/** Load a dataset under `prefix` unless the identical one is there; the marker object is written last. */
export async function loadObjectDataset(
  repository: S3ObjectRepository,
  prefix: string,
  identity: DatasetIdentity,
  source: ObjectDatasetSource,
  options: Omit<BulkPutOptions, 'prefix'> & { force?: boolean } = {},
): Promise<DatasetLoadResult> {
  const started = performance.now();
  checkPrefix(prefix);
  const decision = options.force
    ? ({ action: 'reload', reason: 'forced' } as const)
    : await checkObjectDataset(repository, prefix, identity);
  if (decision.action === 'reuse') return reusedDataset(decision.reason, identity, started);
  try {
    await clearPrefix(repository, prefix);
  } catch (error) {
    throw new StoreError('s3', `clear ${prefix} before loading: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const result = await bulkPutObjects(repository, source.objects(), { ...options, prefix });
  const marker = {
    fingerprint: identity.fingerprint,
    complete: true,
    records: result.objects,
    scale: identity.scale,
    seed: identity.seed,
  };
  await repository.put(`${prefix}${DATASET_MARKER_KEY}`, Buffer.from(JSON.stringify(marker)), {
    contentType: 'application/json',
  });
  return {
    action: 'loaded',
    reason: decision.reason,
    fingerprint: identity.fingerprint,
    records: result.objects,
    elapsedMs: performance.now() - started,
  };
}
