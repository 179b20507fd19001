// After a load, the system under test settles its databases: every data table (each partition of a
// partitioned metric table included) has been vacuumed and analyzed, so the planner has statistics
// before the measure phase rather than whenever autovacuum gets to it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { requireStore } from '../../test/support/stores.ts';
import { builtInProfiles } from './builtin-profiles.ts';
import { databaseName } from './profile-databases.ts';
import type { Profile } from './profile.ts';
import { SystemUnderTest } from './system-under-test.ts';

describe('settle after load', () => {
  it('vacuums and analyzes every table of the profile database, partitions included', async () => {
    // polyglot without TimescaleDB keeps its metrics in a partitioned PostgreSQL table.
    const profile = builtInProfiles().get('polyglot') as Profile;
    const runLabel = randomBytes(3).toString('hex');
    await using sut = await SystemUnderTest.build(profile, {
      endpoints: Object.fromEntries(profile.requires.map((kind) => [kind, requireStore(kind).url])),
      runLabel,
    });
    // Two days apart: two partitions of the metric table.
    await sut.dal.timeSeries.saveMetrics([
      { timestamp: new Date('2024-01-01T00:00:00Z'), metricName: 'm', value: 1 },
      { timestamp: new Date('2024-02-15T00:00:00Z'), metricName: 'm', value: 2 },
    ]);
    await sut.dal.documents.index('experiments', 'a', { title: 'settled' });
    await sut.settleAfterLoad();

    const url = new URL(requireStore('postgres').url);
    url.pathname = `/${databaseName('postgres', `${profile.name}_${runLabel}`)}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      // A partitioned parent has no storage of its own to vacuum: its partitions are vacuumed.
      const tables = await client.query<{ name: string; vacuumed: boolean; analyzed: boolean }>(
        `SELECT s.relid::regclass::text AS name,
                s.last_vacuum IS NOT NULL OR c.relkind = 'p' AS vacuumed,
                s.last_analyze IS NOT NULL AS analyzed
           FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid ORDER BY 1`,
      );
      expect(tables.rows.length).toBeGreaterThan(3);
      const partitions = tables.rows.filter((t) => /^dal_metrics_p\d+$/.test(t.name));
      expect(partitions.length, JSON.stringify(tables.rows)).toBe(2);
      expect(
        tables.rows.filter((t) => !t.vacuumed || !t.analyzed),
        JSON.stringify(tables.rows),
      ).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
