// The timescaledb time-series backend's options, parsed at the edge: `compression` ("settled": every
// chunk but the newest compressed after a load; "off") and `rollup` ("none"; "hourly": the hourly
// continuous aggregate). Unknown options are refused, so a misspelt one cannot pass silently.
import { z } from 'zod';
import { parseBackendOptions } from '../../config/backend-options.ts';
import type { StorageConfig } from '../../config/storage-config.ts';

export const COMPRESSION_MODES = ['settled', 'off'] as const;
export type CompressionMode = (typeof COMPRESSION_MODES)[number];
export const ROLLUP_MODES = ['none', 'hourly'] as const;
export type RollupMode = (typeof ROLLUP_MODES)[number];

const timescaleOptionsSchema = z
  .object({
    compression: z.enum(COMPRESSION_MODES).default('settled'),
    rollup: z.enum(ROLLUP_MODES).default('none'),
  })
  .strict();

export type TimescaleBackendOptions = z.output<typeof timescaleOptionsSchema>;

export function timescaleOptions(config: StorageConfig): TimescaleBackendOptions {
  return parseBackendOptions(timescaleOptionsSchema, config);
}
