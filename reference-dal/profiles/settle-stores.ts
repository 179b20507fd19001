// What a system under test does to its stores between the load and the measure phase, and what it
// then reports about them: TimescaleDB's hourly rollup refreshed (profile option rollup: "hourly") and
// its hypertable compressed as a compression policy would have (unless the profile turned it off),
// then VACUUM (ANALYZE) of every profile database.
import type pg from 'pg';
import {
  compressionStats,
  compressSettledChunks,
  describeCompression,
  type CompressionStats,
} from '../backends/timescaledb/compression.ts';
import { refreshHourlyRollup } from '../backends/timescaledb/hourly-rollup.ts';
import { timescaleOptions, type CompressionMode, type RollupMode } from '../backends/timescaledb/options.ts';
import type { StorageConfig } from '../config/storage-config.ts';
import { admin, vacuumAnalyze, type DatabaseStore } from './profile-databases.ts';

export interface TimescaleSettling {
  readonly url: string;
  readonly compression: CompressionMode;
  readonly rollup: RollupMode;
}

/** Derived metrics and lines a result carries about the stores it was measured on. */
export interface StorageFacts {
  readonly metrics: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
}

/** Nothing to say: no TimescaleDB, or a scenario without data. */
export const NO_FACTS: StorageFacts = Object.freeze({ metrics: Object.freeze({}), notes: Object.freeze([]) });

/** The TimescaleDB time-series store among `configs`, with its validated compression option. */
export function timescaleSettling(configs: readonly StorageConfig[]): TimescaleSettling | undefined {
  const config = configs.find((c) => c.type === 'timeseries' && c.backend === 'timescaledb');
  return config && { url: config.url, ...timescaleOptions(config) };
}

export async function settleStores(
  databases: Readonly<Partial<Record<DatabaseStore, string>>>,
  timescale: TimescaleSettling | undefined,
): Promise<void> {
  // The rollup reads the raw rows, cheaper before they are compressed; VACUUM (ANALYZE) comes last
  // so it covers the compressed chunks' and the rollup's tables too.
  if (timescale?.rollup === 'hourly') {
    await admin('timescaledb', timescale.url, 'refresh the hourly rollup', (client) =>
      refreshHourlyRollup(client),
    );
  }
  if (timescale?.compression === 'settled') {
    await admin('timescaledb', timescale.url, 'compress the settled chunks', (client) =>
      compressSettledChunks(client),
    );
  }
  for (const [store, url] of Object.entries(databases) as [DatabaseStore, string][]) {
    await vacuumAnalyze(store, url);
  }
}

export async function storageFacts(timescale: TimescaleSettling | undefined): Promise<StorageFacts> {
  if (!timescale) return NO_FACTS;
  let stats: CompressionStats | undefined;
  await admin('timescaledb', timescale.url, 'read the compression stats', async (client: pg.Client) => {
    stats = await compressionStats(client);
  });
  if (!stats) return NO_FACTS;
  const rollup =
    timescale.rollup === 'hourly'
      ? [
          'TimescaleDB hourly continuous aggregate (real-time), refreshed after the load: bucketed queries of whole hours read it, not the raw points',
        ]
      : [];
  return {
    metrics: {
      timeseriesChunks: stats.chunks,
      timeseriesCompressedChunks: stats.compressedChunks,
      ...(stats.afterBytes > 0 ? { timeseriesCompressionRatio: stats.beforeBytes / stats.afterBytes } : {}),
    },
    notes: [
      timescale.compression === 'off'
        ? `TimescaleDB compression off (profile option compression: "off"): ${stats.chunks} uncompressed chunk(s)`
        : describeCompression(stats),
      ...rollup,
    ],
  };
}
