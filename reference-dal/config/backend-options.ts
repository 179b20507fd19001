// A backend's `StorageConfig.options`, parsed once at the edge with the backend's own schema: a bad
// option fails with a ValidationError naming `options.<field>`.
import type { z } from 'zod';
import { ValidationError } from '../errors.ts';
import type { StorageConfig } from './storage-config.ts';

export function parseBackendOptions<S extends z.ZodType>(
  schema: S,
  config: StorageConfig,
  field = 'options',
): Readonly<z.output<S>> {
  const parsed = schema.safeParse(config.options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      [field, ...(issue?.path ?? []).map(String)].join('.'),
      issue?.message ?? 'invalid',
      {
        cause: parsed.error,
      },
    );
  }
  return Object.freeze(parsed.data);
}
