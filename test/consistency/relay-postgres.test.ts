// The outbox relay's bookkeeping, pinned on real PostgreSQL (outbox and document store in one scratch
// database, so every step is fast): what one drainOnce claims, publishes, retries and dead-letters;
// the backoff it writes into available_at; how it tells a store outage from a refused document; the
// advisory lock; drain's deadline; the background loop's start/stop. Backoff delays are checked
// against the server's own clock read before and after the step, so the bounds are exact, not timed.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createPostgresDocumentRepository,
  type PostgresDocumentRepository,
} from '../../reference-dal/backends/postgres/document-repository.ts';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { recordOutboxEvent, type OutboxEvent } from '../../reference-dal/consistency/outbox-event.ts';
import {
  OutboxRelay,
  type PublishedEvent,
  type RunInTransaction,
} from '../../reference-dal/consistency/relay.ts';
import { DataAccessLayer } from '../../reference-dal/dal/data-access-layer.ts';
import type {
  BulkItem,
  BulkResult,
  DocumentRepository,
  IndexOptions,
  JsonDocument,
  SearchQuery,
  SearchResult,
  StoredDocument,
} from '../../reference-dal/ports/documents.ts';
import { assertSyncProperty } from '../../harness/conformance/support/seed.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { requireStore } from '../support/stores.ts';

const RELAY_LOCK_KEY = 0x64616c72; // relay.ts's advisory lock ("dalr")
const ZERO = { claimed: 0, published: 0, failed: 0, deadLettered: 0 };
/** Large delays: a step takes milliseconds, so the exact bounds below leave no doubt. */
const SLOW = { backoffBaseMs: 100_000, backoffMaxMs: 10_000_000 } as const;

/**
 * A real document repository behind a switch, so one relay sees its store go away (a closed
 * repository: every call fails as an outage would) and come back. Nothing is simulated.
 */
class SwitchableRepository implements DocumentRepository {
  constructor(public target: DocumentRepository) {}
  index(collection: string, id: string, document: JsonDocument, options?: IndexOptions): Promise<void> {
    return this.target.index(collection, id, document, options);
  }
  bulkIndex(collection: string, items: readonly BulkItem[]): Promise<BulkResult> {
    return this.target.bulkIndex(collection, items);
  }
  get(collection: string, id: string): Promise<StoredDocument | undefined> {
    return this.target.get(collection, id);
  }
  delete(collection: string, id: string, options?: IndexOptions): Promise<boolean> {
    return this.target.delete(collection, id, options);
  }
  search(collection: string, query: SearchQuery): Promise<SearchResult> {
    return this.target.search(collection, query);
  }
  refresh(collection: string): Promise<void> {
    return this.target.refresh(collection);
  }
  count(collection: string): Promise<number> {
    return this.target.count(collection);
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (!(await condition())) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Row = {
  seq: string;
  collection: string;
  entity_id: string;
  entity_version: number;
  op: string;
  payload: unknown;
  attempts: number;
  last_error: string | null;
  committed_at: Date;
  available_at: Date;
};

describe('outbox relay on PostgreSQL', () => {
  let db: TestDatabase;
  let dal: DataAccessLayer;
  let closedDal: DataAccessLayer;
  let documents: PostgresDocumentRepository;
  let closedDocuments: PostgresDocumentRepository;
  let transaction: RunInTransaction;

  beforeAll(async () => {
    db = await createTestDatabase(requireStore('postgres').url, 'relay_pg');
    dal = await DataAccessLayer.initialize([{ type: 'transactional', backend: 'postgres', url: db.url }]);
    closedDal = await DataAccessLayer.initialize([
      { type: 'transactional', backend: 'postgres', url: db.url },
    ]);
    await closedDal.close();
    const [config] = parseStorageConfigs([{ type: 'document', backend: 'postgres', url: db.url }]);
    if (!config) throw new Error('no document config');
    documents = await createPostgresDocumentRepository(config);
    closedDocuments = await createPostgresDocumentRepository(config);
    await closedDocuments.close();
    transaction = (fn) => dal.session('transactional', fn);
    // The document store refuses ids starting with "refused": a per-item failure inside a bulk.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(`CREATE FUNCTION refuse_document() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.id LIKE 'refused%' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
      await admin.query(`CREATE TRIGGER refuse_document BEFORE INSERT OR UPDATE ON dalbench_documents
        FOR EACH ROW EXECUTE FUNCTION refuse_document()`);
    } finally {
      await admin.end();
    }
  });

  afterAll(async () => {
    await documents?.close();
    await dal?.close();
    await db?.[Symbol.asyncDispose]();
  });

  beforeEach(async () => {
    await transaction(async (session) => {
      await session.query('TRUNCATE dalbench_outbox, dalbench_outbox_dead, dalbench_documents');
    });
  });

  const enqueue = (...events: OutboxEvent[]) =>
    transaction(async (session) => {
      for (const event of events) await recordOutboxEvent(session, event);
    });
  const upsert = (entityId: string, entityVersion: number, payload: JsonDocument = { v: entityVersion }) =>
    ({ collection: 'things', entityId, entityVersion, op: 'upsert', payload }) as const;
  const outbox = () =>
    transaction(async (s) => (await s.query<Row>('SELECT * FROM dalbench_outbox ORDER BY seq')).rows);
  const dead = () =>
    transaction(async (s) => (await s.query<Row>('SELECT * FROM dalbench_outbox_dead ORDER BY seq')).rows);
  const serverNow = () =>
    transaction(async (s) => (await s.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]!.t);
  const makeDue = () =>
    transaction((s) =>
      s.query("UPDATE dalbench_outbox SET available_at = clock_timestamp() - interval '1 s'"),
    );

  /** Run one step and check that every row it pushed back is due exactly `delayMs` after some instant inside it. */
  async function expectBackoff(step: () => Promise<unknown>, delayMs: number, rows?: number): Promise<void> {
    const before = await serverNow();
    await step();
    const after = await serverNow();
    const pending = await outbox();
    if (rows !== undefined) expect(pending).toHaveLength(rows);
    for (const row of pending) {
      expect(row.available_at.getTime() - before.getTime()).toBeGreaterThanOrEqual(delayMs);
      expect(row.available_at.getTime() - after.getTime()).toBeLessThanOrEqual(delayMs);
    }
  }

  describe('options', () => {
    const names = ['batchSize', 'maxAttempts', 'backoffBaseMs', 'backoffMaxMs', 'pollIntervalMs'] as const;

    it('refuses every option that is not a positive integer, naming it', () => {
      assertSyncProperty(
        fc.property(
          fc.constantFrom(...names),
          fc.oneof(
            fc.integer({ max: 0 }),
            fc.double({ noInteger: true }),
            fc.constantFrom(Number.NaN, Infinity, -Infinity),
          ),
          (name, value) => {
            expect(() => new OutboxRelay(transaction, documents, { [name]: value })).toThrow(
              new RangeError(`OutboxRelay option ${name} must be a positive integer, got ${value}`),
            );
          },
        ),
        200,
      );
    });

    it('accepts positive integers and no options at all', () => {
      assertSyncProperty(
        fc.property(fc.constantFrom(...names), fc.integer({ min: 1, max: 2 ** 31 }), (name, value) => {
          expect(() => new OutboxRelay(transaction, documents, { [name]: value })).not.toThrow();
        }),
        100,
      );
      expect(() => new OutboxRelay(transaction, documents)).not.toThrow();
      expect(() => new OutboxRelay(transaction, documents, { onPublished: () => undefined })).not.toThrow();
    });

    it('claims batchSize events a step (500 by default)', async () => {
      await transaction((s) =>
        s.query(`INSERT INTO dalbench_outbox (collection, entity_id, entity_version, op, payload)
                 SELECT 'things', 'e' || n, 1, 'upsert', '{}'::jsonb FROM generate_series(1, 501) n`),
      );
      const relay = new OutboxRelay(transaction, documents);
      expect(await relay.drainOnce()).toEqual({ claimed: 500, published: 500, failed: 0, deadLettered: 0 });
      expect(await relay.drainOnce()).toEqual({ claimed: 1, published: 1, failed: 0, deadLettered: 0 });
      await enqueue(upsert('a', 1), upsert('b', 1), upsert('c', 1));
      const small = new OutboxRelay(transaction, documents, { batchSize: 2 });
      expect((await small.drainOnce()).claimed).toBe(2);
      expect(await small.depth()).toBe(1);
    });

    it('spends 5 attempts by default with backoff 50, 100, 200, 400 ms, capped at 2 s', async () => {
      await enqueue(upsert('refused', 1));
      const relay = new OutboxRelay(transaction, documents);
      for (const [attempt, delay] of [
        [1, 50],
        [2, 100],
        [3, 200],
        [4, 400],
      ] as const) {
        await expectBackoff(() => relay.drainOnce(), delay, 1);
        expect((await outbox())[0]?.attempts).toBe(attempt);
        await makeDue();
      }
      expect(await relay.drainOnce()).toEqual({ claimed: 1, published: 0, failed: 1, deadLettered: 1 });
      expect(await relay.depth()).toBe(0);
      expect((await dead())[0]?.attempts).toBe(5);
      // A long-failing event waits at most backoffMaxMs (default 2 s): 50 · 2^9 would be 25.6 s.
      await enqueue(upsert('refused2', 1));
      await transaction((s) => s.query('UPDATE dalbench_outbox SET attempts = 9'));
      const patient = new OutboxRelay(transaction, documents, { maxAttempts: 100 });
      await expectBackoff(() => patient.drainOnce(), 2_000, 1);
      expect((await outbox())[0]?.attempts).toBe(10);
    });
  });

  it('publishes the newest event per entity across collections, acknowledges all, and reports them', async () => {
    await documents.index('other', 'gone', { old: true }, { version: 2 });
    await documents.index('other', 'kept', { newer: true }, { version: 9 });
    await enqueue(
      upsert('a', 1),
      upsert('a', 2, { v: 2, final: true }),
      { collection: 'other', entityId: 'b', entityVersion: 4, op: 'upsert', payload: { b: 1 } },
      { collection: 'other', entityId: 'gone', entityVersion: 3, op: 'delete' },
      // A stale versioned delete must not remove the newer document.
      { collection: 'other', entityId: 'kept', entityVersion: 5, op: 'delete' },
      // No payload: indexed as an empty document.
      { collection: 'things', entityId: 'empty', entityVersion: 1, op: 'upsert' },
    );
    const committed = new Map(
      (await outbox()).map((r) => [`${r.collection}/${r.entity_id}`, r.committed_at]),
    );
    const calls: (readonly PublishedEvent[])[] = [];
    const relay = new OutboxRelay(transaction, documents, {
      onPublished: (events) => void calls.push(events),
    });
    expect(await relay.drainOnce()).toEqual({ claimed: 6, published: 5, failed: 0, deadLettered: 0 });
    expect(await relay.depth()).toBe(0);
    expect(relay.stats()).toEqual({
      published: 5,
      superseded: 1,
      skippedStale: 0,
      retries: 0,
      storeOutages: 0,
      deadLetters: 0,
      lastError: undefined,
    });
    expect(await documents.get('things', 'a')).toEqual({
      id: 'a',
      document: { v: 2, final: true },
      version: 2,
    });
    expect(await documents.get('other', 'b')).toEqual({ id: 'b', document: { b: 1 }, version: 4 });
    expect(await documents.get('other', 'gone')).toBeUndefined();
    expect(await documents.get('other', 'kept')).toEqual({
      id: 'kept',
      document: { newer: true },
      version: 9,
    });
    expect(await documents.get('things', 'empty')).toEqual({ id: 'empty', document: {}, version: 1 });

    expect(calls).toHaveLength(1);
    const events = calls[0]!;
    expect(
      events
        .map(({ collection, entityId, entityVersion, committedAt }) => ({
          collection,
          entityId,
          entityVersion,
          committedAt,
        }))
        .sort((x, y) => `${x.collection}/${x.entityId}`.localeCompare(`${y.collection}/${y.entityId}`)),
    ).toEqual(
      [
        ['other', 'b', 4],
        ['other', 'gone', 3],
        ['other', 'kept', 5],
        ['things', 'a', 2],
        ['things', 'empty', 1],
      ].map(([collection, entityId, entityVersion]) => ({
        collection,
        entityId,
        entityVersion,
        committedAt: committed.get(`${collection}/${entityId}`),
      })),
    );
    for (const event of events) {
      expect(event.publishedAt).toBeInstanceOf(Date);
      expect(event.publishedAt).toEqual(events[0]!.publishedAt);
    }
    // Nothing due: no step, no callback.
    expect(await relay.drainOnce()).toEqual(ZERO);
    expect(calls).toHaveLength(1);
  });

  it('counts a stale upsert as published and skipped, leaving the newer document', async () => {
    await documents.index('things', 's', { newer: true }, { version: 5 });
    await enqueue(upsert('s', 3));
    const relay = new OutboxRelay(transaction, documents);
    expect(await relay.drainOnce()).toEqual({ claimed: 1, published: 1, failed: 0, deadLettered: 0 });
    expect(relay.stats().skippedStale).toBe(1);
    expect((await documents.get('things', 's'))?.document).toEqual({ newer: true });
  });

  it('retries an item the store refuses (all its events), then dead-letters it with its history', async () => {
    await enqueue(upsert('ok', 1), upsert('refused', 1), upsert('refused', 2, { v: 2, last: true }));
    const [, , head] = await outbox();
    const relay = new OutboxRelay(transaction, documents, { maxAttempts: 3, ...SLOW });
    await expectBackoff(
      async () =>
        expect(await relay.drainOnce()).toEqual({ claimed: 3, published: 1, failed: 2, deadLettered: 0 }),
      100_000,
      2,
    );
    expect((await documents.get('things', 'ok'))?.version).toBe(1);
    for (const row of await outbox()) {
      expect(row.entity_id).toBe('refused');
      expect(row.attempts).toBe(1);
      expect(row.last_error).toContain('refused by the test');
    }
    await makeDue();
    await expectBackoff(() => relay.drainOnce(), 200_000, 2);
    expect((await outbox()).map((r) => r.attempts)).toEqual([2, 2]);
    await makeDue();
    expect(await relay.drainOnce()).toEqual({ claimed: 2, published: 0, failed: 2, deadLettered: 2 });
    expect(await relay.depth()).toBe(0);
    expect(await relay.deadLetterCount()).toBe(2);
    const [, moved] = await dead();
    expect(moved).toMatchObject({
      seq: head!.seq,
      collection: 'things',
      entity_id: 'refused',
      entity_version: 2,
      op: 'upsert',
      payload: { v: 2, last: true },
      committed_at: head!.committed_at,
      attempts: 3,
    });
    expect(moved!.last_error).toContain('refused by the test');
    expect(relay.stats()).toMatchObject({ published: 1, retries: 6, deadLetters: 2, storeOutages: 0 });
  });

  it('fails only the refused input when a collection or payload is invalid, for upserts and deletes', async () => {
    await documents.index('things', 'x', { keep: 1 }, { version: 1 });
    await enqueue(
      { collection: 'Not A Collection', entityId: 'd', entityVersion: 2, op: 'delete' },
      // An invalid newer version must not touch the stored older one.
      upsert('x', 2, { 'bad.field': 1 }),
      upsert('fine', 1),
    );
    const relay = new OutboxRelay(transaction, documents, SLOW);
    expect(await relay.drainOnce()).toEqual({ claimed: 3, published: 1, failed: 2, deadLettered: 0 });
    expect(relay.stats()).toMatchObject({ storeOutages: 0, retries: 2 });
    expect((await outbox()).map((r) => [r.entity_id, r.attempts])).toEqual([
      ['d', 1],
      ['x', 1],
    ]);
    for (const row of await outbox()) expect(row.last_error).toMatch(/./);
    expect(await documents.get('things', 'x')).toEqual({ id: 'x', document: { keep: 1 }, version: 1 });
    expect(await documents.get('things', 'fine')).toBeDefined();
  });

  it('treats a failing store as an outage: no attempt spent, backoff grows per outage and resets', async () => {
    const store = new SwitchableRepository(closedDocuments);
    const message = await closedDocuments.bulkIndex('things', [{ id: 'probe', document: {} }]).then(
      () => {
        throw new Error('a closed repository accepted a bulk');
      },
      (error: unknown) => (error as Error).message,
    );
    await enqueue(upsert('a', 1), upsert('a', 2), upsert('b', 1));
    const relay = new OutboxRelay(transaction, store, SLOW);
    await expectBackoff(
      async () =>
        expect(await relay.drainOnce()).toEqual({ claimed: 3, published: 0, failed: 3, deadLettered: 0 }),
      100_000,
      3,
    );
    expect(relay.stats()).toMatchObject({ storeOutages: 1, retries: 3, lastError: message, deadLetters: 0 });
    for (const row of await outbox()) {
      expect(row.attempts).toBe(0);
      expect(row.last_error).toBe(message);
    }
    // A step with nothing due is no evidence that the store is back.
    expect(await relay.drainOnce()).toEqual(ZERO);
    await makeDue();
    await expectBackoff(() => relay.drainOnce(), 200_000, 3);
    expect(relay.stats()).toMatchObject({ storeOutages: 2, retries: 6 });
    // The store is back: everything is published, and the next outage starts from the base delay.
    store.target = documents;
    await makeDue();
    expect(await relay.drainOnce()).toEqual({ claimed: 3, published: 2, failed: 0, deadLettered: 0 });
    store.target = closedDocuments;
    await enqueue(upsert('c', 1));
    await expectBackoff(() => relay.drainOnce(), 100_000, 1);
    // A delete against a store that is down is an outage too.
    store.target = documents;
    await makeDue();
    await relay.drainOnce();
    store.target = closedDocuments;
    await enqueue({ collection: 'things', entityId: 'c', entityVersion: 2, op: 'delete' });
    expect(await relay.drainOnce()).toEqual({ claimed: 1, published: 0, failed: 1, deadLettered: 0 });
    expect(relay.stats()).toMatchObject({ storeOutages: 4 });
    expect((await outbox())[0]?.attempts).toBe(0);
  });

  it('stands by while another relay holds the lock', async () => {
    await enqueue(upsert('a', 1));
    const relay = new OutboxRelay(transaction, documents);
    await transaction(async (session) => {
      await session.query('SELECT pg_advisory_xact_lock($1)', [RELAY_LOCK_KEY]);
      expect(await relay.drainOnce()).toEqual(ZERO);
    });
    expect(await relay.depth()).toBe(1);
    expect((await relay.drainOnce()).published).toBe(1);
  });

  it('holds back an entity while an older event of it waits for a retry', async () => {
    await enqueue(upsert('refused', 1));
    const relay = new OutboxRelay(transaction, documents, SLOW);
    await relay.drainOnce();
    await enqueue(upsert('refused', 2), upsert('other', 1));
    expect(await relay.drainOnce()).toEqual({ claimed: 1, published: 1, failed: 0, deadLettered: 0 });
    expect((await outbox()).map((r) => [r.entity_version, r.attempts])).toEqual([
      [1, 1],
      [2, 0],
    ]);
  });

  describe('drain', () => {
    it('keeps claiming while batches come back full, and returns 0 once empty', async () => {
      await enqueue(upsert('a', 1), upsert('b', 1), upsert('c', 1));
      const relay = new OutboxRelay(transaction, documents, { batchSize: 1 });
      // A deadline already past: only the claims themselves keep it going.
      expect(await relay.drain(0)).toBe(0);
      expect(relay.stats().published).toBe(3);
      // Returns as soon as nothing is left, long before this deadline.
      await enqueue(upsert('d', 1));
      expect(await relay.drain(3_600_000)).toBe(0);
    });

    it('waits for an event whose retry is due before its deadline', async () => {
      const store = new SwitchableRepository(closedDocuments);
      await enqueue(upsert('a', 1));
      const relay = new OutboxRelay(transaction, store, { backoffBaseMs: 200, pollIntervalMs: 5 });
      await relay.drainOnce(); // outage: the event is due again in 200 ms
      store.target = documents;
      expect(await relay.drain(60_000)).toBe(0);
      expect((await documents.get('things', 'a'))?.version).toBe(1);
    });

    it('returns the remaining depth when the deadline passes', async () => {
      await enqueue(upsert('refused', 1), upsert('a', 1));
      const relay = new OutboxRelay(transaction, documents, { ...SLOW, pollIntervalMs: 5 });
      expect(await relay.drain(0)).toBe(1);
      expect(await relay.drain(30)).toBe(1);
      expect(await relay.depth()).toBe(1);
    });
  });

  describe('background loop', () => {
    it('publishes until stopped, restarts, and ignores a second start', async () => {
      const relay = new OutboxRelay(transaction, documents, { pollIntervalMs: 5 });
      await relay.stop(); // never started: nothing to stop
      relay.start();
      relay.start();
      await enqueue(upsert('a', 1));
      expect(await waitFor(async () => (await relay.depth()) === 0, 10_000)).toBe(true);
      await relay.stop();
      // Stopped (both starts): a new event stays queued.
      await enqueue(upsert('b', 1));
      await pause(200);
      expect(await relay.depth()).toBe(1);
      relay.start();
      expect(await waitFor(async () => (await relay.depth()) === 0, 10_000)).toBe(true);
      await relay.stop();
    });

    it('stops at once even while it waits a long poll interval', async () => {
      const relay = new OutboxRelay(transaction, documents, { pollIntervalMs: 3_600_000 });
      relay.start();
      await relay.stop(); // aborted while the first step was in flight
      relay.start();
      await pause(50);
      await relay[Symbol.asyncDispose]();
      // Disposed means stopped: a new start runs a fresh loop, whose first step publishes at once.
      await enqueue(upsert('a', 1));
      relay.start();
      expect(await waitFor(async () => (await relay.depth()) === 0, 10_000)).toBe(true);
      await relay.stop();
    });

    it('counts a failing transactional store and backs off, sharing the outage streak', async () => {
      let current: RunInTransaction = (fn) => closedDal.session('transactional', fn);
      const message = await Promise.resolve()
        .then(() => current(() => Promise.resolve(0)))
        .then(
          () => {
            throw new Error('a closed data access layer ran a session');
          },
          (error: unknown) => (error as Error).message,
        );
      const switching: RunInTransaction = (fn) => current(fn);
      const relay = new OutboxRelay(switching, closedDocuments, { ...SLOW, backoffBaseMs: 3_600_000 });
      relay.start();
      expect(await waitFor(() => relay.stats().retries >= 1, 10_000)).toBe(true);
      await relay.stop(); // must not wait out the hour-long backoff
      expect(relay.stats()).toMatchObject({ retries: 1, lastError: message, storeOutages: 0 });
      // The PostgreSQL failure counted as outage 1: the search outage that follows waits twice the base.
      current = transaction;
      await enqueue(upsert('a', 1));
      await expectBackoff(() => relay.drainOnce(), 7_200_000, 1);
    });
  });
});
