// S3 object-backend options, read once from StorageConfig.options.
import { z } from 'zod';
import { parseBackendOptions } from '../../config/backend-options.ts';
import type { StorageConfig } from '../../config/storage-config.ts';

const MIB = 1024 * 1024;

const schema = z
  .object({
    // S3 bucket naming rules (lowercase, 3-63, no leading/trailing dot or dash).
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'is not a valid S3 bucket name'),
    /** Objects at or above this size are uploaded multipart (S3's minimum part size is 5 MiB). */
    multipartThresholdBytes: z
      .number()
      .int()
      .min(5 * MIB)
      .max(5 * 1024 * MIB)
      .default(8 * MIB),
    partSizeBytes: z
      .number()
      .int()
      .min(5 * MIB)
      .max(5 * 1024 * MIB)
      .default(8 * MIB),
    /** Parallel part uploads of one object. */
    queueSize: z.number().int().min(1).max(16).default(4),
    /** Create the bucket when it is missing. */
    createBucket: z.boolean().default(true),
  })
  .strict();

export type S3Options = Readonly<z.output<typeof schema>>;

export function readS3Options(config: StorageConfig): S3Options {
  return parseBackendOptions(schema, config);
}
