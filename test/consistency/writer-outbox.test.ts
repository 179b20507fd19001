// What ExperimentWriter leaves in the outbox on real PostgreSQL: one event per committed write, with
// the entity's new version and its search document; nothing (and no hook) for a write that did not
// happen or rolled back. Also the outbox schema the relay depends on (namespace and indexes).
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EXPERIMENTS_COLLECTION,
  ExperimentWriter,
  experimentSearchDocument,
} from '../../reference-dal/consistency/experiment-writer.ts';
import { OUTBOX_NAMESPACE } from '../../reference-dal/consistency/outbox-schema.ts';
import type { RunInTransaction } from '../../reference-dal/consistency/relay.ts';
import { DataAccessLayer } from '../../reference-dal/dal/data-access-layer.ts';
import { VersionConflictError } from '../../reference-dal/errors.ts';
import type { Experiment } from '../../reference-dal/ports/transactional.ts';
import { METADATA_TABLES } from '../../reference-dal/backends/postgres/metadata-migrations.ts';
import { assertProperty } from '../../harness/conformance/support/seed.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { requireStore } from '../support/stores.ts';

const experimentArb: fc.Arbitrary<Experiment> = fc.record({
  name: fc.string({ minLength: 1, maxLength: 20 }),
  description: fc.lorem({ maxCount: 5 }),
  detectorId: fc.constant(null),
  status: fc.constantFrom('running' as const, 'completed' as const, 'failed' as const),
  tags: fc.array(fc.constantFrom('cpu', 'latency', 'fraud'), { maxLength: 3 }),
  metrics: fc.dictionary(fc.constantFrom('auc', 'f1'), fc.double({ min: 0, max: 1, noNaN: true })),
});

const base: Experiment = {
  name: 'w',
  description: 'd',
  detectorId: null,
  status: 'running',
  tags: ['cpu'],
  metrics: {},
};

type EventRow = {
  collection: string;
  entity_id: string;
  entity_version: number;
  op: string;
  payload: unknown;
};

describe('ExperimentWriter and the outbox', () => {
  let db: TestDatabase;
  let dal: DataAccessLayer;
  let transaction: RunInTransaction;

  beforeAll(async () => {
    db = await createTestDatabase(requireStore('postgres').url, 'writer_outbox');
    dal = await DataAccessLayer.initialize([{ type: 'transactional', backend: 'postgres', url: db.url }]);
    transaction = (fn) => dal.session('transactional', fn);
  });

  afterAll(async () => {
    await dal?.close();
    await db?.[Symbol.asyncDispose]();
  });

  beforeEach(async () => {
    await transaction(async (s) => {
      await s.query('TRUNCATE dalbench_outbox, dalbench_outbox_dead');
      await s.query(`DELETE FROM ${METADATA_TABLES.experiment}`);
    });
  });

  const events = () =>
    transaction(
      async (s) =>
        (
          await s.query<EventRow>(
            'SELECT collection, entity_id, entity_version, op, payload FROM dalbench_outbox ORDER BY seq',
          )
        ).rows,
    );

  it('records the search document of every create and update, and a payload-less delete', async () => {
    await assertProperty(
      fc.asyncProperty(experimentArb, experimentArb, async (first, second) => {
        await transaction((s) => s.query('TRUNCATE dalbench_outbox'));
        const hooks: string[] = [];
        const writer = new ExperimentWriter(transaction, {
          beforeCommit: (id) => Promise.resolve(void hooks.push(`before ${id}`)),
          afterCommit: (id) => Promise.resolve(void hooks.push(`after ${id}`)),
        });
        const created = await writer.create(first);
        const updated = await writer.update(created.id, created.version, second);
        expect(await writer.delete(updated.id, updated.version)).toBe(true);
        // JSON round trip: what the jsonb column holds (dates as ISO strings).
        const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
        expect(await events()).toEqual([
          {
            collection: EXPERIMENTS_COLLECTION,
            entity_id: created.id,
            entity_version: 1,
            op: 'upsert',
            payload: json(experimentSearchDocument(created)),
          },
          {
            collection: EXPERIMENTS_COLLECTION,
            entity_id: created.id,
            entity_version: 2,
            op: 'upsert',
            payload: json(experimentSearchDocument(updated)),
          },
          {
            collection: EXPERIMENTS_COLLECTION,
            entity_id: created.id,
            entity_version: 3,
            op: 'delete',
            payload: null,
          },
        ]);
        expect(hooks).toEqual([1, 2, 3].flatMap(() => [`before ${created.id}`, `after ${created.id}`]));
      }),
      8,
    );
  });

  it('the search document carries exactly these fields', async () => {
    const writer = new ExperimentWriter(transaction);
    const created = await writer.create({ ...base, tags: ['iot', 'cpu'] }, { id: 'fields' });
    expect(experimentSearchDocument(created)).toEqual({
      name: 'w',
      description: 'd',
      status: 'running',
      tags: ['iot', 'cpu'],
      detectorId: null,
      version: 1,
      updatedAt: created.updatedAt.toISOString(),
    });
    expect(EXPERIMENTS_COLLECTION).toBe('experiments');
  });

  it('writes to the configured collection', async () => {
    const writer = new ExperimentWriter(transaction, { collection: 'lab' });
    const created = await writer.create(base);
    await writer.update(created.id, 1, base);
    await writer.delete(created.id, 2);
    expect((await events()).map((e) => e.collection)).toEqual(['lab', 'lab', 'lab']);
  });

  it('records nothing and runs no hook for a write that did not happen', async () => {
    const hooks: string[] = [];
    const writer = new ExperimentWriter(transaction, {
      beforeCommit: (id) => Promise.resolve(void hooks.push(`before ${id}`)),
      afterCommit: (id) => Promise.resolve(void hooks.push(`after ${id}`)),
    });
    expect(await writer.delete('absent', 1)).toBe(false);
    expect(hooks).toEqual([]);
    expect(await events()).toEqual([]);
    const created = await writer.create(base, { id: 'stale' });
    hooks.length = 0;
    await transaction((s) => s.query('TRUNCATE dalbench_outbox'));
    await expect(writer.update(created.id, 7, base)).rejects.toBeInstanceOf(VersionConflictError);
    expect(hooks).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it('rolls the row and its event back together when beforeCommit fails, and skips afterCommit', async () => {
    const after: string[] = [];
    const writer = new ExperimentWriter(transaction, {
      beforeCommit: () => Promise.reject(new Error('refused before commit')),
      afterCommit: (id) => Promise.resolve(void after.push(id)),
    });
    await expect(writer.create(base, { id: 'rolled-back' })).rejects.toThrow('refused before commit');
    expect(await dal.metadata.experiments.get('rolled-back')).toBeUndefined();
    expect(await events()).toEqual([]);
    expect(after).toEqual([]);
  });

  it('the outbox schema is recorded under its namespace, with the indexes the relay relies on', async () => {
    await transaction(async (s) => {
      const applied = await s.query<{ version: number }>(
        'SELECT version FROM dalbench_migrations WHERE namespace = $1 ORDER BY version',
        [OUTBOX_NAMESPACE],
      );
      expect(OUTBOX_NAMESPACE).toBe('outbox');
      expect(applied.rows.map((r) => r.version)).toEqual([1, 2]);
      const indexes = await s.query<{ indexname: string; indexdef: string }>(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dalbench_outbox' ORDER BY indexname",
      );
      expect(indexes.rows.map((r) => [r.indexname, r.indexdef.replace(/^.* USING /, '')])).toEqual([
        ['dalbench_outbox_available', 'btree (available_at, seq)'],
        ['dalbench_outbox_entity', 'btree (collection, entity_id, seq)'],
        ['dalbench_outbox_pkey', 'btree (seq)'],
      ]);
    });
  });
});
