import { z } from 'zod';
import { ValidationError } from '../errors.ts';

// ADR-024's StorageType, plus which concrete backend serves it.
export const STORAGE_TYPES = ['transactional', 'timeseries', 'document', 'object', 'cache'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

/** The built-in backends. A caller's factory table may add its own names (OwnBackendNames). */
export const BACKENDS = ['postgres', 'timescaledb', 'elasticsearch', 's3', 'redis'] as const;
export type Backend = (typeof BACKENDS)[number];

/**
 * Backend names a caller's factory table provides, per storage type, beyond the built-ins (a
 * profile's own `backends`, or the table handed to DataAccessLayer.initialize). Only these and
 * BACKENDS_FOR_TYPE are accepted: a misspelt name fails here, at the edge, naming it.
 */
export type OwnBackendNames = Readonly<Partial<Record<StorageType, readonly string[]>>>;

/** Which backends may serve which storage type. */
export const BACKENDS_FOR_TYPE: Readonly<Record<StorageType, readonly Backend[]>> = {
  transactional: ['postgres'],
  timeseries: ['postgres', 'timescaledb'],
  document: ['elasticsearch', 'postgres'],
  object: ['s3', 'postgres'],
  cache: ['redis'],
};

const positiveInt = z.number().int().positive();

const storageConfigSchema = (own: OwnBackendNames) =>
  z
    .object({
      type: z.enum(STORAGE_TYPES),
      /** A built-in backend (BACKENDS_FOR_TYPE) or one the caller's factory table provides. */
      backend: z.string(),
      /** postgres://, redis(s)://, http(s):// (Elasticsearch, S3 endpoint); TLS parameters: config/tls.ts. */
      url: z
        .string()
        .min(1)
        .refine((value) => URL.canParse(value), 'must be an absolute URL'),
      poolSize: positiveInt.max(1000).default(10),
      /** Per-operation timeout. */
      timeoutMs: positiveInt.max(600_000).default(30_000),
      /**
       * PostgreSQL pools: how long a connection may sit idle before the pool closes it (0 = never).
       * A new connection is a new server process that starts cold (measured: ≈ 2× the server CPU
       * of a warm one on a 4 KiB bytea upsert), so a caller with bursty traffic may want it longer.
       */
      idleTimeoutMs: z.number().int().min(0).max(86_400_000).default(30_000),
      /** Bounded retries of transient failures (0 = no retry). */
      retryAttempts: z.number().int().min(0).max(20).default(3),
      /**
       * Fail fast while a store is down: open after N consecutive store failures, retry after the
       * cooldown. `false` disables it. Not applied to the transactional store (the system of record).
       */
      circuitBreaker: z
        .union([
          z.literal(false),
          z
            .object({
              failureThreshold: positiveInt.max(1000).default(5),
              cooldownMs: positiveInt.max(600_000).default(1_000),
            })
            .strict(),
        ])
        .default({ failureThreshold: 5, cooldownMs: 1_000 }),
      /** Backend-specific settings (bucket, index prefix, credentials, refresh policy, ...). */
      options: z.record(z.string(), z.unknown()).default({}),
    })
    .strict()
    .superRefine((config, ctx) => {
      const builtIn: readonly string[] = BACKENDS_FOR_TYPE[config.type];
      if (builtIn.includes(config.backend) || own[config.type]?.includes(config.backend)) return;
      const allowed = [...builtIn, ...(own[config.type] ?? [])].join(', ');
      ctx.addIssue({
        code: 'custom',
        path: ['backend'],
        message: (BACKENDS as readonly string[]).includes(config.backend)
          ? `backend "${config.backend}" cannot serve storage type "${config.type}" (allowed: ${allowed})`
          : `no backend factory for storage type "${config.type}" with backend "${config.backend}" (known: ${allowed}); an own backend needs its factory in the profile's storage(env).backends table`,
      });
    });

const builtInOnly = storageConfigSchema({});

export type StorageConfigInput = z.input<typeof builtInOnly>;
export type StorageConfig = Readonly<z.output<typeof builtInOnly>>;

/**
 * Validate storage configs at the edge. Throws a ValidationError naming the config (by index and
 * type) and the field. Returns frozen copies; the caller's objects are never mutated. A backend is
 * accepted when it is built in for the storage type or named in `own`.
 */
export function parseStorageConfigs(
  input: unknown,
  source = 'storage config',
  own: OwnBackendNames = {},
): readonly StorageConfig[] {
  const list = z.array(z.unknown()).safeParse(input);
  if (!list.success) throw new ValidationError(source, 'expected an array of storage configs');
  const schema = Object.keys(own).length === 0 ? builtInOnly : storageConfigSchema(own);
  const seen = new Set<StorageType>();
  return Object.freeze(
    list.data.map((raw, index) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = [`${source}[${index}]`, ...(issue?.path ?? []).map(String)].join('.');
        throw new ValidationError(path, issue?.message ?? 'invalid', { cause: parsed.error });
      }
      if (seen.has(parsed.data.type)) {
        throw new ValidationError(
          `${source}[${index}].type`,
          `storage type "${parsed.data.type}" configured twice`,
        );
      }
      seen.add(parsed.data.type);
      return Object.freeze({ ...parsed.data, options: Object.freeze({ ...parsed.data.options }) });
    }),
  );
}
