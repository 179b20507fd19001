// A poison outbox event (one the document store refuses as invalid input) spends attempts and is
// dead-lettered; it must not be mistaken for a store outage, which would retry it forever and
// stall every event queued behind it. Real PostgreSQL for the outbox and the document store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDocumentRepository } from '../backends/postgres/document-repository.ts';
import type { PostgresDocumentRepository } from '../backends/postgres/document-repository.ts';
import { parseStorageConfigs } from '../config/storage-config.ts';
import { DataAccessLayer } from '../dal/data-access-layer.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { requireStore } from '../../test/support/stores.ts';
import { recordOutboxEvent } from './outbox-event.ts';
import { OutboxRelay, type RunInTransaction } from './relay.ts';

describe('outbox relay with an event the document store refuses', () => {
  let db: TestDatabase;
  let dal: DataAccessLayer;
  let documents: PostgresDocumentRepository;

  beforeAll(async () => {
    db = await createTestDatabase(requireStore('postgres').url, 'relay_poison');
    dal = await DataAccessLayer.initialize([{ type: 'transactional', backend: 'postgres', url: db.url }]);
    const [config] = parseStorageConfigs([{ type: 'document', backend: 'postgres', url: db.url }]);
    if (!config) throw new Error('no document config');
    documents = await createPostgresDocumentRepository(config);
  });

  afterAll(async () => {
    await documents?.close();
    await dal?.close();
    await db?.[Symbol.asyncDispose]();
  });

  it('dead-letters the invalid event after maxAttempts and publishes the valid one behind it', async () => {
    const transaction: RunInTransaction = (fn) => dal.session('transactional', fn);
    await dal.session('transactional', async (session) => {
      // A dotted field name is refused by every DocumentRepository (validateDocument).
      await recordOutboxEvent(session, {
        collection: 'things',
        entityId: 'poison',
        entityVersion: 1,
        op: 'upsert',
        payload: { 'a.b': 1 },
      });
      await recordOutboxEvent(session, {
        collection: 'things',
        entityId: 'good',
        entityVersion: 1,
        op: 'upsert',
        payload: { title: 'fine' },
      });
    });
    const relay = new OutboxRelay(transaction, documents, {
      maxAttempts: 2,
      backoffBaseMs: 1,
      backoffMaxMs: 5,
      pollIntervalMs: 5,
    });
    const remaining = await relay.drain(3_000);
    expect(remaining).toBe(0);
    expect(await relay.deadLetterCount()).toBe(1);
    expect(relay.stats().storeOutages).toBe(0);
    expect(relay.stats().deadLetters).toBe(1);
    expect((await documents.get('things', 'good'))?.document).toEqual({ title: 'fine' });
    expect(await documents.get('things', 'poison')).toBeUndefined();
  });
});
