// Issue 14 §4, stores given as one server: one PostgreSQL behind both DALBENCH_POSTGRES_URL and
// DALBENCH_TIMESCALE_URL (docker mode does this; a user's TimescaleDB is usually also their PostgreSQL).
// Each profile database names its store kind, so the second CREATE DATABASE no longer clashes: the
// polyglot profile either runs on TimescaleDB or says clearly that this server has no timescaledb
// extension (a plain PostgreSQL cannot serve as TimescaleDB), and the migration job completes
// (falling back to partitioned PostgreSQL, with a warning, where the extension is missing) and leaves
// no database behind.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runMigrationJob } from '../../harness/run/jobs/migration-job.ts';
import { builtInProfiles } from '../../reference-dal/profiles/builtin-profiles.ts';
import { databaseName } from '../../reference-dal/profiles/profile-databases.ts';
import { metricsQuery } from '../../scenarios/metrics-query.ts';
import { requireStore } from '../support/stores.ts';
import { runOnOneServer } from './support/one-server.ts';

const scenario = { scenario: metricsQuery({ size: 'quick' }) };

async function query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: requireStore('postgres').url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const hasTimescale = async () =>
  (await query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")).length > 0;

describe('one PostgreSQL server behind postgres and timescaledb', () => {
  it('names each profile database for its store kind, distinct even when cut to 63 characters', () => {
    const label = `polyglot_${'x'.repeat(60)}_a1b2c3_0_0`;
    const names = [
      databaseName('postgres', 'polyglot_a1b2c3_0_0'),
      databaseName('timescaledb', 'polyglot_a1b2c3_0_0'),
      databaseName('postgres', label),
      databaseName('timescaledb', label),
      databaseName('postgres', `${label}1`),
    ];
    expect(names.slice(0, 2)).toEqual(['dalbench_pg_polyglot_a1b2c3_0_0', 'dalbench_ts_polyglot_a1b2c3_0_0']);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9_]{1,63}$/);
  });

  it('runs polyglot on TimescaleDB, or errors naming the missing timescaledb extension (never a name clash)', async () => {
    const results = await runOnOneServer({
      scenario,
      profiles: [builtInProfiles().get('polyglot')!],
      durationMs: 300,
    });
    const [result] = results.scenarios;
    expect(result!.reason ?? '').not.toMatch(/already exists/);
    if (await hasTimescale()) {
      expect(result!.status, result!.reason).toBe('completed');
    } else {
      expect(result!.status).toBe('errored');
      expect(result!.reason).toMatch(/timescaledb extension/);
      expect(result!.reason).toMatch(/DALBENCH_TIMESCALE_URL/);
    }
  });

  it('runs the migration job and leaves no database behind', async () => {
    const postgres = requireStore('postgres').url;
    const label = `t${randomBytes(4).toString('hex')}`;
    const result = await runMigrationJob({
      endpoints: {
        postgres,
        timescaledb: postgres,
        elasticsearch: requireStore('elasticsearch').url,
        s3: requireStore('s3').url,
      },
      seed: 7,
      quick: true,
      points: 40,
      label,
      profile: 'polyglot',
      repeat: 0,
      log: () => {},
    });
    expect(result.status, result.reason).toBe('completed');
    expect(result.metrics.migrationMismatches).toBe(0);
    if (!(await hasTimescale())) {
      expect(result.warnings.join('\n')).toMatch(/no timescaledb extension.*partitioned PostgreSQL/);
    }
    const left = await query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `%${label}%`,
    ]);
    expect(left).toEqual([]);
  });
});
