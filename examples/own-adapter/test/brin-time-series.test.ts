// dalbench's time-series contract against the BRIN repository, on a scratch database this file
// creates (and drops) on the PostgreSQL server at DALBENCH_POSTGRES_URL.
import { timeSeriesContract } from 'dalbench/conformance';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { BrinTimeSeriesRepository, migrate } from '../src/brin-time-series.ts';

const server = process.env['DALBENCH_POSTGRES_URL'];
if (!server) {
  throw new Error(
    'DALBENCH_POSTGRES_URL is not set: point it at a PostgreSQL server (postgres://user:password@host:port/postgres); this test creates and drops its own database there',
  );
}
const database = `brin_contract_${process.pid}_${Date.now().toString(36)}`;
const url = new URL(server);
url.pathname = `/${database}`;

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await onServer(`CREATE DATABASE ${database}`);
  const pool = new pg.Pool({ connectionString: url.href, max: 1 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
});

afterAll(async () => {
  await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

/** A repository on its own pool, counting the statements it sends (the contract checks round trips). */
function openRepository() {
  const pool = new pg.Pool({ connectionString: url.href, max: 4 });
  let sent = 0;
  const repository = new BrinTimeSeriesRepository({
    query: (config) => {
      sent += 1;
      return pool.query(config);
    },
  });
  return Object.assign(repository, {
    roundTrips: () => sent,
    [Symbol.asyncDispose]: () => pool.end(),
  });
}

timeSeriesContract('PostgreSQL table with a BRIN index (examples/own-adapter)', () => {
  const repository = openRepository();
  return Promise.resolve({
    repository,
    openAnother: () => Promise.resolve(openRepository()),
    roundTrips: repository.roundTrips,
    [Symbol.asyncDispose]: () => repository[Symbol.asyncDispose](),
  });
});
