// After a load, the system under test settles its databases: every data table (each partition of a
// partitioned metric table included) has been vacuumed and analyzed, so the planner has statistics
// before the measure phase rather than whenever autovacuum gets to it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { timescaleOptions } from '../backends/timescaledb/options.ts';
import { parseStorageConfigs } from '../config/storage-config.ts';
import { requireStore, unavailableReason } from '../../test/support/stores.ts';
import { builtInProfiles } from './builtin-profiles.ts';
import { databaseName } from './profile-databases.ts';
import { defineProfile, type Profile } from './profile.ts';
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

const noTimescale = unavailableReason('timescaledb');

describe.skipIf(noTimescale !== undefined)(
  `settle after load on TimescaleDB${noTimescale ? ` (skipped: ${noTimescale})` : ''}`,
  () => {
    /** 3 weeks of one point a minute on 4 series: three weekly chunks, the newest holding the last week. */
    const points = Array.from({ length: 3 * 7 * 24 * 60 }, (_, minute) =>
      [0, 1, 2, 3].map((series) => ({
        timestamp: new Date(Date.UTC(2024, 0, 1) + minute * 60_000),
        metricName: `cpu-${series}`,
        value: 50 + series + Math.sin(minute / 30) * 10,
      })),
    ).flat();
    const whole = {
      metricName: 'cpu-2',
      start: new Date(Date.UTC(2024, 0, 1)),
      end: new Date(Date.UTC(2024, 0, 23)),
      aggregation: 'avg',
      interval: '1d',
    } as const;

    const build = async (profile: Profile) => {
      const kinds = [...profile.requires, 'timescaledb'] as const;
      const sut = await SystemUnderTest.build(profile, {
        endpoints: Object.fromEntries(kinds.map((kind) => [kind, requireStore(kind).url])),
        runLabel: randomBytes(3).toString('hex'),
      });
      try {
        for (let i = 0; i < points.length; i += 5_000)
          await sut.dal.timeSeries.saveMetrics(points.slice(i, i + 5_000));
      } catch (error) {
        await sut[Symbol.asyncDispose]();
        throw error;
      }
      return sut;
    };

    it('compresses every chunk but the newest, reports the ratio, and reads the same data', async () => {
      await using sut = await build(builtInProfiles().get('polyglot-nocache') as Profile);
      expect(sut.capabilities.backends.timeseries).toBe('timescaledb');
      const before = await sut.dal.timeSeries.queryMetrics(whole);
      await sut.settleAfterLoad();
      const facts = await sut.storageFacts();
      expect(facts.metrics.timeseriesChunks).toBeGreaterThanOrEqual(3);
      expect(facts.metrics.timeseriesCompressedChunks).toBe((facts.metrics.timeseriesChunks ?? 0) - 1);
      expect(facts.metrics.timeseriesCompressionRatio).toBeGreaterThan(2);
      expect(facts.notes.join('\n')).toMatch(/chunks compressed before measuring .*\(×\d+\.\d\)/);
      expect(await sut.dal.timeSeries.queryMetrics(whole)).toEqual(before);
      // A second settle (a reused dataset settles nothing, but a rerun must not fail) changes nothing.
      await sut.settleAfterLoad();
      expect((await sut.storageFacts()).metrics).toEqual(facts.metrics);
      // Writes after the newest point go to the uncompressed chunk; an overwrite of a compressed one works too.
      await sut.dal.timeSeries.saveMetrics([
        { timestamp: new Date(Date.UTC(2024, 0, 2)), metricName: 'cpu-2', value: 1000 },
      ]);
      const [day2] = (await sut.dal.timeSeries.queryMetrics(whole)).slice(1, 2);
      expect(day2?.value).toBeGreaterThan(before[1]?.value ?? Infinity);
    });

    it('keeps every chunk as loaded when the profile turns compression off', async () => {
      const base = builtInProfiles().get('polyglot-nocache') as Profile;
      const uncompressed = defineProfile({
        name: 'polyglot-uncompressed',
        description: 'test: TimescaleDB without compression',
        requires: [...base.requires],
        optional: ['timescaledb'],
        storage: (env) => {
          const storage = base.storage(env);
          return {
            ...storage,
            configs: storage.configs.map((c) =>
              c.type === 'timeseries' ? { ...c, options: { compression: 'off' } } : c,
            ),
          };
        },
      });
      await using sut = await build(uncompressed);
      await sut.settleAfterLoad();
      const facts = await sut.storageFacts();
      expect(facts.metrics.timeseriesCompressedChunks).toBe(0);
      expect(facts.metrics.timeseriesCompressionRatio).toBeUndefined();
      expect(facts.notes.join('\n')).toMatch(/compression off/);
    });
  },
);

describe('the timescaledb backend options', () => {
  const config = (options: Record<string, unknown>) =>
    parseStorageConfigs([
      { type: 'timeseries', backend: 'timescaledb', url: 'postgres://h/db', options },
    ])[0]!;
  it('default to compression settled and no rollup, and name a bad or unknown option', () => {
    expect(timescaleOptions(config({}))).toEqual({ compression: 'settled', rollup: 'none' });
    expect(timescaleOptions(config({ compression: 'off', rollup: 'hourly' }))).toEqual({
      compression: 'off',
      rollup: 'hourly',
    });
    expect(() => timescaleOptions(config({ compression: 'fast' }))).toThrow(
      /options\.compression.*"settled"\|"off"/,
    );
    expect(() => timescaleOptions(config({ rollup: 'daily' }))).toThrow(/options\.rollup.*"none"\|"hourly"/);
    expect(() => timescaleOptions(config({ compresion: 'off' }))).toThrow(/options.*compresion/);
  });
});
