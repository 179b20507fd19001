// The raw side of a PostgreSQL bench path runs on the DAL's own pool, so one server process serves
// both sides. With a pool of its own, two warm processes still differed: postgres.create read 1.07
// against 1.00–1.02 on the DAL's pool, the same code in both.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { pgConnection } from '../../../reference-dal/sql/connection.ts';
import { requireStore } from '../../../test/support/stores.ts';
import { outboxGroup } from './outbox.ts';
import type { PathGroupSpec } from './path.ts';
import { postgresGroup } from './postgres.ts';
import { timeSeriesGroup } from './time-series.ts';

/** Server processes per scratch database the group made, after each named path ran both sides once. */
async function backendsAfterRunning(
  group: PathGroupSpec,
  label: string,
  runs: (id: string) => boolean,
): Promise<Record<string, number>> {
  const url = requireStore('postgres').url;
  const monitor = new pg.Client(pgConnection(url));
  await monitor.connect();
  try {
    const pattern = `dalbench_${label}_%`;
    const names = async () =>
      (
        await monitor.query<{ d: string }>('SELECT datname AS d FROM pg_database WHERE datname LIKE $1', [
          pattern,
        ])
      ).rows.map((row) => row.d);
    const before = new Set(await names());
    await using opened = await group.open({ postgres: url }, { timescaledb: 'not in this test' });
    const ran = opened.paths.filter((path) => runs(path.id));
    expect(ran.length).toBeGreaterThan(0);
    for (const path of ran) {
      await path.dal();
      await path.raw();
    }
    const made = (await names()).filter((name) => !before.has(name));
    expect(made).toHaveLength(1);
    const counted = await monitor.query<{ d: string; n: number }>(
      `SELECT datname AS d, count(*)::int AS n FROM pg_stat_activity
        WHERE datname = ANY($1) AND backend_type = 'client backend' GROUP BY datname`,
      [made],
    );
    return Object.fromEntries(counted.rows.map((row) => [row.d.replace(/_[0-9a-f]{8}$/, ''), row.n]));
  } finally {
    await monitor.end();
  }
}

describe('bench:dal raw side', () => {
  it('runs the metadata and bytea paths on the repositories’ own connections', async () => {
    // One connection for the transactional repositories, one for the object repository.
    expect(await backendsAfterRunning(postgresGroup, 'bench_pg', () => true)).toEqual({
      dalbench_bench_pg: 2,
    });
  });

  it('runs the outbox transactions on the DAL’s transactional connection', async () => {
    // The pool-settings row compares two pools of its own by design; the rest share the DAL's one.
    const group = await backendsAfterRunning(
      outboxGroup,
      'bench_outbox',
      (id) => id !== 'outbox.pool-settings',
    );
    expect(group).toEqual({ dalbench_bench_outbox: 1 });
  });

  it('runs the time-series inserts and queries on each backend’s own connection', async () => {
    // Partitioned and plain layouts, one DAL (one connection) each in one scratch database.
    expect(await backendsAfterRunning(timeSeriesGroup, 'bench_ts', () => true)).toEqual({
      dalbench_bench_ts: 2,
    });
  });
});
