// Failure paths of the partitioned time-series backend that the contract cannot reach generically:
// the server refusing to create a partition, and refusing an upsert for a reason other than a missing
// partition. Both must reach the caller as what they are (not swallowed, not retried into another error).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTimeSeries } from '../../harness/conformance/support/postgres-subjects.ts';
import { PostgresTimeSeriesRepository } from '../../reference-dal/backends/postgres/time-series-repository.ts';
import { sqlState } from '../../reference-dal/sql/queryable.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { requireStore } from '../support/stores.ts';

const MONDAY = Date.parse('2027-03-01T00:00:00Z');
const WEEK = 7 * 86_400_000;

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase(requireStore('postgres').url, 'ts_errors');
});
afterAll(async () => {
  await database?.[Symbol.asyncDispose]();
});

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  if (!database) throw new Error('database not created');
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

function open() {
  if (!database) throw new Error('database not created');
  return openTimeSeries(
    database.url,
    'postgres',
    (pool) => PostgresTimeSeriesRepository.migrate(pool),
    (db) => new PostgresTimeSeriesRepository(db),
  );
}

async function failure(attempt: Promise<unknown>): Promise<unknown> {
  return attempt.then(
    () => {
      throw new Error('expected the write to be refused');
    },
    (error: unknown) => error,
  );
}

describe('postgres time-series failure paths', () => {
  it('a refused upsert is reported once, not retried as if a partition were missing', async () => {
    await using repository = await open();
    await repository.saveMetrics([{ timestamp: new Date(MONDAY + 3_600_000), metricName: 'ok', value: 1 }]);
    await admin(async (client) => {
      await client.query(`CREATE FUNCTION refuse_metric() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.metric_name = 'refused' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
      await client.query(`CREATE TRIGGER refuse_metric BEFORE INSERT ON dal_metrics
        FOR EACH ROW EXECUTE FUNCTION refuse_metric()`);
    });
    const sent = repository.roundTrips();
    const error = await failure(
      repository.saveMetrics([{ timestamp: new Date(MONDAY + 7_200_000), metricName: 'refused', value: 2 }]),
    );
    expect(sqlState(error)).toBe('P0001'); // raise_exception, with the trigger's message as the cause
    expect(repository.roundTrips() - sent).toBe(1);
    expect(await repository.countPoints('refused')).toBe(0);
  });

  it('a refused partition creation reaches the caller with the server error', async () => {
    await using repository = await open();
    await admin(async (client) => {
      await client.query(`CREATE FUNCTION refuse_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'no new tables (test)' USING ERRCODE = '42501'; END $$`);
      await client.query(`CREATE EVENT TRIGGER refuse_ddl ON ddl_command_start
        WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION refuse_ddl()`);
    });
    try {
      const error = await failure(
        repository.saveMetrics([
          { timestamp: new Date(MONDAY + 5 * WEEK), metricName: 'new-week', value: 1 },
        ]),
      );
      // Not the "no partition for row" (23514) that follows if the creation error were swallowed.
      expect(sqlState(error)).toBe('42501');
      expect(String((error as Error).cause)).toContain('no new tables (test)');
    } finally {
      await admin((client) => client.query('DROP EVENT TRIGGER refuse_ddl'));
    }
  });
});
