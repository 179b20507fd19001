// Edge validation of the ADR's metadata entities (zod): an error names the entity kind and field,
// e.g. `detector.status`. Filters (`where`) are checked against the same fields.
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import type { EntityDataByKind, EntityKind } from '../ports/transactional.ts';

const name = z.string().min(1).max(200);
const id = z.string().min(1).max(200);
const numbers = z.record(z.string(), z.number());

export const ENTITY_SCHEMAS = {
  detector: z
    .object({
      name,
      algorithm: z.string().min(1).max(200),
      parameters: z.record(z.string(), z.unknown()),
      status: z.enum(['active', 'inactive']),
    })
    .strict(),
  experiment: z
    .object({
      name,
      description: z.string().max(10_000),
      detectorId: id.nullable(),
      status: z.enum(['running', 'completed', 'failed']),
      tags: z.array(z.string().max(200)).max(1000),
      metrics: numbers,
    })
    .strict(),
  model: z
    .object({
      name,
      detectorId: id.nullable(),
      experimentId: id.nullable(),
      artifactKey: z.string().min(1).max(1024).nullable(),
      metrics: numbers,
    })
    .strict(),
} as const;

function fail(field: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const path = [field, ...(issue?.path ?? []).map(String)].join('.');
  throw new ValidationError(path, issue?.message ?? 'invalid', { cause: error });
}

/**
 * jsonb cannot hold U+0000: reject it here rather than as a driver error mid-write. In JSON text a
 * real NUL is `\u0000` after an even run of backslashes (`\\u0000` is the six characters as text).
 */
const JSON_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/;

// JSON.stringify writes a lone surrogate as a \udXXX escape (never a valid pair), which jsonb refuses.
const JSON_LONE_SURROGATE = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;

export function assertJsonStorable(field: string, json: string): void {
  if (JSON_NUL.test(json)) throw new ValidationError(field, 'strings may not contain NUL (U+0000)');
  if (JSON_LONE_SURROGATE.test(json))
    throw new ValidationError(field, 'strings may not contain a lone surrogate (not valid UTF-8)');
}

/** Validated entity data plus its JSON text, ready to bind as a jsonb parameter. */
export function parseEntityData<K extends EntityKind>(
  kind: K,
  data: unknown,
): { data: EntityDataByKind[K]; json: string } {
  const parsed = ENTITY_SCHEMAS[kind].safeParse(data);
  if (!parsed.success) fail(kind, parsed.error);
  const json = JSON.stringify(parsed.data);
  assertJsonStorable(kind, json);
  return { data: parsed.data as EntityDataByKind[K], json };
}

/** A `where` filter: a partial of the entity's fields; unknown fields are rejected by name. */
export function parseWhere(kind: EntityKind, where: unknown): string | undefined {
  if (where === undefined) return undefined;
  const parsed = ENTITY_SCHEMAS[kind].partial().strict().safeParse(where);
  if (!parsed.success) fail(`where(${kind})`, parsed.error);
  const json = JSON.stringify(parsed.data);
  assertJsonStorable(`where(${kind})`, json);
  return json === '{}' ? undefined : json;
}

/** Hand-written (not zod): it sits on the point-read hot path the benchmark compares with raw pg. */
export function parseEntityId(value: unknown, field = 'id'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw new ValidationError(field, 'expected a string of 1 to 200 characters');
  }
  // PostgreSQL text holds neither (U+0000 is an error, a lone surrogate comes back as U+FFFD).
  if (value.includes('\u0000') || /\p{Cs}/u.test(value)) {
    throw new ValidationError(field, 'may not contain NUL (U+0000) or a lone surrogate');
  }
  return value;
}
