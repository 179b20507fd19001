// TimescaleDB's native compression of a loaded metrics hypertable, as a deployment with a
// compression policy runs it: every chunk but the newest (the one still written) is compressed,
// segmented by series so a one-series read decompresses only that series' segments, ordered by time
// descending as the dashboard reads it. The ratio is what the store reports for those chunks.
import type pg from 'pg';
import { TIMESCALE_METRIC_TABLE } from './time-series-migrations.ts';

export interface CompressionStats {
  readonly chunks: number;
  readonly compressedChunks: number;
  /** Of the compressed chunks only: their size before and after (table, indexes, TOAST). */
  readonly beforeBytes: number;
  readonly afterBytes: number;
}

/**
 * Compress every chunk of the metrics hypertable but the newest that is not compressed yet
 * (idempotent); nothing when the database holds no such hypertable. compressionStats reads the result.
 */
export async function compressSettledChunks(
  client: pg.ClientBase,
  table: string = TIMESCALE_METRIC_TABLE.table,
): Promise<void> {
  const hypertable = await client.query<{ compression_enabled: boolean }>(
    `SELECT compression_enabled FROM timescaledb_information.hypertables WHERE hypertable_name = $1`,
    [table],
  );
  const row = hypertable.rows[0];
  if (!row) return;
  if (!row.compression_enabled) {
    await client.query(
      `ALTER TABLE ${table} SET (timescaledb.compress, timescaledb.compress_segmentby = 'metric_name', timescaledb.compress_orderby = 'ts DESC')`,
    );
  }
  const chunks = await client.query<{ chunk: string; is_compressed: boolean }>(
    `SELECT format('%I.%I', chunk_schema, chunk_name) AS chunk, is_compressed
       FROM timescaledb_information.chunks WHERE hypertable_name = $1 ORDER BY range_end`,
    [table],
  );
  for (const chunk of chunks.rows.slice(0, -1)) {
    if (!chunk.is_compressed) await client.query('SELECT compress_chunk($1::regclass)', [chunk.chunk]);
  }
}

/** What the hypertable's chunks hold now (after a load, or a reused dataset compressed earlier). */
export async function compressionStats(
  client: pg.ClientBase,
  table: string = TIMESCALE_METRIC_TABLE.table,
): Promise<CompressionStats | undefined> {
  const present = await client.query(
    `SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = $1`,
    [table],
  );
  if (present.rows.length === 0) return undefined;
  const stats = await client.query<{
    chunks: string;
    compressed: string;
    before: string | null;
    after: string | null;
  }>(
    `SELECT count(*) AS chunks,
            count(*) FILTER (WHERE compression_status = 'Compressed') AS compressed,
            sum(before_compression_total_bytes) FILTER (WHERE compression_status = 'Compressed') AS before,
            sum(after_compression_total_bytes) FILTER (WHERE compression_status = 'Compressed') AS after
       FROM chunk_compression_stats($1::regclass)`,
    [table],
  );
  const s = stats.rows[0];
  return {
    chunks: Number(s?.chunks ?? 0),
    compressedChunks: Number(s?.compressed ?? 0),
    beforeBytes: Number(s?.before ?? 0),
    afterBytes: Number(s?.after ?? 0),
  };
}

/** The line a result carries, e.g. "… 2 of 3 chunks … 1.2 GiB → 98 MiB (×12.5)". */
export function describeCompression(stats: CompressionStats): string {
  if (stats.compressedChunks === 0) {
    return `TimescaleDB compression: none of ${stats.chunks} chunk(s) compressed (the newest, still written, never is)`;
  }
  return (
    `TimescaleDB compression: ${stats.compressedChunks} of ${stats.chunks} chunks compressed before measuring ` +
    `(all but the newest; segmentby metric_name, orderby ts DESC): ${mib(stats.beforeBytes)} → ${mib(stats.afterBytes)} ` +
    `(×${(stats.beforeBytes / stats.afterBytes).toFixed(1)})`
  );
}

function mib(bytes: number): string {
  return bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(2)} GiB`
    : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
