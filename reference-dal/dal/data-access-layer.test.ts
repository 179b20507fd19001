// The DataAccessLayer on a real PostgreSQL: sessions commit or roll back, accessors, health,
// retries of unreachable stores, close. Session rollback is a property over random writes.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertProperty } from '../../harness/conformance/support/seed.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { requireStore } from '../../test/support/stores.ts';
import { DalError, StoreError, ValidationError, VersionConflictError } from '../errors.ts';
import type { Detector } from '../ports/transactional.ts';
import { DataAccessLayer } from './data-access-layer.ts';

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase(requireStore('postgres').url, 'dal');
});
afterAll(async () => {
  await database?.[Symbol.asyncDispose]();
});

function configs() {
  if (!database) throw new Error('database not created');
  return [
    { type: 'transactional', backend: 'postgres', url: database.url, poolSize: 4 },
    { type: 'timeseries', backend: 'postgres', url: database.url, poolSize: 2 },
  ];
}

const detector = (name: string): Detector => ({
  name,
  algorithm: 'zscore',
  parameters: {},
  status: 'active',
});

describe('DataAccessLayer', () => {
  it('rejects an invalid config with a ValidationError naming the field', async () => {
    await expect(
      DataAccessLayer.initialize([
        { type: 'transactional', backend: 'postgres', url: 'postgres://x/y', poolSize: 0 },
      ]),
    ).rejects.toMatchObject({ name: 'ValidationError', field: 'storage config[0].poolSize' });
    await expect(
      DataAccessLayer.initialize([{ type: 'cache', backend: 'postgres', url: 'postgres://x/y' }]),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('commits a session whose callback resolves, and returns its value', async () => {
    await using dal = await DataAccessLayer.initialize(configs());
    const id = await dal.session('transactional', async (session) => {
      const created = await session.detectors.create(detector('committed'));
      const raw = await session.query<{ n: string }>(
        'SELECT count(*) AS n FROM dal_detectors WHERE id = $1',
        [created.id],
      );
      expect(raw.rows[0]?.n).toBe('1');
      return created.id;
    });
    expect((await dal.metadata.detectors.get(id))?.data.name).toBe('committed');
  });

  it('rolls a session back when its callback throws, rethrowing the original error', async () => {
    await using dal = await DataAccessLayer.initialize(configs());
    await assertProperty(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 8 }),
        async (names) => {
          const before = await dal.metadata.detectors.count();
          const failure = new Error('callback failed');
          const thrown = await dal
            .session('transactional', async (session) => {
              for (const name of names) await session.detectors.create(detector(name));
              await session.experiments.create({
                name: 'e',
                description: '',
                detectorId: null,
                status: 'running',
                tags: [],
                metrics: {},
              });
              throw failure;
            })
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(thrown).toBe(failure);
          expect(await dal.metadata.detectors.count()).toBe(before);
          expect(await dal.metadata.experiments.count()).toBe(0);
        },
      ),
      15,
    );
  });

  it('a stale update inside a session rolls back the session’s other writes', async () => {
    await using dal = await DataAccessLayer.initialize(configs());
    const existing = await dal.metadata.detectors.create(detector('v1'));
    await dal.metadata.detectors.update(existing.id, 1, detector('v2'));
    const before = await dal.metadata.detectors.count();
    await expect(
      dal.session('transactional', async (session) => {
        await session.detectors.create(detector('side effect'));
        await session.detectors.update(existing.id, 1, detector('stale'));
      }),
    ).rejects.toBeInstanceOf(VersionConflictError);
    expect(await dal.metadata.detectors.count()).toBe(before);
    expect((await dal.metadata.detectors.get(existing.id))?.data.name).toBe('v2');
  });

  it('serves the time-series repository and reports every store healthy', async () => {
    await using dal = await DataAccessLayer.initialize(configs());
    const t = new Date('2026-02-02T10:00:00Z');
    await dal.timeSeries.saveMetrics([{ timestamp: t, metricName: 'dal.cpu', value: 0.5 }]);
    expect(await dal.timeSeries.countPoints('dal.cpu')).toBe(1);
    const health = await dal.healthCheck({ timeoutMs: 2000 });
    expect(Object.keys(health).sort()).toEqual(['timeseries', 'transactional']);
    for (const entry of Object.values(health)) {
      expect(entry).toMatchObject({ ok: true, store: 'postgres' });
      expect(entry.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(dal.retryCounters()).toEqual({
      transactional: { retries: 0, exhausted: 0 },
      timeseries: { retries: 0, exhausted: 0 },
    });
    expect(() => dal.documents).toThrow(/"document" is not configured/);
  });

  it('lends the pool a PostgreSQL-backed store runs on, and refuses one that has none', async () => {
    if (!database) throw new Error('database not created');
    await using dal = await DataAccessLayer.initialize([
      ...configs(),
      { type: 'object', backend: 'postgres', url: database.url, poolSize: 3 },
      { type: 'cache', backend: 'redis', url: requireStore('redis').url },
    ]);
    const pool = dal.postgresPool('transactional');
    expect(dal.postgresPool('transactional')).toBe(pool);
    expect([pool.options.max, dal.postgresPool('timeseries').options.max]).toEqual([4, 2]);
    expect(dal.postgresPool('object').options.max).toBe(3);
    const created = await dal.metadata.detectors.create(detector('lent'));
    const seen = await pool.query<{ name: string }>(
      `SELECT data->>'name' AS name FROM dal_detectors WHERE id = $1`,
      [created.id],
    );
    expect(seen.rows).toEqual([{ name: 'lent' }]);
    expect(pool.totalCount).toBeGreaterThan(0); // the connection the repository used, not a new pool's
    expect(() => dal.postgresPool('cache')).toThrow(
      /"cache" runs on redis \(backend "redis"\), not on a PostgreSQL pool/,
    );
    expect(() => dal.postgresPool('document')).toThrow(/"document" is not configured/);
    await dal.close();
    expect(() => dal.postgresPool('transactional')).toThrow(/closed/);
  });

  it('close is idempotent and the DAL refuses use afterwards', async () => {
    const dal = await DataAccessLayer.initialize(configs());
    await dal.close();
    await dal.close();
    expect(() => dal.metadata).toThrow(DalError);
  });

  it('fails to initialise an unreachable store after bounded retries, naming it without the password', async () => {
    const started = performance.now();
    const error = await DataAccessLayer.initialize([
      {
        type: 'transactional',
        backend: 'postgres',
        url: 'postgres://u:hunter2@127.0.0.1:1/db',
        retryAttempts: 2,
      },
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    const message = (error as StoreError).message;
    expect(message).toContain('postgres at postgres://u:***@127.0.0.1:1/db');
    expect(message).not.toContain('hunter2');
    expect((error as StoreError).cause).toBeDefined();
    // Two retries with 20 ms and 40 ms back-off happened before giving up.
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('rejects a storage type/backend with no registered factory', async () => {
    await expect(
      DataAccessLayer.initialize(
        [{ type: 'document', backend: 'elasticsearch', url: 'http://127.0.0.1:9' }],
        {
          factories: {},
        },
      ),
    ).rejects.toThrow(/no backend factory for storage type "document"/);
  });
});
