// The outbox relay on real PostgreSQL + Elasticsearch: after the relay drains, the search store
// holds exactly the experiments PostgreSQL holds (same ids, same content), whatever the order of
// writes and relay steps; a replayed older event never overwrites a newer one.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElasticsearchDocumentRepository } from '../../reference-dal/backends/elasticsearch/document-repository.ts';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import {
  EXPERIMENTS_COLLECTION,
  ExperimentWriter,
  experimentSearchDocument,
} from '../../reference-dal/consistency/experiment-writer.ts';
import { OUTBOX_MIGRATIONS, OUTBOX_NAMESPACE } from '../../reference-dal/consistency/outbox-schema.ts';
import { OutboxRelay } from '../../reference-dal/consistency/relay.ts';
import { canonicalJson, sha256Hex } from '../../reference-dal/migration/digest.ts';
import { DataAccessLayer } from '../../reference-dal/dal/data-access-layer.ts';
import type { DocumentRepository, JsonDocument } from '../../reference-dal/ports/documents.ts';
import type { Experiment } from '../../reference-dal/ports/transactional.ts';
import { applyMigrations } from '../../reference-dal/sql/migrate.ts';
import { METADATA_TABLES } from '../../reference-dal/backends/postgres/metadata-migrations.ts';
import { assertProperty } from '../../harness/conformance/support/seed.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { requireStore } from '../support/stores.ts';

const experimentArb: fc.Arbitrary<Experiment> = fc.record({
  name: fc.string({ minLength: 1, maxLength: 30 }),
  description: fc.lorem({ maxCount: 8 }),
  detectorId: fc.constant(null),
  status: fc.constantFrom('running' as const, 'completed' as const, 'failed' as const),
  tags: fc.array(fc.constantFrom('cpu', 'latency', 'fraud', 'iot'), { maxLength: 3 }),
  metrics: fc.dictionary(fc.constantFrom('auc', 'f1'), fc.double({ min: 0, max: 1, noNaN: true })),
});

type Step =
  | { kind: 'create'; data: Experiment }
  | { kind: 'update'; pick: number; data: Experiment }
  | { kind: 'delete'; pick: number }
  | { kind: 'relay' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: experimentArb.map((data) => ({ kind: 'create' as const, data })) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('update' as const), pick: fc.nat(), data: experimentArb }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'relay' as const }) },
);

const contentHash = (document: JsonDocument) => sha256Hex(canonicalJson(document));

describe('outbox relay into Elasticsearch', () => {
  let db: TestDatabase;
  let dal: DataAccessLayer;
  let documents: DocumentRepository & { dropCollection(c: string): Promise<boolean>; close(): Promise<void> };

  beforeAll(async () => {
    db = await createTestDatabase(requireStore('postgres').url, 'outbox');
    dal = await DataAccessLayer.initialize([{ type: 'transactional', backend: 'postgres', url: db.url }]);
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      await applyMigrations(pool, OUTBOX_NAMESPACE, OUTBOX_MIGRATIONS);
    } finally {
      await pool.end();
    }
    const [config] = parseStorageConfigs([
      {
        type: 'document',
        backend: 'elasticsearch',
        url: requireStore('elasticsearch').url,
        options: { indexPrefix: `dalbench-outbox${randomBytes(3).toString('hex')}-` },
      },
    ]);
    if (!config) throw new Error('no document config');
    documents = await createElasticsearchDocumentRepository(config);
  });

  afterAll(async () => {
    await documents?.dropCollection(EXPERIMENTS_COLLECTION);
    await documents?.close();
    await dal?.close();
    await db?.[Symbol.asyncDispose]();
  });

  const transaction = <T>(fn: Parameters<DataAccessLayer['session']>[1]) =>
    dal.session('transactional', fn) as Promise<T>;

  async function reset(): Promise<void> {
    await dal.session('transactional', async (session) => {
      await session.query('TRUNCATE dalbench_outbox, dalbench_outbox_dead');
      await session.query(`DELETE FROM ${METADATA_TABLES.experiment}`);
    });
    await documents.dropCollection(EXPERIMENTS_COLLECTION);
  }

  it('after draining, search holds exactly the PostgreSQL rows (count and content hash)', async () => {
    await assertProperty(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
        await reset();
        const writer = new ExperimentWriter(transaction);
        const relay = new OutboxRelay(transaction, documents, { batchSize: 7 });
        const live: { id: string; version: number }[] = [];
        for (const step of steps) {
          if (step.kind === 'create') {
            const created = await writer.create(step.data);
            live.push({ id: created.id, version: created.version });
          } else if (step.kind === 'update' && live.length > 0) {
            const target = live[step.pick % live.length]!;
            const updated = await writer.update(target.id, target.version, step.data);
            target.version = updated.version;
          } else if (step.kind === 'delete' && live.length > 0) {
            const index = step.pick % live.length;
            const target = live[index]!;
            expect(await writer.delete(target.id, target.version)).toBe(true);
            live.splice(index, 1);
          } else if (step.kind === 'relay') {
            await relay.drainOnce();
          }
        }
        expect(await relay.drain(20_000)).toBe(0);
        await documents.refresh(EXPERIMENTS_COLLECTION).catch(() => undefined);

        const rows = await dal.metadata.experiments.list({ limit: 1000 });
        const expected = new Map(rows.map((e) => [e.id, contentHash(experimentSearchDocument(e))]));
        const count = await documents.count(EXPERIMENTS_COLLECTION).catch(() => 0);
        expect(count).toBe(expected.size);
        for (const [id, hash] of expected) {
          const stored = await documents.get(EXPERIMENTS_COLLECTION, id);
          expect(stored, `experiment ${id} missing from search`).toBeDefined();
          expect(contentHash(stored!.document)).toBe(hash);
        }
        expect(relay.stats().deadLetters).toBe(0);
      }),
      12,
    );
  });

  it('a replayed older event never overwrites a newer document', async () => {
    await reset();
    const writer = new ExperimentWriter(transaction);
    const relay = new OutboxRelay(transaction, documents);
    const base: Experiment = {
      name: 'replay',
      description: 'first',
      detectorId: null,
      status: 'running',
      tags: [],
      metrics: {},
    };
    const v1 = await writer.create(base);
    const v2 = await writer.update(v1.id, v1.version, { ...base, description: 'second' });
    await relay.drain(10_000);
    // Replay version 1 as if a relay crashed before acknowledging it.
    await dal.session('transactional', async (session) => {
      await session.query(
        `INSERT INTO dalbench_outbox (collection, entity_id, entity_version, op, payload)
         VALUES ($1, $2, $3, 'upsert', $4::jsonb)`,
        [EXPERIMENTS_COLLECTION, v1.id, v1.version, JSON.stringify(experimentSearchDocument(v1))],
      );
    });
    await relay.drain(10_000);
    const stored = await documents.get(EXPERIMENTS_COLLECTION, v1.id);
    expect(stored?.document.description).toBe('second');
    expect(stored?.version).toBe(v2.version);
    expect(relay.stats().skippedStale).toBeGreaterThanOrEqual(1);
  });

  it('writes commit while search is unreachable; the relay retries, counts the outage, and loses nothing', async () => {
    await reset();
    const [deadConfig] = parseStorageConfigs([
      {
        type: 'document',
        backend: 'elasticsearch',
        url: 'http://127.0.0.1:9', // discard port: nothing listens
        timeoutMs: 500,
        retryAttempts: 0,
      },
    ]);
    const unreachable = new (
      await import('../../reference-dal/backends/elasticsearch/document-repository.ts')
    ).ElasticsearchDocumentRepository(deadConfig!);
    try {
      const writer = new ExperimentWriter(transaction);
      const base: Experiment = {
        name: 'outage',
        description: 'written while search is down',
        detectorId: null,
        status: 'running',
        tags: ['iot'],
        metrics: {},
      };
      const created = await Promise.all(
        [1, 2, 3].map((i) => writer.create({ ...base, name: `outage ${i}` })),
      );
      const down = new OutboxRelay(transaction, unreachable, { backoffBaseMs: 1, backoffMaxMs: 5 });
      const step = await down.drainOnce();
      expect(step.published).toBe(0);
      expect(down.stats().storeOutages).toBe(1);
      expect(down.stats().retries).toBe(3);
      expect(await down.depth()).toBe(3);
      expect(await down.deadLetterCount()).toBe(0);

      const up = new OutboxRelay(transaction, documents);
      expect(await up.drain(10_000)).toBe(0);
      await documents.refresh(EXPERIMENTS_COLLECTION);
      expect(await documents.count(EXPERIMENTS_COLLECTION)).toBe(created.length);
    } finally {
      await unreachable.close();
    }
  });
});
