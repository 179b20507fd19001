// The multi-series query shapes of the TimeSeriesRepository contract (TSBS double-groupby,
// lastpoint, top-k), against the same in-memory oracle as the single-series queries. Each property
// writes several series, asks about them plus a name that has no points and a repeated name, and
// compares with MetricModel: order, presence, timestamps and values (float aggregates within the
// contract's tolerance; min, max and count exactly).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGGREGATIONS,
  MAX_QUERY_SERIES,
  type LatestQuery,
  type MetricPoint,
} from '../../reference-dal/ports/time-series.ts';
import { closeEnough } from './support/float-tolerance.ts';
import {
  BASE,
  DAY,
  INTERVAL_KEYS,
  nameSource,
  plain,
  pointsArb,
  toPoints,
} from './support/metric-arbitraries.ts';
import { MetricModel } from './support/metric-model.ts';
import { assertProperty } from './support/seed.ts';
import type { TimeSeriesSubject } from './time-series.contract.ts';

const EXACT = new Set(['min', 'max', 'count']);

function sameValue(aggregation: string, actual: number, expected: number, magnitude: number): boolean {
  return EXACT.has(aggregation) ? actual === expected : closeEnough(actual, expected, magnitude);
}

/** 1–4 series of random points each, saved to the repository and the model; plus an empty name. */
const seriesArb = fc.array(pointsArb(2, 30), { minLength: 1, maxLength: 4 });

async function saveSeries(
  subject: TimeSeriesSubject,
  model: MetricModel,
  raws: readonly Parameters<typeof toPoints>[0][],
  nextName: () => string,
): Promise<string[]> {
  const names = raws.map(() => nextName());
  const points: MetricPoint[] = raws.flatMap((raw, i) => toPoints(raw, names[i] as string, BASE));
  model.save(points);
  await subject.repository.saveMetrics(points);
  return names;
}

/** The names asked for: the saved ones shuffled by `order`, one that has no points, one repeated. */
function selection(names: readonly string[], order: readonly number[], missing: string): string[] {
  const shuffled = [...names].sort((a, b) => (order[names.indexOf(a)] ?? 0) - (order[names.indexOf(b)] ?? 0));
  return [...shuffled.slice(0, 1), missing, ...shuffled.slice(1), ...shuffled.slice(0, 1)];
}

export function timeSeriesShapesContract(backend: string, open: () => Promise<TimeSeriesSubject>): void {
  describe(`TimeSeriesRepository contract, multi-series shapes: ${backend}`, () => {
    it('queryMetricsMany equals the model per series, in the order asked, series without points absent', async () => {
      await using subject = await open();
      const nextName = nameSource('many');
      await assertProperty(
        fc.asyncProperty(
          seriesArb,
          fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
          fc.constantFrom(...AGGREGATIONS),
          fc.constantFrom(...INTERVAL_KEYS),
          fc.integer({ min: -DAY, max: DAY }),
          fc.integer({ min: 1, max: 3 * DAY }),
          async (raws, order, aggregation, interval, startOffset, length) => {
            const model = new MetricModel();
            const names = await saveSeries(subject, model, raws, nextName);
            const metricNames = selection(names, order, nextName());
            const start = new Date(BASE + startOffset);
            const end = new Date(BASE + startOffset + length);
            const actual = await subject.repository.queryMetricsMany({
              metricNames,
              start,
              end,
              aggregation,
              interval,
            });
            const expected = [...new Set(metricNames)].flatMap((metricName) =>
              model
                .query({ metricName, start, end, aggregation, interval })
                .map((bucket) => ({ metricName, ...bucket })),
            );
            expect(actual.map((b) => [b.metricName, b.bucket.getTime()])).toEqual(
              expected.map((b) => [b.metricName, b.bucket]),
            );
            actual.forEach((bucket, i) => {
              const want = expected[i]!;
              if (!sameValue(aggregation, bucket.value, want.value, want.magnitude))
                throw new Error(
                  `${aggregation} ${bucket.metricName} ${bucket.bucket.toISOString()}: got ${bucket.value}, model ${want.value}`,
                );
            });
          },
        ),
        20,
      );
    });

    it('latestPoints returns the newest point before the bound of each series that has one, in the order asked', async () => {
      await using subject = await open();
      const nextName = nameSource('latest');
      await assertProperty(
        fc.asyncProperty(
          seriesArb,
          fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
          fc.integer({ min: -DAY, max: 3 * DAY }),
          async (raws, order, beforeOffset) => {
            const model = new MetricModel();
            const names = await saveSeries(subject, model, raws, nextName);
            const metricNames = selection(names, order, nextName());
            const before = new Date(BASE + beforeOffset);
            const actual = await subject.repository.latestPoints({ metricNames, before });
            const expected = [...new Set(metricNames)].flatMap((name) => {
              const point = model.latest(name, before);
              return point ? [point] : [];
            });
            expect(actual.map((p) => p.metricName)).toEqual(expected.map((p) => p.metricName));
            expect(plain(actual)).toEqual(plain(expected));
          },
        ),
        20,
      );
    });

    it('topSeries returns the k highest aggregates, highest first, ties in the order asked', async () => {
      await using subject = await open();
      const nextName = nameSource('top');
      await assertProperty(
        fc.asyncProperty(
          seriesArb,
          fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
          fc.constantFrom(...AGGREGATIONS),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: -DAY, max: DAY }),
          fc.integer({ min: 1, max: 3 * DAY }),
          async (raws, order, aggregation, k, startOffset, length) => {
            const model = new MetricModel();
            const names = await saveSeries(subject, model, raws, nextName);
            const metricNames = selection(names, order, nextName());
            const start = new Date(BASE + startOffset);
            const end = new Date(BASE + startOffset + length);
            const actual = await subject.repository.topSeries({ metricNames, start, end, aggregation, k });
            const totals = [...new Set(metricNames)].flatMap((name) => {
              const total = model.total(name, start, end, aggregation);
              return total ? [{ name, ...total }] : [];
            });
            expect(actual.length).toBe(Math.min(k, totals.length));
            const byName = new Map(totals.map((t) => [t.name, t]));
            const tolerance = (t: { magnitude: number }) =>
              EXACT.has(aggregation) ? 0 : 1e-9 * Math.max(1, t.magnitude);
            actual.forEach((row, i) => {
              const want = byName.get(row.metricName);
              if (!want) throw new Error(`${row.metricName} has no points in the range, yet was returned`);
              if (!sameValue(aggregation, row.value, want.value, want.magnitude))
                throw new Error(`${aggregation} of ${row.metricName}: got ${row.value}, model ${want.value}`);
              const next = actual[i + 1];
              if (next && next.value > row.value)
                throw new Error(`not highest first at ${i}: ${row.value} < ${next.value}`);
            });
            // Nothing left out beats what came back (beyond float noise).
            const returned = new Set(actual.map((r) => r.metricName));
            const lowest = actual[actual.length - 1];
            for (const left of totals.filter((t) => !returned.has(t.name))) {
              if (lowest && left.value > lowest.value + tolerance(left))
                throw new Error(
                  `${left.name} (${left.value}) was left out, above ${lowest.metricName} (${lowest.value})`,
                );
            }
            // Exact ties keep the order asked: compare with the model's ranking where values are exact.
            if (EXACT.has(aggregation)) {
              const ranked = [...totals].sort((a, b) => b.value - a.value).slice(0, k);
              expect(actual.map((r) => r.metricName)).toEqual(ranked.map((r) => r.name));
            }
          },
        ),
        20,
      );
    });

    it('refuses a bad selection, k or bound before any round trip, naming the field', async () => {
      await using subject = await open();
      const start = new Date(BASE);
      const end = new Date(BASE + DAY);
      const range = { start, end, aggregation: 'sum' as const };
      const before = subject.roundTrips();
      const tooMany = Array.from({ length: MAX_QUERY_SERIES + 1 }, (_, i) => `s${i}`);
      const refused: [string, () => Promise<unknown>][] = [
        ['metricNames', () => subject.repository.latestPoints({ metricNames: [], before: end })],
        [
          'metricNames',
          () => subject.repository.latestPoints({ metricNames: 'cpu' as unknown as string[], before: end }),
        ],
        ['metricNames', () => subject.repository.topSeries({ ...range, metricNames: tooMany, k: 1 })],
        ['metricNames[1]', () => subject.repository.latestPoints({ metricNames: ['a', ''], before: end })],
        [
          'metricNames[0]',
          () => subject.repository.queryMetricsMany({ ...range, interval: '1h', metricNames: ['a\u0000b'] }),
        ],
        [
          'before',
          () => subject.repository.latestPoints({ metricNames: ['a'], before: new Date(Number.NaN) }),
        ],
        ['k', () => subject.repository.topSeries({ ...range, metricNames: ['a'], k: 0 })],
        ['k', () => subject.repository.topSeries({ ...range, metricNames: ['a'], k: 1.5 })],
        ['k', () => subject.repository.topSeries({ ...range, metricNames: ['a'], k: MAX_QUERY_SERIES + 1 })],
        ['metricNames', () => subject.repository.latestPoints(undefined as unknown as LatestQuery)],
        [
          'aggregation',
          () =>
            subject.repository.topSeries({
              ...range,
              metricNames: ['a'],
              k: 1,
              aggregation: 'median' as 'sum',
            }),
        ],
        [
          'interval',
          () => subject.repository.queryMetricsMany({ ...range, metricNames: ['a'], interval: '2h' as '1h' }),
        ],
        [
          'start',
          () =>
            subject.repository.queryMetricsMany({
              ...range,
              metricNames: ['a'],
              interval: '1h',
              start: new Date(Number.NaN),
            }),
        ],
        [
          'end',
          () =>
            subject.repository.topSeries({
              ...range,
              metricNames: ['a'],
              k: 1,
              end: 'soon' as unknown as Date,
            }),
        ],
      ];
      for (const [field, attempt] of refused) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect({ field, error }).toMatchObject({ field, error: { name: 'ValidationError', field } });
        // Each says what would be accepted.
        expect((error as Error).message).toMatch(/expected|at most/);
      }
      expect(subject.roundTrips()).toBe(before);
      // The limits themselves are accepted: MAX_QUERY_SERIES names, k = MAX_QUERY_SERIES.
      const most = Array.from({ length: MAX_QUERY_SERIES }, (_, i) => `absent.${i}`);
      expect(await subject.repository.latestPoints({ metricNames: most, before: end })).toEqual([]);
      expect(
        await subject.repository.topSeries({ ...range, metricNames: ['a'], k: MAX_QUERY_SERIES }),
      ).toEqual([]);
    });

    it('bounds: [start, end) for buckets and top-k, strictly before `before` for the latest point', async () => {
      await using subject = await open();
      const nextName = nameSource('bounds');
      const [a, b] = [nextName(), nextName()];
      const start = new Date(BASE + 3_600_000);
      const end = new Date(BASE + 7_200_000);
      const at = (time: Date, metricName: string, value: number) => ({ timestamp: time, metricName, value });
      await subject.repository.saveMetrics([
        at(start, a, 1),
        at(new Date(end.getTime() - 1), a, 2),
        at(end, a, 4),
        at(end, b, 100),
      ]);
      const many = await subject.repository.queryMetricsMany({
        metricNames: [a, b],
        start,
        end,
        aggregation: 'sum',
        interval: '1d',
      });
      expect(many.map((r) => [r.metricName, r.value])).toEqual([[a, 3]]);
      const top = await subject.repository.topSeries({
        metricNames: [b, a],
        start,
        end,
        aggregation: 'sum',
        k: 2,
      });
      expect(top).toEqual([{ metricName: a, value: 3 }]);
      const latest = await subject.repository.latestPoints({ metricNames: [a, b], before: end });
      expect(latest.map((p) => [p.metricName, p.value])).toEqual([[a, 2]]);
    });

    it('top-k ties keep the order asked, not the order of names', async () => {
      await using subject = await open();
      const nextName = nameSource('ties');
      const names = [nextName(), nextName(), nextName(), nextName()];
      await subject.repository.saveMetrics(
        names.map((metricName, i) => ({ timestamp: new Date(BASE + i), metricName, value: 7 })),
      );
      const asked = [names[2]!, names[0]!, names[3]!, names[1]!];
      const range = { start: new Date(BASE), end: new Date(BASE + DAY) };
      for (const aggregation of ['count', 'max'] as const) {
        const top = await subject.repository.topSeries({ metricNames: asked, ...range, aggregation, k: 3 });
        expect(top.map((r) => r.metricName)).toEqual(asked.slice(0, 3));
      }
    });

    it('a selection of many series is one round trip per query', async () => {
      await using subject = await open();
      const nextName = nameSource('wide');
      const names = Array.from({ length: 300 }, () => nextName());
      await subject.repository.saveMetrics(
        names.map((metricName, i) => ({ timestamp: new Date(BASE + i * 1000), metricName, value: i })),
      );
      const sent = subject.roundTrips();
      const latest = await subject.repository.latestPoints({
        metricNames: names,
        before: new Date(BASE + DAY),
      });
      expect(latest.map((p) => p.value)).toEqual(names.map((_, i) => i));
      const top = await subject.repository.topSeries({
        metricNames: names,
        start: new Date(BASE),
        end: new Date(BASE + DAY),
        aggregation: 'max',
        k: 3,
      });
      expect(top).toEqual([
        { metricName: names[299], value: 299 },
        { metricName: names[298], value: 298 },
        { metricName: names[297], value: 297 },
      ]);
      expect(subject.roundTrips() - sent).toBe(2);
    });
  });
}
