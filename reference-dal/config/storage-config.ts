import { z } from 'zod';
import { ValidationError } from '../errors.ts';

// ADR-024's StorageType, plus which concrete backend serves it.
export const STORAGE_TYPES = ['transactional', 'timeseries', 'document', 'object', 'cache'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

export const BACKENDS = ['postgres', 'timescaledb', 'elasticsearch', 's3', 'redis'] as const;
export type Backend = (typeof BACKENDS)[number];

/** Which backends may serve which storage type. */
export const BACKENDS_FOR_TYPE: Readonly<Record<StorageType, readonly Backend[]>> = {
  transactional: ['postgres'],
  timeseries: ['postgres', 'timescaledb'],
  document: ['elasticsearch', 'postgres'],
  object: ['s3', 'postgres'],
  cache: ['redis'],
};

const positiveInt = z.number().int().positive();

const storageConfigSchema = z
  .object({
    type: z.enum(STORAGE_TYPES),
    backend: z.enum(BACKENDS),
    /** postgres://, redis://, http(s):// (Elasticsearch, S3 endpoint). */
    url: z
      .string()
      .min(1)
      .refine((value) => URL.canParse(value), 'must be an absolute URL'),
    poolSize: positiveInt.max(1000).default(10),
    /** Per-operation timeout. */
    timeoutMs: positiveInt.max(600_000).default(30_000),
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
    if (!BACKENDS_FOR_TYPE[config.type].includes(config.backend)) {
      ctx.addIssue({
        code: 'custom',
        path: ['backend'],
        message: `backend "${config.backend}" cannot serve storage type "${config.type}" (allowed: ${BACKENDS_FOR_TYPE[config.type].join(', ')})`,
      });
    }
  });

export type StorageConfigInput = z.input<typeof storageConfigSchema>;
export type StorageConfig = Readonly<z.output<typeof storageConfigSchema>>;

/**
 * Validate storage configs at the edge. Throws a ValidationError naming the config (by index and
 * type) and the field. Returns frozen copies; the caller's objects are never mutated.
 */
export function parseStorageConfigs(input: unknown, source = 'storage config'): readonly StorageConfig[] {
  const list = z.array(z.unknown()).safeParse(input);
  if (!list.success) throw new ValidationError(source, 'expected an array of storage configs');
  const seen = new Set<StorageType>();
  return Object.freeze(
    list.data.map((raw, index) => {
      const parsed = storageConfigSchema.safeParse(raw);
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
