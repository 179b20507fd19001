// What the migration knows about each data type: how to read the single-postgres source in keyset
// order (SQL on its known tables: the ports have no "list everything in key order" API), how to
// write a batch idempotently into the polyglot target through the DAL, and how to digest one record's
// canonical content on either side for verification.
import type pg from 'pg';
import { METADATA_TABLES } from '../backends/postgres/metadata-migrations.ts';
import { PLAIN_METRIC_TABLE } from '../backends/postgres/time-series-plain.ts';
import type { DataAccessLayer } from '../dal/data-access-layer.ts';
import { IntegrityError } from '../errors.ts';
import type { TransactionalSession } from '../ports/transactional.ts';
import { canonicalJson, sha256Hex } from './digest.ts';
import { MigrationError } from './errors.ts';
import { inParallel } from './in-parallel.ts';

export const DATA_TYPES = ['metadata', 'metrics', 'documents', 'objects'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** The single-postgres source tables (constants of the postgres backends). */
export const SOURCE_TABLES = {
  metrics: PLAIN_METRIC_TABLE.table,
  documents: 'dalbench_documents',
  objects: 'dalbench_objects',
} as const;

export interface SourceBatch<R> {
  readonly rows: readonly R[];
  /** Keyset cursor of the last row (undefined when the batch is empty). */
  readonly cursor: readonly string[] | undefined;
}

/** A record's identity (for messages, sorted like the source) and the hash of its canonical content. */
export interface RecordDigest {
  readonly key: string;
  readonly hash: string;
}

export interface DataTypeSpec<R> {
  readonly name: DataType;
  read(source: pg.Pool, cursor: readonly string[] | undefined, limit: number): Promise<SourceBatch<R>>;
  /** Idempotent write; `commit` records the checkpoint (inside the target transaction when there is one). */
  write(
    target: DataAccessLayer,
    rows: readonly R[],
    commit: (session: TransactionalSession) => Promise<void>,
  ): Promise<void>;
  sourceRecord(row: R): RecordDigest;
  /** Target digests for these source rows, by key; absent = missing; a string starting "!" = unreadable. */
  targetRecords(target: DataAccessLayer, rows: readonly R[]): Promise<Map<string, string>>;
  sourceCount(source: pg.Pool): Promise<number>;
  targetCount(target: DataAccessLayer, source: pg.Pool): Promise<number>;
  /** Every target key in source order, where the port can list them (to name an extra record). */
  targetKeys?(target: DataAccessLayer): Promise<string[]>;
}

const UTC_MICROS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

async function countOf(source: pg.Pool, sql: string): Promise<number> {
  const result = await source.query<{ n: string }>(sql);
  return Number(result.rows[0]?.n ?? 0);
}

// ---------------------------------------------------------------- metadata

type MetadataRow = {
  kind: string;
  id: string;
  version: number;
  created_at: string;
  updated_at: string;
  data: Record<string, unknown>;
};

const METADATA_UNION = Object.entries(METADATA_TABLES)
  .map(
    ([kind, table]) =>
      `SELECT '${kind}'::text COLLATE "C" AS kind, id, version, to_char(created_at AT TIME ZONE 'UTC', ${UTC_MICROS}) AS created_at,
         to_char(updated_at AT TIME ZONE 'UTC', ${UTC_MICROS}) AS updated_at, data FROM ${table}`,
  )
  .join(' UNION ALL ');

function metadataDigest(row: MetadataRow): RecordDigest {
  return {
    key: `${row.kind}/${row.id}`,
    hash: sha256Hex(
      canonicalJson({
        kind: row.kind,
        id: row.id,
        version: row.version,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        data: row.data,
      }),
    ),
  };
}

export const metadataSpec: DataTypeSpec<MetadataRow> = {
  name: 'metadata',
  async read(source, cursor, limit) {
    const result = await source.query<MetadataRow>(
      `SELECT * FROM (${METADATA_UNION}) m
        WHERE $1::text IS NULL OR (kind, id) > ($1::text COLLATE "C", $2::text COLLATE "C")
        ORDER BY kind, id LIMIT $3`,
      [cursor?.[0] ?? null, cursor?.[1] ?? null, limit],
    );
    const last = result.rows.at(-1);
    return { rows: result.rows, cursor: last ? [last.kind, last.id] : undefined };
  },
  async write(target, rows, commit) {
    // Versions and timestamps are copied as they are: the port's create() would restart them.
    await target.session('transactional', async (session) => {
      for (const [kind, table] of Object.entries(METADATA_TABLES)) {
        const ofKind = rows.filter((r) => r.kind === kind);
        if (ofKind.length === 0) continue;
        await session.query(
          `INSERT INTO ${table} (id, version, created_at, updated_at, data)
           SELECT id, version, created_at, updated_at, data FROM jsonb_to_recordset($1::jsonb)
             AS r(id text, version integer, created_at timestamptz, updated_at timestamptz, data jsonb)
           ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, created_at = EXCLUDED.created_at,
             updated_at = EXCLUDED.updated_at, data = EXCLUDED.data`,
          [JSON.stringify(ofKind)],
        );
      }
      await commit(session);
    });
  },
  sourceRecord: metadataDigest,
  async targetRecords(target, rows) {
    const found = new Map<string, string>();
    await target.session('transactional', async (session) => {
      const ids = rows.map((r) => `${r.kind}/${r.id}`);
      const result = await session.query<MetadataRow>(
        `SELECT * FROM (${METADATA_UNION}) m WHERE kind || '/' || id = ANY($1::text[])`,
        [ids],
      );
      for (const row of result.rows) {
        const digest = metadataDigest(row);
        found.set(digest.key, digest.hash);
      }
    });
    return found;
  },
  sourceCount: (source) => countOf(source, `SELECT count(*)::text AS n FROM (${METADATA_UNION}) m`),
  targetCount: (target) =>
    target.session('transactional', async (session) => {
      const result = await session.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM (${METADATA_UNION}) m`,
      );
      return Number(result.rows[0]?.n ?? 0);
    }),
  targetKeys: (target) =>
    target.session('transactional', async (session) => {
      const result = await session.query<{ key: string }>(
        `SELECT kind || '/' || id AS key FROM (${METADATA_UNION}) m ORDER BY kind, id`,
      );
      return result.rows.map((r) => r.key);
    }),
};

// ---------------------------------------------------------------- metrics

type MetricRow = {
  metric_name: string;
  ts: Date;
  ts_text: string;
  value: number;
  tags: Record<string, string>;
};

function metricDigest(
  name: string,
  ts: Date,
  value: number,
  tags: Record<string, string> | undefined,
): RecordDigest {
  const key = `${name}@${ts.toISOString()}`;
  return { key, hash: sha256Hex(canonicalJson({ name, ts: ts.toISOString(), value, tags: tags ?? {} })) };
}

export const metricsSpec: DataTypeSpec<MetricRow> = {
  name: 'metrics',
  async read(source, cursor, limit) {
    const result = await source.query<MetricRow>(
      `SELECT metric_name, ts, to_char(ts AT TIME ZONE 'UTC', ${UTC_MICROS}) AS ts_text, value, tags
         FROM ${SOURCE_TABLES.metrics}
        WHERE $1::text IS NULL OR (metric_name, ts) > ($1::text, $2::timestamptz)
        ORDER BY metric_name, ts LIMIT $3`,
      [cursor?.[0] ?? null, cursor?.[1] ?? null, limit],
    );
    const last = result.rows.at(-1);
    return { rows: result.rows, cursor: last ? [last.metric_name, last.ts_text] : undefined };
  },
  async write(target, rows, commit) {
    await target.timeSeries.saveMetrics(
      rows.map((r) => ({ metricName: r.metric_name, timestamp: r.ts, value: r.value, tags: r.tags })),
    );
    await target.session('transactional', commit);
  },
  sourceRecord: (row) => metricDigest(row.metric_name, row.ts, row.value, row.tags),
  async targetRecords(target, rows) {
    const found = new Map<string, string>();
    const byName = new Map<string, { min: number; max: number }>();
    for (const row of rows) {
      const range = byName.get(row.metric_name) ?? { min: Infinity, max: -Infinity };
      range.min = Math.min(range.min, row.ts.getTime());
      range.max = Math.max(range.max, row.ts.getTime());
      byName.set(row.metric_name, range);
    }
    for (const [name, range] of byName) {
      const points = await target.timeSeries.readPoints(name, new Date(range.min), new Date(range.max + 1));
      for (const point of points) {
        const digest = metricDigest(point.metricName, point.timestamp, point.value, { ...point.tags });
        found.set(digest.key, digest.hash);
      }
    }
    return found;
  },
  sourceCount: (source) => countOf(source, `SELECT count(*)::text AS n FROM ${SOURCE_TABLES.metrics}`),
  targetCount: (target) => target.timeSeries.countPoints(),
};

// ---------------------------------------------------------------- documents

type DocumentRow = {
  collection: string;
  id: string;
  doc: Record<string, unknown>;
  version: string;
};

function documentDigest(
  collection: string,
  id: string,
  doc: unknown,
  version: number | undefined,
): RecordDigest {
  return { key: `${collection}/${id}`, hash: sha256Hex(canonicalJson({ collection, id, doc, version })) };
}

async function sourceCollections(source: pg.Pool): Promise<string[]> {
  const result = await source.query<{ collection: string }>(
    `SELECT DISTINCT collection FROM ${SOURCE_TABLES.documents} ORDER BY collection`,
  );
  return result.rows.map((r) => r.collection);
}

export const documentsSpec: DataTypeSpec<DocumentRow> = {
  name: 'documents',
  async read(source, cursor, limit) {
    const result = await source.query<DocumentRow>(
      `SELECT collection, id, doc, version::text FROM ${SOURCE_TABLES.documents}
        WHERE $1::text IS NULL OR (collection, id) > ($1::text, $2::text)
        ORDER BY collection, id LIMIT $3`,
      [cursor?.[0] ?? null, cursor?.[1] ?? null, limit],
    );
    const last = result.rows.at(-1);
    return { rows: result.rows, cursor: last ? [last.collection, last.id] : undefined };
  },
  async write(target, rows, commit) {
    const byCollection = new Map<string, DocumentRow[]>();
    for (const row of rows)
      byCollection.set(row.collection, [...(byCollection.get(row.collection) ?? []), row]);
    for (const [collection, items] of byCollection) {
      // The source version becomes the external version: a replayed batch is skipped as stale, never doubled.
      const result = await target.documents.bulkIndex(
        collection,
        items.map((r) => ({ id: r.id, document: r.doc, version: Number(r.version) })),
      );
      const first = result.errors[0];
      if (first) {
        throw new MigrationError(
          `documents: ${result.errors.length} of ${items.length} documents of ${collection} were refused; first ${collection}/${first.id}: ${first.reason}`,
        );
      }
    }
    await target.session('transactional', commit);
  },
  sourceRecord: (row) => documentDigest(row.collection, row.id, row.doc, Number(row.version)),
  async targetRecords(target, rows) {
    const found = new Map<string, string>();
    await inParallel(rows, 16, async (row) => {
      const stored = await target.documents.get(row.collection, row.id);
      if (stored) {
        const digest = documentDigest(row.collection, row.id, stored.document, stored.version);
        found.set(digest.key, digest.hash);
      }
    });
    return found;
  },
  sourceCount: (source) => countOf(source, `SELECT count(*)::text AS n FROM ${SOURCE_TABLES.documents}`),
  async targetCount(target, source) {
    // The port counts per collection; collections the source never had are not seen (no listing API).
    let total = 0;
    for (const collection of await sourceCollections(source)) {
      await target.documents.refresh(collection);
      total += await target.documents.count(collection);
    }
    return total;
  },
};

// ---------------------------------------------------------------- objects

type ObjectRow = {
  key: string;
  body: Buffer;
  content_type: string;
  metadata: Record<string, string>;
};

/** Bodies of one batch held in memory at most (a batch is cut short above it, never below one object). */
const OBJECT_BATCH_BYTES = 64 * 1024 * 1024;

function objectDigest(
  key: string,
  sha256: string,
  contentType: string,
  metadata: Record<string, string>,
): RecordDigest {
  return { key, hash: sha256Hex(canonicalJson({ key, sha256, contentType, metadata })) };
}

/** The objects spec; `batchBytes` caps a batch's bytes (one object larger than it is a batch alone). */
export function objectsSpecWith(batchBytes = OBJECT_BATCH_BYTES): DataTypeSpec<ObjectRow> {
  return {
    name: 'objects',
    async read(source, cursor, limit) {
      const result = await source.query<ObjectRow & { running: string }>(
        `SELECT key, body, content_type, metadata, sum(size) OVER (ORDER BY key)::text AS running
         FROM ${SOURCE_TABLES.objects} WHERE $1::text IS NULL OR key > $1::text ORDER BY key LIMIT $2`,
        [cursor?.[0] ?? null, limit],
      );
      const rows = result.rows.filter((row, i) => i === 0 || Number(row.running) <= batchBytes);
      const last = rows.at(-1);
      return {
        rows: rows.map(({ key, body, content_type, metadata }) => ({ key, body, content_type, metadata })),
        cursor: last ? [last.key] : undefined,
      };
    },
    async write(target, rows, commit) {
      await inParallel(rows, 4, async (row) => {
        await target.objects.put(row.key, row.body, {
          contentType: row.content_type,
          metadata: row.metadata,
        });
      });
      await target.session('transactional', commit);
    },
    // The hash of the bytes themselves, not the stored sha256 column: the source is checked too.
    sourceRecord: (row) => objectDigest(row.key, sha256Hex(row.body), row.content_type, row.metadata),
    async targetRecords(target, rows) {
      const found = new Map<string, string>();
      await inParallel(rows, 8, async (row) => {
        try {
          const stored = await target.objects.get(row.key);
          if (stored) {
            found.set(
              row.key,
              objectDigest(row.key, sha256Hex(stored.body), stored.info.contentType, {
                ...stored.info.metadata,
              }).hash,
            );
          }
        } catch (error) {
          if (!(error instanceof IntegrityError)) throw error;
          found.set(row.key, `!${error.message}`);
        }
      });
      return found;
    },
    sourceCount: (source) => countOf(source, `SELECT count(*)::text AS n FROM ${SOURCE_TABLES.objects}`),
    targetCount: async (target) => (await target.objects.list('', { limit: 100_000 })).length,
    targetKeys: async (target) =>
      (await target.objects.list('', { limit: 100_000 }))
        .map((o) => o.key)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

export const objectsSpec = objectsSpecWith();

/** The specs in migration order (metadata first: the others may refer to it). */
export function dataTypeSpecs(): readonly DataTypeSpec<unknown>[] {
  return [metadataSpec, metricsSpec, documentsSpec, objectsSpec];
}
