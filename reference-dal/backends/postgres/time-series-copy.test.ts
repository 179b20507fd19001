// COPY loading into the repositories' own tables, read back through the DAL's repositories, and
// dataset reuse: a changed seed, scale or spec always reloads; an interrupted load is never reused.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { requireStore, unavailableReason } from '../../../test/support/stores.ts';
import { envSeed } from '../../../harness/stats/random.ts';
import { NAMED_SCALES, parseScale, type ScaleSpec } from '../../../harness/data/scale.ts';
import { metricDataset } from '../../../harness/data/sources.ts';
import type { MetricPoint } from '../../ports/time-series.ts';
import { PostgresTimeSeriesRepository } from './time-series-repository.ts';
import { PLAIN_METRICS_TARGET, PlainPostgresTimeSeriesRepository } from './time-series-plain.ts';
import {
  POSTGRES_METRICS_TARGET,
  checkMetricDataset,
  loadMetricDataset,
  readMetricDatasetMarker,
} from './time-series-copy.ts';

const seed = envSeed();
console.log(`time-series-copy seed ${seed} (replay with DALBENCH_SEED=${seed})`);
/** Small: 3 series × 500 points spanning two weekly partitions (10 min apart). */
const tiny: ScaleSpec = {
  ...NAMED_SCALES.xs,
  name: 'tiny',
  metrics: { series: 3, pointsPerSeries: 1_500, intervalMs: 600_000 },
};

describe.skipIf(unavailableReason('postgres') !== undefined)('COPY loader for metric points', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTestDatabase(requireStore('postgres').url, 'copy');
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    await PostgresTimeSeriesRepository.migrate(pool);
    await PlainPostgresTimeSeriesRepository.migrate(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.[Symbol.asyncDispose]();
  });

  const expectHolds = async (
    repository: PostgresTimeSeriesRepository | PlainPostgresTimeSeriesRepository,
    data: ReturnType<typeof metricDataset>,
  ) => {
    expect(await repository.countPoints()).toBe(data.generator.total);
    const series = data.generator.series[1]!;
    const stored = await repository.readPoints(
      series.metricName,
      new Date(data.source.startMs),
      new Date(data.source.endMs),
    );
    const generated: MetricPoint[] = [...data.generator.seriesPoints(1)].map((p) => ({
      ...p,
      tags: { ...p.tags },
    }));
    expect(stored).toEqual(generated);
  };

  it('loads into the partitioned table the repository reads (partitions made, key rebuilt)', async () => {
    const data = metricDataset(tiny, seed, POSTGRES_METRICS_TARGET.schemaVersion);
    const result = await loadMetricDataset(pool, POSTGRES_METRICS_TARGET, data.identity, data.source);
    expect(result).toMatchObject({ action: 'loaded', records: 4_500 });
    await expectHolds(new PostgresTimeSeriesRepository(pool), data);
    // The primary key is back: an upsert through the DAL updates instead of duplicating.
    const point = data.generator.seriesPoints(0).next().value as MetricPoint;
    await new PostgresTimeSeriesRepository(pool).saveMetrics([{ ...point, value: 1 }]);
    expect(await new PostgresTimeSeriesRepository(pool).countPoints()).toBe(4_500);
  });

  it('loads the plain table too', async () => {
    const data = metricDataset(tiny, seed, PLAIN_METRICS_TARGET.schemaVersion);
    expect((await loadMetricDataset(pool, PLAIN_METRICS_TARGET, data.identity, data.source)).action).toBe(
      'loaded',
    );
    await expectHolds(new PlainPostgresTimeSeriesRepository(pool), data);
  });

  it('never serves another seed, scale or spec; reuses the same one; never reuses an interrupted load', async () => {
    const target = POSTGRES_METRICS_TARGET;
    const repository = new PostgresTimeSeriesRepository(pool);
    const a = metricDataset(tiny, seed, target.schemaVersion);
    await loadMetricDataset(pool, target, a.identity, a.source, { force: true });
    // Same identity → reused, nothing written.
    expect((await loadMetricDataset(pool, target, a.identity, a.source)).action).toBe('reused');

    const variants = {
      seed: metricDataset(tiny, seed + 1, target.schemaVersion),
      scale: metricDataset(
        { ...tiny, name: 'tiny2', metrics: { ...tiny.metrics, pointsPerSeries: 1_000 } },
        seed,
        target.schemaVersion,
      ),
      spec: metricDataset(tiny, seed, target.schemaVersion, { variant: 'other-tags' }),
    };
    for (const [what, b] of Object.entries(variants)) {
      expect((await checkMetricDataset(pool, target, b.identity)).action, what).toBe('reload');
      const result = await loadMetricDataset(pool, target, b.identity, b.source);
      expect(result.action, what).toBe('loaded');
      await expectHolds(repository, b);
      // And back: A is not there any more, so asking for A reloads it.
      expect((await loadMetricDataset(pool, target, a.identity, a.source)).action, what).toBe('loaded');
      await expectHolds(repository, a);
    }

    // A load of B that dies halfway: rolled back, B not reusable, A intact and still reusable.
    const b = variants.seed;
    const interrupted = {
      ...b.source,
      *points() {
        let n = 0;
        for (const point of b.generator.points()) {
          if (++n > 2_000) throw new Error('interrupted');
          yield point;
        }
      },
    };
    await expect(loadMetricDataset(pool, target, b.identity, interrupted)).rejects.toThrow(/interrupted/);
    expect((await checkMetricDataset(pool, target, b.identity)).action).toBe('reload');
    expect((await readMetricDatasetMarker(pool, target))?.fingerprint).toBe(a.identity.fingerprint);
    expect((await loadMetricDataset(pool, target, a.identity, a.source)).action).toBe('reused');
    await expectHolds(repository, a);

    // Rows written since the load (an ingest scenario) make the dataset stale.
    await repository.saveMetrics([{ timestamp: new Date(a.source.endMs), metricName: 'extra', value: 1 }]);
    expect((await checkMetricDataset(pool, target, a.identity)).action).toBe('reload');
  });

  it('a numeric scale is its own dataset', () => {
    expect(metricDataset(parseScale('1'), seed, 'x').identity.fingerprint).not.toBe(
      metricDataset(NAMED_SCALES.s, seed, 'x').identity.fingerprint,
    );
  });
});
