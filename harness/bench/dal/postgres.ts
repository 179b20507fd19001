// bench:dal paths on PostgreSQL's transactional side: the metadata repository (point read, create,
// optimistic update) and the bytea object repository (4 KiB get and put), each against raw `pg`
// doing the same statement on the same table with a named (prepared) statement, on the repository's
// own pool. Works in a scratch database it creates and drops; the DAL is built as the profiles build
// it (default config: retries, timeouts, circuit breaker on objects) except a pool of 1 kept for the
// run.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { assertJsonStorable, ENTITY_SCHEMAS } from '../../../reference-dal/domain/entities.ts';
import type { DataAccessLayer } from '../../../reference-dal/dal/data-access-layer.ts';
import type { Detector } from '../../../reference-dal/ports/transactional.ts';
import { needUrl, type PathGroupSpec } from './path.ts';
import type { ScratchDatabase } from '../../provision/scratch-database.ts';
import { DAL_POOL_SETTINGS, openScratchDal, vacuumApart } from './scratch-dal.ts';

const DETECTOR: Detector = {
  name: 'isolation-forest-42',
  algorithm: 'isolation-forest',
  parameters: { contamination: 0.05, trees: 100 },
  status: 'active',
};
const OBJECT_BYTES = 4096;
const COLUMNS = 'id, version, created_at, updated_at, data';
const OBJECT_INFO = 'key, size, sha256, content_type, metadata, last_modified';

interface EntityRow {
  id: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  data: Detector;
}

interface ObjectRow {
  key: string;
  size: string;
  sha256: string;
  content_type: string;
  metadata: Record<string, string>;
  last_modified: Date;
}

/** What a raw caller makes of a row: the same shape the repository returns. */
const entityOf = (row: EntityRow) => ({
  id: row.id,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  data: row.data,
});
const infoOf = (row: ObjectRow) => ({
  key: row.key,
  size: Number(row.size),
  sha256: row.sha256,
  contentType: row.content_type,
  metadata: row.metadata,
  lastModified: row.last_modified,
});

export const postgresGroup: PathGroupSpec = {
  name: 'postgres',
  needs: ['postgres'],
  open(urls) {
    return openScratchDal(needUrl(urls, 'postgres'), 'bench_pg', ['transactional', 'object'], openPaths);
  },
};

async function openPaths(dal: DataAccessLayer, scratch: ScratchDatabase): ReturnType<PathGroupSpec['open']> {
  // Each raw side runs on the pool of the repository it is compared with, as the S3 and
  // Elasticsearch paths use the repository's own client: one server process serves both sides, so
  // what that process has mapped or cached (a new one faults on each first touch of a shared
  // buffer) cannot differ between them.
  const raw = dal.postgresPool('transactional');
  const objectPool = dal.postgresPool('object');
  const detectors = dal.metadata.detectors;
  for (let i = 0; i < 200; i++) await detectors.create({ ...DETECTOR, name: `detector-${i}` });
  const target = (await detectors.list({ offset: 100, limit: 1 }))[0];
  if (!target) throw new Error('bench detector missing');
  // One row per side for the optimistic update, each side tracking the version it last wrote.
  const dalUpdated = await detectors.create(DETECTOR);
  const rawUpdated = await detectors.create(DETECTOR);
  let dalVersion = dalUpdated.version;
  let rawVersion = rawUpdated.version;

  const objects = dal.objects;
  const body = randomBytes(OBJECT_BYTES);
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  const getKey = 'bench/model-4k.bin';
  const dalPutKey = 'bench/put-dal.bin';
  const rawPutKey = 'bench/put-raw.bin';
  await objects.put(getKey, body, { contentType: 'application/octet-stream' });

  const entityValidation = () => {
    // What the repository checks that a raw caller does not: the entity schema (zod, strict) and
    // that its JSON holds no NUL (jsonb cannot store it). The JSON text itself both sides make.
    const parsed = ENTITY_SCHEMAS.detector.safeParse(DETECTOR);
    if (!parsed.success) throw new Error('bench detector invalid');
    assertJsonStorable('detector', JSON.stringify(parsed.data));
  };
  const sha256Of4k = {
    title: 'SHA-256 of 4 KiB (the integrity hash the repository stores and verifies)',
    task: () => {
      createHash('sha256').update(body).digest('hex');
    },
  };
  const vacuum = (table: string) => vacuumApart(scratch.url, table);
  const note = `sequential, scratch database, one pool of 1 for both sides; DAL with its default config (3 retries on transient errors, circuit breaker on objects); ${DAL_POOL_SETTINGS}; raw sends a named (prepared) statement and maps the row to the same result shape`;

  return {
    paths: [
      {
        id: 'postgres.point-read',
        title: 'metadata detectors.get vs raw pg prepared SELECT',
        store: 'postgres',
        dal: async () => {
          if (!(await detectors.get(target.id))) throw new Error('bench detector missing');
        },
        raw: async () => {
          const result = await raw.query<EntityRow>({
            name: 'bench_raw_get',
            text: `SELECT ${COLUMNS} FROM dal_detectors WHERE id = $1`,
            values: [target.id],
          });
          const row = result.rows[0];
          if (!row) throw new Error('bench detector missing');
          entityOf(row);
        },
        note: `${note}; 200 detectors, one row read`,
      },
      {
        id: 'postgres.create',
        title: 'metadata detectors.create vs raw pg INSERT … RETURNING',
        store: 'postgres',
        dal: async () => {
          await detectors.create(DETECTOR);
        },
        raw: async () => {
          const result = await raw.query<EntityRow>({
            name: 'bench_raw_create',
            text: `INSERT INTO dal_detectors (id, version, created_at, updated_at, data)
                   SELECT $1, 1, now_ms, now_ms, $2::jsonb
                     FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS now_ms) t
                   RETURNING ${COLUMNS}`,
            values: [randomUUID(), JSON.stringify(DETECTOR)],
          });
          const row = result.rows[0];
          if (!row) throw new Error('insert returned no row');
          entityOf(row);
        },
        guarantee: { title: 'entity validation (zod schema + NUL check)', task: entityValidation },
        note: `${note}; both sides generate a UUID and send the same JSON; the table grows by one row per call on each side`,
      },
      {
        id: 'postgres.update',
        title: 'metadata detectors.update (optimistic version) vs raw pg UPDATE … WHERE version',
        store: 'postgres',
        dal: async () => {
          dalVersion = (await detectors.update(dalUpdated.id, dalVersion, DETECTOR)).version;
        },
        raw: async () => {
          const result = await raw.query<EntityRow>({
            name: 'bench_raw_update',
            text: `UPDATE dal_detectors
                      SET data = $3::jsonb, version = version + 1,
                          updated_at = date_trunc('milliseconds', clock_timestamp())
                    WHERE id = $1 AND version = $2 RETURNING ${COLUMNS}`,
            values: [rawUpdated.id, rawVersion, JSON.stringify(DETECTOR)],
          });
          const row = result.rows[0];
          if (!row) throw new Error('version conflict'); // the raw caller's own optimistic check
          rawVersion = entityOf(row).version;
        },
        guarantee: { title: 'entity validation (zod schema + NUL check)', task: entityValidation },
        settle: vacuum('dal_detectors'),
        note: `${note}; VACUUM before each block on a connection of its own (each side overwrites one row); the version check is the same WHERE clause on both sides (no extra round trip on success), so only validation is a guarantee`,
      },
      {
        id: 'postgres.bytea-get',
        title: 'objects.get 4 KiB (postgres bytea) vs raw pg prepared SELECT',
        store: 'postgres',
        dal: async () => {
          if ((await objects.get(getKey))?.body.length !== OBJECT_BYTES)
            throw new Error('bench object missing');
        },
        raw: async () => {
          const result = await objectPool.query<ObjectRow & { body: Buffer }>({
            name: 'bench_raw_object_get',
            text: `SELECT ${OBJECT_INFO}, body FROM dalbench_objects WHERE key = $1`,
            values: [getKey],
          });
          const row = result.rows[0];
          if (row?.body.length !== OBJECT_BYTES) throw new Error('bench object missing');
          infoOf(row);
        },
        guarantee: sha256Of4k,
        note: `${note}; the DAL verifies the stored SHA-256 on every read (the guarantee row), raw does not`,
      },
      {
        id: 'postgres.bytea-put',
        title: 'objects.put 4 KiB (postgres bytea, upsert) vs raw pg prepared INSERT … ON CONFLICT',
        store: 'postgres',
        dal: async () => {
          await objects.put(dalPutKey, body, { contentType: 'application/octet-stream' });
        },
        raw: async () => {
          // The hash is precomputed (the body never changes): its cost is the guarantee row.
          const result = await objectPool.query<ObjectRow>({
            name: 'bench_raw_object_put',
            text: `INSERT INTO dalbench_objects (key, body, size, sha256, content_type, metadata, last_modified)
                   VALUES ($1, $2, $3, $4, $5, $6, now())
                   ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body, size = EXCLUDED.size,
                     sha256 = EXCLUDED.sha256, content_type = EXCLUDED.content_type,
                     metadata = EXCLUDED.metadata, last_modified = EXCLUDED.last_modified
                   RETURNING ${OBJECT_INFO}`,
            values: [rawPutKey, body, OBJECT_BYTES, bodySha256, 'application/octet-stream', {}],
          });
          const row = result.rows[0];
          if (!row) throw new Error('put returned no row');
          infoOf(row);
        },
        guarantee: sha256Of4k,
        settle: vacuum('dalbench_objects'),
        note: `${note}; VACUUM before each block on a connection of its own (each overwrite leaves a dead row and its TOAST chunks, and unvacuumed the same code measured 0.5–1.4 × itself per block); both overwrite one key each (same upsert statement, same columns), the raw side sends a precomputed SHA-256 and no key or metadata validation (the DAL's is counted as its own cost)`,
      },
    ],
    async [Symbol.asyncDispose]() {
      try {
        await dal.close();
      } finally {
        await scratch[Symbol.asyncDispose]();
      }
    },
  };
}
