// ADR-024 "30-50% faster writes": batched time-series writes, one round trip per batch (op `ingest`).
import { defineScenario, type LoadContext, type Scenario } from '../harness/workload/scenario.ts';
import type { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { SERIES_END_MS, seriesBatches } from './support/data.ts';
import { errorRate } from './support/derive.ts';
import { pick, type ScenarioBuildOptions } from './support/sizes.ts';

export function metricsIngest(options: ScenarioBuildOptions = {}): Scenario<SystemUnderTest> {
  const batch = pick(options, { quick: 200, full: 1000 });
  // At a scale, writes land in a table that already holds the scale's series (index upkeep and
  // partition sizes grow with it); without one, in an empty table as before.
  const existing = options.scale?.metrics;
  return defineScenario<SystemUnderTest>({
    name: 'metrics-ingest',
    description: `batched time-series writes (${batch} points per batch, one round trip, atomic)${existing ? ` into a table holding ${existing.series} series × ${existing.pointsPerSeries} points` : ''}`,
    stores: ['postgres'],
    data: { records: existing ? existing.series : 1 },
    phases: { load: existing !== undefined },
    ...(existing
      ? {
          async load({ sut, rng, records }: LoadContext<SystemUnderTest>) {
            for (let m = 0; m < records; m++) {
              const { pointsPerSeries, intervalMs } = existing;
              for (const part of seriesBatches(rng, `stored-${m}`, pointsPerSeries, intervalMs, 5_000))
                await sut.dal.timeSeries.saveMetrics(part);
            }
          },
        }
      : {}),
    operations: [
      {
        name: 'ingest',
        weight: 1,
        // Each batch gets a fresh key, so its timestamps never overlap another batch's (pure inserts).
        inserts: true,
        async run({ sut, key, rng }) {
          const base = SERIES_END_MS + key * batch * 1000;
          const points = Array.from({ length: batch }, (_, i) => ({
            timestamp: new Date(base + i * 1000),
            metricName: `ingest-${key % 16}`,
            value: rng.next() * 100,
            tags: { host: `h${key % 8}` },
          }));
          await sut.dal.timeSeries.saveMetrics(points);
        },
      },
    ],
    derive: errorRate,
  });
}

export default metricsIngest();
