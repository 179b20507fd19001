// Bulk loading of metric points with COPY FROM STDIN (pg-copy-streams) into the same table the
// time-series repositories read: the partitioned `dal_metrics` (weekly partitions created for the
// loaded range first), the plain `dal_metrics_plain`, or the TimescaleDB hypertable (its target is
// TIMESCALE_METRICS_TARGET in backends/timescaledb: backends never import each other). Optionally the
// primary key is dropped for the load and rebuilt once afterwards (one sort instead of 15 M btree
// inserts). A dataset load is one transaction: TRUNCATE, COPY, marker row. A failed or interrupted
// load rolls back entirely, so a marker row always describes complete data.
import type pg from 'pg';
import { StoreError, ValidationError } from '../../errors.ts';
import type { MetricPoint } from '../../ports/time-series.ts';
import { POSTGRES_METRIC_TABLE, TIME_SERIES_NAMESPACE } from './time-series-migrations.ts';
import { PARTITION_MS, PartitionManager, partitionStart } from './time-series-partitions.ts';
import { queryableOf } from '../../sql/queryable.ts';
import type { MetricCopyTarget } from '../../sql/metric-copy-target.ts';
import { copyMetricPoints, type CopyOptions } from '../../sql/metric-copy.ts';
import {
  decideReuse,
  decideReuseCounted,
  type DatasetIdentity,
  type DatasetLoadResult,
  reusedDataset,
  type ReuseDecision,
  type StoredDatasetMarker,
} from '../../ports/dataset.ts';

export const POSTGRES_METRICS_TARGET: MetricCopyTarget = {
  table: POSTGRES_METRIC_TABLE.table,
  partitioning: 'weekly',
  schemaVersion: `${TIME_SERIES_NAMESPACE}@1`,
};

export const DATASETS_TABLE = 'dalbench_datasets';
/** Create the weekly partitions covering [startMs, endMs) (idempotent). */
export async function ensureMetricPartitions(
  db: pg.Pool | pg.PoolClient | pg.Client,
  target: MetricCopyTarget,
  startMs: number,
  endMs: number,
): Promise<number> {
  if (target.partitioning !== 'weekly') return 0;
  const starts: number[] = [];
  for (let t = partitionStart(startMs); t < endMs; t += PARTITION_MS) starts.push(t);
  return new PartitionManager(queryableOf(db), target.table).ensure(starts);
}

async function ensureDatasetsTable(db: pg.Pool | pg.PoolClient): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS ${DATASETS_TABLE} (
    target text PRIMARY KEY,
    fingerprint text NOT NULL,
    identity jsonb NOT NULL,
    records bigint NOT NULL,
    complete boolean NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now())`);
}

export interface MetricDatasetMarker extends StoredDatasetMarker {
  readonly records: number;
}

/** The marker row of `target`, or undefined when none (or no markers table yet). */
export async function readMetricDatasetMarker(
  db: pg.Pool | pg.PoolClient,
  target: MetricCopyTarget,
): Promise<MetricDatasetMarker | undefined> {
  const exists = await db.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [DATASETS_TABLE]);
  if (!exists.rows[0]?.t) return undefined;
  const result = await db.query<{ fingerprint: string; complete: boolean; records: string }>(
    `SELECT fingerprint, complete, records FROM ${DATASETS_TABLE} WHERE target = $1`,
    [target.table],
  );
  const row = result.rows[0];
  return row
    ? { fingerprint: row.fingerprint, complete: row.complete, records: Number(row.records) }
    : undefined;
}

/** Whether the table holds exactly the wanted dataset: marker equal and complete, row count as recorded. */
export async function checkMetricDataset(
  db: pg.Pool | pg.PoolClient,
  target: MetricCopyTarget,
  wanted: DatasetIdentity,
  options: { verifyCount?: boolean } = {},
): Promise<ReuseDecision> {
  const marker = await readMetricDatasetMarker(db, target);
  if (options.verifyCount === false) return decideReuse(wanted, marker);
  const count = async () => {
    const result = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${target.table}`);
    return Number(result.rows[0]?.n ?? 0);
  };
  return decideReuseCounted(wanted, marker, count, { container: 'table', records: 'rows' });
}

export interface MetricDatasetSource {
  readonly total?: number;
  readonly startMs: number;
  readonly endMs: number;
  points(): Iterable<MetricPoint> | AsyncIterable<MetricPoint>;
}

export interface LoadMetricDatasetOptions extends CopyOptions {
  /** Drop the primary key for the COPY and rebuild it afterwards (not for hypertables). Default true. */
  readonly rebuildPrimaryKey?: boolean;
  /** Count rows before reusing (catches writes since the load). Default true. */
  readonly verifyCount?: boolean;
  /** Reload even when the stored dataset matches. */
  readonly force?: boolean;
}

/**
 * Load a dataset unless the identical one is already there. One transaction: clear the table and
 * its marker, create partitions, COPY, rebuild the key, write the marker; any failure rolls it all
 * back (the previous dataset and its marker stay as they were).
 */
export async function loadMetricDataset(
  pool: pg.Pool,
  target: MetricCopyTarget,
  identity: DatasetIdentity,
  source: MetricDatasetSource,
  options: LoadMetricDatasetOptions = {},
): Promise<DatasetLoadResult> {
  const started = performance.now();
  await ensureDatasetsTable(pool);
  const decision = options.force
    ? { action: 'reload' as const, reason: 'forced' }
    : await checkMetricDataset(pool, target, identity, { verifyCount: options.verifyCount });
  if (decision.action === 'reuse') return reusedDataset(decision.reason, identity, started);
  const client = await pool.connect();
  let rows = 0;
  try {
    await client.query('BEGIN');
    await client.query(`DELETE FROM ${DATASETS_TABLE} WHERE target = $1`, [target.table]);
    await client.query(`TRUNCATE ${target.table}`);
    await ensureMetricPartitions(client, target, source.startMs, source.endMs);
    const rebuild = (options.rebuildPrimaryKey ?? true) && target.partitioning !== 'hypertable';
    const key = rebuild ? await primaryKeyOf(client, target.table) : undefined;
    if (key) await client.query(`ALTER TABLE ${target.table} DROP CONSTRAINT ${quoteIdent(key.name)}`);
    rows = await copyMetricPoints(client, target, source.points(), options);
    if (key)
      await client.query(
        `ALTER TABLE ${target.table} ADD CONSTRAINT ${quoteIdent(key.name)} ${key.definition}`,
      );
    await client.query(
      `INSERT INTO ${DATASETS_TABLE} (target, fingerprint, identity, records, complete) VALUES ($1, $2, $3, $4, true)`,
      [target.table, identity.fingerprint, JSON.stringify(identity), rows],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
    throw error instanceof StoreError || error instanceof ValidationError
      ? error
      : new StoreError('postgres', `load dataset into ${target.table}: ${(error as Error).message}`, {
          url: options.url,
          cause: error,
        });
  }
  client.release();
  return {
    action: 'loaded',
    reason: decision.reason,
    fingerprint: identity.fingerprint,
    records: rows,
    elapsedMs: performance.now() - started,
  };
}

async function primaryKeyOf(
  db: pg.PoolClient,
  table: string,
): Promise<{ name: string; definition: string } | undefined> {
  const result = await db.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conrelid = $1::regclass AND contype = 'p'`,
    [table],
  );
  return result.rows[0];
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
