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
import { HOURLY_VIEW, hourlyRollupRoute, refreshHourlyRollup } from './hourly-rollup.ts';
import { TimescaleTimeSeriesRepository } from './time-series-repository.ts';

const HOUR = 3_600_000;

describe('which queries the hourly rollup answers', () => {
  const at = (ms: number) => new Date(BASE + ms);
  const route = (interval: Interval, start: Date, end: Date) => hourlyRollupRoute({ interval, start, end });
  it('whole hours from the rollup, the parts of an hour at either end from the raw points, else raw', () => {
    expect(route('1h', at(0), at(5 * HOUR))).toBe('hours');
    expect(route('1d', at(-3 * HOUR), at(DAY))).toBe('hours');
    expect(route('30m', at(0), at(HOUR))).toBe('raw');
    expect(route('30m', at(1), at(5 * HOUR))).toBe('raw');
    // No whole hour inside: nothing for the rollup to answer.
    expect(route('1h', at(1), at(HOUR))).toBe('raw');
    expect(route('1h', at(1), at(2 * HOUR - 1))).toBe('raw');
    expect(route('1h', at(0), at(HOUR - 1))).toBe('raw');
    // At least one whole hour: [0, 1 h), [1 h, 2 h).
    expect(route('1h', at(0), at(HOUR + 1000))).toBe('edges');
    expect(route('1h', at(1), at(2 * HOUR))).toBe('edges');
    expect(route('6h', at(-1), at(HOUR))).toBe('edges');
    // Bad input is not routed: the raw path validates it and names the field.
    expect(route('toString' as Interval, at(0), at(HOUR))).toBe('raw');
    expect(route('1h', 'x' as unknown as Date, at(HOUR))).toBe('raw');
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

    /**
     * A fresh series of generated points; over the range [from, from + length) of its base, every
     * aggregation equals the model, unrefreshed (real-time) and refreshed, and many series agree with one.
     */
    const agreesWithModel = (intervals: Interval[], range: fc.Arbitrary<[number, number]>) =>
      fc.asyncProperty(
        pointsArb(3, 80),
        fc.constantFrom(...intervals),
        range,
        async (raw, interval, [from, length]) => {
          const name = nextName();
          // Each run after the last one's data: a refresh materialises up to its newest hour, and
          // points older than that are (by design) read from the rollup only after the next refresh.
          const base = BASE + ++run * 10 * DAY;
          const points = toPoints(raw, name, base);
          const model = new MetricModel();
          model.save(points);
          await rollup.saveMetrics(points);
          const span = { start: new Date(base + from), end: new Date(base + from + length) };
          for (const refreshed of [false, true]) {
            if (refreshed) await refresh();
            for (const aggregation of AGGREGATIONS)
              await expectModel(model, { metricName: name, ...span, aggregation, interval });
            const query = { ...span, aggregation: 'avg', interval } as const;
            const many = await rollup.queryMetricsMany({ metricNames: [name], ...query });
            const single = await rollup.queryMetrics({ metricName: name, ...query });
            expect(many.map((b) => [b.bucket.getTime(), b.value])).toEqual(
              single.map((b) => [b.bucket.getTime(), b.value]),
            );
          }
        },
      );

    it('whole-hour aggregates equal the model, unrefreshed (real-time) and refreshed, one series and many', async () => {
      const wholeHours = fc.tuple(
        fc.integer({ min: -24, max: 24 }).map((h) => h * HOUR),
        fc.integer({ min: 1, max: 96 }).map((h) => h * HOUR),
      );
      await assertProperty(agreesWithModel(['1h', '6h', '12h', '1d'], wholeHours), 25);
    });

    it('ranges that are not whole hours (whole-hour buckets) equal the model too: rollup middle, raw edges', async () => {
      const anyRange = fc.tuple(fc.integer({ min: -DAY, max: DAY }), fc.integer({ min: 1, max: 4 * DAY }));
      await assertProperty(agreesWithModel(['1h', '6h', '1d'], anyRange), 25);
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
      // A range ending inside an hour: its whole hours from the rollup (hour 0 still 1), the rest raw.
      expect(
        (await rollup.queryMetrics({ ...query, end: new Date(base + 3 * HOUR - 1) })).map((b) => b.value),
      ).toEqual([1, 2, 4]);
      // No whole hour inside: the raw rows, which no longer hold hour 0.
      expect(
        await rollup.queryMetrics({ ...query, start: new Date(base + 1), end: new Date(base + HOUR) }),
      ).toEqual([]);
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
