// Elasticsearch document-backend options, read once from StorageConfig.options.
import { z } from 'zod';
import type { StorageConfig } from '../../config/storage-config.ts';
import { ValidationError } from '../../errors.ts';

const schema = z
  .object({
    /** Collections map to indices named `${indexPrefix}${collection}`. */
    indexPrefix: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,100}$/, 'lowercase letters, digits, "_" or "-"')
      .default('dalbench-'),
    /** When an acknowledged write becomes searchable: `false` (next refresh), `wait_for`, or `true` (now). */
    refresh: z.enum(['false', 'wait_for', 'true']).default('false'),
  })
  .strict();

export type ElasticsearchOptions = Readonly<z.output<typeof schema>>;

export function readElasticsearchOptions(config: StorageConfig): ElasticsearchOptions {
  const parsed = schema.safeParse(config.options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      ['options', ...(issue?.path ?? []).map(String)].join('.'),
      issue?.message ?? 'invalid',
      { cause: parsed.error },
    );
  }
  return Object.freeze(parsed.data);
}
