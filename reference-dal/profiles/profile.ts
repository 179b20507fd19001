// A storage profile: one way of placing ADR-024's data kinds in stores (the ADR's polyglot design,
// or an alternative it rejected). A profile names the stores it needs and, given the endpoints and
// the names reserved for it in this run, says which backend serves each storage type. Validated once
// by defineProfile (zod); a bad profile fails naming the profile and the field.
import { z } from 'zod';
import { STORAGE_TYPES, type StorageConfigInput, type StorageType } from '../config/storage-config.ts';
import type { BackendFactories, StorageServices } from '../dal/services.ts';
import { ValidationError } from '../errors.ts';

/** Physical stores a profile can use (same names as the harness's StoreKind). */
export const PROFILE_STORES = ['postgres', 'timescaledb', 'redis', 'elasticsearch', 's3'] as const;
export type ProfileStore = (typeof PROFILE_STORES)[number];

/** What the run hands a profile: endpoints of the stores that are up, and names reserved for it. */
export interface ProfileEnvironment {
  /** Connection URL per store that is up (the server, not a database of it). */
  readonly endpoints: Readonly<Partial<Record<ProfileStore, string>>>;
  /** URLs of the databases created for this profile (on the postgres / timescaledb servers). */
  readonly databases: Readonly<Partial<Record<'postgres' | 'timescaledb', string>>>;
  /** Unique per profile and run: Redis key prefix, Elasticsearch index prefix, S3 bucket. */
  readonly names: { readonly cachePrefix: string; readonly indexPrefix: string; readonly bucket: string };
}

/** What a profile resolves to for one run. */
export interface ProfileStorage {
  /** One StorageConfig per storage type (validated by the DAL). */
  readonly configs: readonly StorageConfigInput[];
  /** Default TTL of cached entries when the profile has a cache. */
  readonly cacheTtlMs?: number;
  /** How cached copies are kept coherent with the system of record (default: ADR-024's design). */
  readonly consistency?: ConsistencySettings;
  /** How the cache fills (default: ADR-024's design). */
  readonly cache?: CacheSettings;
  /** Anything a report must say (e.g. "TimescaleDB unavailable: time-series on partitioned PostgreSQL"). */
  readonly warnings?: readonly string[];
  /**
   * Decorate the service a backend hands out, per storage type, before the DAL guards it: how a
   * what-if or defect profile changes behaviour (instrumenting, delaying, serialising calls) without
   * a backend of its own.
   */
  readonly wrap?: ServiceWrappers;
  /**
   * The profile's own backends, same shape as the DAL's factory table (storage type → backend name
   * → factory), merged over the built-in table when the profile's DAL is built: a config may then
   * name such a backend (`{ type: 'timeseries', backend: 'brin', url }`). An own factory under a
   * built-in name replaces the built-in one for this profile. Factories are code and stay in this
   * process: a second client (the cache-coherence reader in its worker thread) builds the
   * transactional store and the cache from the built-in table only.
   */
  readonly backends?: BackendFactories;
}

/**
 * The few coherence choices a profile may make differently from the ADR's design. They exist so a
 * test-only defect profile can carry exactly one defect; every built-in profile keeps the defaults.
 */
export interface ConsistencySettings {
  /**
   * When the experiment writer drops the cached copy of what it wrote: `after-commit` (default,
   * correct); `before-commit` (inside the transaction: a reader can cache the old row again
   * before COMMIT makes the new one visible); `none` (cache-aside without invalidation).
   */
  readonly invalidation?: 'after-commit' | 'before-commit' | 'none';
}

export interface CacheSettings {
  /** Refuse a read-through fill that raced a write or invalidation of its key (default true). */
  readonly staleFillGuard?: boolean;
}

/** A profile's coherence settings, validated and with defaults filled. */
export interface ResolvedBehaviour {
  readonly invalidation: 'after-commit' | 'before-commit' | 'none';
  readonly staleFillGuard: boolean;
  readonly cacheTtlMs: number | undefined;
}

const behaviourSchema = z.object({
  cacheTtlMs: z
    .number()
    .int()
    .positive()
    .max(365 * 86_400_000)
    .optional(),
  consistency: z
    .object({ invalidation: z.enum(['after-commit', 'before-commit', 'none']).default('after-commit') })
    .strict()
    .default({ invalidation: 'after-commit' }),
  cache: z
    .object({ staleFillGuard: z.boolean().default(true) })
    .strict()
    .default({ staleFillGuard: true }),
});

/** Validate what `storage(env)` returned about coherence; a bad value names the profile and the field. */
export function resolveBehaviour(profile: string, storage: ProfileStorage): ResolvedBehaviour {
  const parsed = behaviourSchema.safeParse({
    cacheTtlMs: storage.cacheTtlMs,
    consistency: storage.consistency,
    cache: storage.cache,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      `profile "${profile}" storage${issue?.path.length ? `.${issue.path.map(String).join('.')}` : ''}`,
      issue?.message ?? 'invalid coherence settings',
      { cause: parsed.error },
    );
  }
  return Object.freeze({
    invalidation: parsed.data.consistency.invalidation,
    staleFillGuard: parsed.data.cache.staleFillGuard,
    cacheTtlMs: parsed.data.cacheTtlMs,
  });
}

/**
 * Check what `storage(env)` returned as its own backends: storage types known, every entry a
 * function. A bad entry names the profile and the path (`storage.backends.timeseries.brin`).
 */
export function checkOwnBackends(profile: string, storage: ProfileStorage): BackendFactories {
  const own: unknown = storage.backends ?? {};
  const at = (path: string) => `profile "${profile}" storage.backends${path}`;
  if (typeof own !== 'object' || own === null || Array.isArray(own))
    throw new ValidationError(at(''), 'expected an object: storage type → backend name → factory');
  for (const [type, table] of Object.entries(own)) {
    if (!(STORAGE_TYPES as readonly string[]).includes(type))
      throw new ValidationError(at(`.${type}`), `expected a storage type (${STORAGE_TYPES.join(', ')})`);
    if (typeof table !== 'object' || table === null || Array.isArray(table))
      throw new ValidationError(at(`.${type}`), 'expected an object: backend name → factory');
    for (const [name, factory] of Object.entries(table as Record<string, unknown>)) {
      if (typeof factory !== 'function')
        throw new ValidationError(
          at(`.${type}.${name}`),
          'expected a factory function (context) => Promise<StoreHandle>',
        );
    }
  }
  return own;
}

export type ServiceWrappers = {
  readonly [T in StorageType]?: (service: StorageServices[T]) => StorageServices[T];
};

export interface ProfileInput {
  name: string;
  description: string;
  /** Stores that must be up; otherwise every scenario on this profile is skipped with the reason. */
  requires: ProfileStore[];
  /** Stores used when up (their databases are created too), e.g. timescaledb for polyglot. */
  optional?: ProfileStore[];
  storage(env: ProfileEnvironment): ProfileStorage;
}

export interface Profile {
  readonly kind: typeof PROFILE_KIND;
  readonly name: string;
  readonly description: string;
  readonly requires: readonly ProfileStore[];
  readonly optional: readonly ProfileStore[];
  storage(env: ProfileEnvironment): ProfileStorage;
}

const PROFILE_KIND = 'dalbench-profile' as const;

const profileSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, {
      message: 'expected a kebab-case name of at most 31 characters (a-z, 0-9, -), starting with a letter',
    }),
    description: z.string().min(1),
    requires: z.array(z.enum(PROFILE_STORES)).min(1, { message: 'expected at least one store' }),
    optional: z.array(z.enum(PROFILE_STORES)).default([]),
    storage: z.custom<ProfileInput['storage']>((v) => typeof v === 'function', {
      message: 'expected a function storage(env) => { configs, warnings? }',
    }),
  })
  .strict();

export function defineProfile(input: ProfileInput): Profile {
  const parsed = profileSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const label =
      typeof (input as { name?: unknown } | null)?.name === 'string' ? `"${input.name}"` : '(unnamed)';
    throw new ValidationError(
      `profile ${label}${issue?.path.length ? `.${issue.path.map(String).join('.')}` : ''}`,
      issue?.message ?? 'invalid profile',
      { cause: parsed.error },
    );
  }
  return Object.freeze({
    ...parsed.data,
    requires: Object.freeze([...parsed.data.requires]),
    optional: Object.freeze([...parsed.data.optional]),
    kind: PROFILE_KIND,
  });
}

export function isProfile(value: unknown): value is Profile {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === PROFILE_KIND;
}

/** The stores of `profile` that are missing from `up`, with why (for skip reasons). */
export function missingStores(
  profile: Profile,
  up: readonly string[],
  reasons: Readonly<Partial<Record<string, string>>> = {},
): string | undefined {
  const missing = profile.requires.filter((kind) => !up.includes(kind));
  if (missing.length === 0) return undefined;
  return `profile ${profile.name} needs ${missing
    .map((kind) => `${kind} (unavailable${reasons[kind] ? `: ${reasons[kind]}` : ''})`)
    .join(', ')}`;
}
