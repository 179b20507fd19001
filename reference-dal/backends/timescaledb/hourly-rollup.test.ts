// The hourly rollup (profile polyglot-caggs) answers whole-hour bucketed queries exactly as the raw
// points would, before and after it is refreshed, on a real TimescaleDB; which queries it may
// answer is decided without a store. Oracle: MetricModel.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeEnough } from '../../../harness/conformance/support/float-tolerance.ts';
import {
  BASE,
  DAY,
  nameSource,
  pointsArb,
  toPoints,
} from '../../../harness/conformance/support/metric-arbitraries.ts';
import { MetricModel } from '../../../harness/conformance/support/metric-model.ts';
import { openPool, type PoolSubject } from '../../../harness/conformance/support/postgres-subjects.ts';
import { assertProperty } from '../../../harness/conformance/support/seed.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../../harness/provision/scratch-database.ts';
import { requireStore, unavailableReason } from '../../../test/support/stores.ts';
import { AGGREGATIONS, type Interval, type MetricQuery } from '../../ports/time-series.ts';
import { HOURLY_VIEW, refreshHourlyRollup, servedByHourlyRollup } from './hourly-rollup.ts';
import { TimescaleTimeSeriesRepository } from './time-series-repository.ts';

const HOUR = 3_600_000;

describe('which queries the hourly rollup answers', () => {
  const at = (ms: number) => new Date(BASE + ms);
  it('buckets of whole hours over a range of whole hours, nothing else', () => {
    expect(servedByHourlyRollup({ interval: '1h', start: at(0), end: at(5 * HOUR) })).toBe(true);
    expect(servedByHourlyRollup({ interval: '1d', start: at(-3 * HOUR), end: at(DAY) })).toBe(true);
    expect(servedByHourlyRollup({ interval: '30m', start: at(0), end: at(HOUR) })).toBe(false);
    expect(servedByHourlyRollup({ interval: '1h', start: at(1), end: at(HOUR) })).toBe(false);
    expect(servedByHourlyRollup({ interval: '1h', start: at(0), end: at(HOUR + 1000) })).toBe(false);
    // Bad input is not routed: the raw path validates it and names the field.
    expect(servedByHourlyRollup({ interval: 'toString' as Interval, start: at(0), end: at(HOUR) })).toBe(
      false,
    );
    expect(servedByHourlyRollup({ interval: '1h', start: 'x' as unknown as Date, end: at(HOUR) })).toBe(
      false,
    );
  });
});

const missing = unavailableReason('timescaledb');

describe.skipIf(missing !== undefined)(
  `the hourly rollup on TimescaleDB${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let database: ScratchDatabase | undefined;
    let subject: PoolSubject | undefined;
    let rollup: TimescaleTimeSeriesRepository;
    const nextName = nameSource('rollup');
    let run = 0;

    beforeAll(async () => {
      database = await createScratchDatabase(requireStore('timescaledb').url, 'ts_rollup');
      subject = openPool(database.url, 'timescaledb');
      await TimescaleTimeSeriesRepository.migrate(subject.pool, { rollup: 'hourly' });
      rollup = new TimescaleTimeSeriesRepository(subject.db, { rollup: 'hourly' });
    });
    afterAll(async () => {
      await subject?.[Symbol.asyncDispose]();
      await database?.[Symbol.asyncDispose]();
    });

    const refresh = async () => {
      const client = await subject!.pool.connect();
      try {
        await refreshHourlyRollup(client);
      } finally {
        client.release();
      }
    };

    const expectModel = async (model: MetricModel, query: MetricQuery) => {
      const actual = await rollup.queryMetrics(query);
      const expected = model.query(query);
      expect(actual.map((b) => b.bucket.getTime())).toEqual(expected.map((b) => b.bucket));
      actual.forEach((bucket, i) => {
        const want = expected[i]!;
        const ok = ['min', 'max', 'count'].includes(query.aggregation)
          ? bucket.value === want.value
          : closeEnough(bucket.value, want.value, want.magnitude);
        if (!ok)
          throw new Error(
            `${query.aggregation} ${bucket.bucket.toISOString()}: got ${bucket.value}, model ${want.value}`,
          );
      });
    };

    it('whole-hour aggregates equal the model, unrefreshed (real-time) and refreshed, one series and many', async () => {
      await assertProperty(
        fc.asyncProperty(
          pointsArb(3, 80),
          fc.constantFrom<Interval>('1h', '6h', '12h', '1d'),
          fc.integer({ min: -24, max: 24 }),
          fc.integer({ min: 1, max: 96 }),
          async (raw, interval, startHour, hours) => {
            const name = nextName();
            // Each run after the last one's data: a refresh materialises up to its newest hour, and
            // points older than that are (by design) read from the rollup only after the next refresh.
            const base = BASE + ++run * 10 * DAY;
            const points = toPoints(raw, name, base);
            const model = new MetricModel();
            model.save(points);
            await rollup.saveMetrics(points);
            const range = {
              start: new Date(base + startHour * HOUR),
              end: new Date(base + (startHour + hours) * HOUR),
            };
            for (const refreshed of [false, true]) {
              if (refreshed) await refresh();
              for (const aggregation of AGGREGATIONS)
                await expectModel(model, { metricName: name, ...range, aggregation, interval });
              const many = await rollup.queryMetricsMany({
                metricNames: [name],
                ...range,
                aggregation: 'avg',
                interval,
              });
              const single = await rollup.queryMetrics({
                metricName: name,
                ...range,
                aggregation: 'avg',
                interval,
              });
              expect(many.map((b) => [b.bucket.getTime(), b.value])).toEqual(
                single.map((b) => [b.bucket.getTime(), b.value]),
              );
            }
          },
        ),
        25,
      );
    });

    it('reads the rollup: points newer than its refresh count, a changed materialised hour waits for the next refresh', async () => {
      const name = nextName();
      const base = BASE + 10_000 * DAY; // after every property run's data, so after the watermark its refreshes left
      const hour = (h: number, value: number) => ({
        timestamp: new Date(base + h * HOUR + 60_000),
        metricName: name,
        value,
      });
      await rollup.saveMetrics([hour(0, 1), hour(1, 2)]);
      await refresh();
      const query = {
        metricName: name,
        start: new Date(base),
        end: new Date(base + 3 * HOUR),
        aggregation: 'sum',
        interval: '1h',
      } as const;
      // Real-time: a point after the materialised hours is aggregated from the raw rows.
      await rollup.saveMetrics([hour(2, 4)]);
      expect((await rollup.queryMetrics(query)).map((b) => b.value)).toEqual([1, 2, 4]);
      // Removed behind the rollup's back: the materialised hour still answers until the next refresh
      // (what a refresh policy's lag means), which shows the answer came from the rollup.
      await subject!.pool.query(`DELETE FROM dal_metrics_hyper WHERE metric_name = $1 AND ts < $2`, [
        name,
        new Date(base + HOUR),
      ]);
      expect((await rollup.queryMetrics(query)).map((b) => b.value)).toEqual([1, 2, 4]);
      // A range that is not whole hours reads the raw rows, which no longer hold hour 0.
      expect(
        (await rollup.queryMetrics({ ...query, end: new Date(base + 3 * HOUR - 1) })).map((b) => b.value),
      ).toEqual([2, 4]);
      await refresh();
      expect((await rollup.queryMetrics(query)).map((b) => b.value)).toEqual([2, 4]);
      const view = await subject!.pool.query(
        `SELECT count(*)::int AS n FROM ${HOURLY_VIEW} WHERE metric_name = $1`,
        [name],
      );
      expect(view.rows[0]).toEqual({ n: 2 });
    });
  },
);
