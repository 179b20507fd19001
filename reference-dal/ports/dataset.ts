// Dataset identity: (data spec, scale, seed, schema version) → a stable fingerprint, the hash of
// a canonical JSON. Loaders record it in the store only once a load has completed; `decideReuse`
// says 'reuse' only when the recorded fingerprint equals the wanted one and the load completed.
import { createHash } from 'node:crypto';

/** Bump when a generator's output for a given (spec, scale, seed) changes: old datasets then reload. */
export const GENERATOR_VERSION = 1;

export type DataKind = 'metrics' | 'documents' | 'objects' | 'cache';

export interface DatasetIdentityInput {
  readonly kind: DataKind;
  /** What the scenario loads (e.g. the scale's section for this kind, plus anything it adds). */
  readonly spec: unknown;
  /** Canonical scale name (`xs`, `s`, `m`, `l`, `s*2.5`). */
  readonly scale: string;
  readonly seed: number;
  /** The store schema the data is loaded into (e.g. `timeseries-postgres@1`). */
  readonly schemaVersion: string;
}

export interface DatasetIdentity extends DatasetIdentityInput {
  /** Hex SHA-256 of the canonical JSON of the identity (and GENERATOR_VERSION). */
  readonly fingerprint: string;
}

/** JSON with object keys sorted at every level; refuses what JSON cannot represent faithfully. */
export function canonicalJson(value: unknown, path = 'spec'): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v, `${path}[${i}]`)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, `${path}.${k}`)}`).join(',')}}`;
  }
  throw new TypeError(`${path}: a ${typeof value} has no JSON form`);
}

export function datasetIdentity(input: DatasetIdentityInput): DatasetIdentity {
  if (!Number.isSafeInteger(input.seed)) throw new TypeError(`seed: expected an integer, got ${input.seed}`);
  const canonical = canonicalJson({
    generator: GENERATOR_VERSION,
    kind: input.kind,
    scale: input.scale,
    schemaVersion: input.schemaVersion,
    seed: input.seed,
    spec: input.spec,
  });
  return { ...input, fingerprint: createHash('sha256').update(canonical).digest('hex') };
}

/** What a store says about the dataset it holds (read from its marker), or undefined when none. */
export interface StoredDatasetMarker {
  readonly fingerprint: string;
  /** True only when the marker was written after the load finished. */
  readonly complete: boolean;
}

export type ReuseDecision =
  | { readonly action: 'reuse'; readonly reason: string }
  | { readonly action: 'reload'; readonly reason: string };

export function decideReuse(wanted: DatasetIdentity, stored: StoredDatasetMarker | undefined): ReuseDecision {
  if (stored === undefined) return { action: 'reload', reason: 'no dataset marker in the store' };
  if (stored.fingerprint !== wanted.fingerprint) {
    return {
      action: 'reload',
      reason: `stored dataset ${stored.fingerprint.slice(0, 12)} differs from wanted ${wanted.fingerprint.slice(0, 12)}`,
    };
  }
  if (!stored.complete) return { action: 'reload', reason: 'the stored load did not complete' };
  return { action: 'reuse', reason: `dataset ${wanted.fingerprint.slice(0, 12)} already loaded` };
}

/**
 * `decideReuse`, then — only for a reuse — whether the store still holds as many records as the
 * marker recorded (something written since the load makes the dataset stale). `what` names them.
 */
export async function decideReuseCounted(
  wanted: DatasetIdentity,
  stored: (StoredDatasetMarker & { readonly records: number }) | undefined,
  count: () => Promise<number>,
  what: { readonly container: string; readonly records: string },
): Promise<ReuseDecision> {
  const decision = decideReuse(wanted, stored);
  if (decision.action !== 'reuse' || !stored) return decision;
  const found = await count();
  return found === stored.records
    ? decision
    : {
        action: 'reload',
        reason: `${what.container} holds ${found} ${what.records}, the dataset ${stored.records}: written since loaded`,
      };
}

/** The outcome every dataset loader returns. */
export interface DatasetLoadResult {
  readonly action: 'reused' | 'loaded';
  readonly reason: string;
  readonly fingerprint: string;
  /** Records written by this call (0 when reused). */
  readonly records: number;
  readonly elapsedMs: number;
}

/** A loader's answer when it kept the stored dataset: nothing written since `startedMs`. */
export function reusedDataset(
  reason: string,
  identity: DatasetIdentity,
  startedMs: number,
): DatasetLoadResult {
  return {
    action: 'reused',
    reason,
    fingerprint: identity.fingerprint,
    records: 0,
    elapsedMs: performance.now() - startedMs,
  };
}
