// Elasticsearch document-backend options, read once from StorageConfig.options.
import { z } from 'zod';
import { parseBackendOptions } from '../../config/backend-options.ts';
import type { StorageConfig } from '../../config/storage-config.ts';

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
  return parseBackendOptions(schema, config);
}
