// The TimeSeriesRepository contract, written once and run against every backend (postgres
// partitioned table, TimescaleDB hypertable). Oracle: MetricModel. Float tolerance: aggregates
// equal the model's within 1e-9 × max(1, Σ|values| of the bucket); min/max/count exactly.
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../reference-dal/errors.ts';
import {
  AGGREGATIONS,
  loadMetricPoints,
  type MetricPoint,
  type TimeSeriesRepository,
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
import { timeSeriesShapesContract } from './time-series-shapes.contract.ts';
import { MetricModel } from './support/metric-model.ts';
import { assertProperty } from './support/seed.ts';

export interface TimeSeriesSubject extends AsyncDisposable {
  readonly repository: TimeSeriesRepository;
  /** A second repository over the same store (another process's view), for race checks. */
  readonly openAnother: () => Promise<TimeSeriesRepository & AsyncDisposable>;
  /** Statements `repository` has sent to its store so far (ADR: one round trip per batch). */
  readonly roundTrips: () => number;
}

export function timeSeriesContract(backend: string, open: () => Promise<TimeSeriesSubject>): void {
  timeSeriesShapesContract(backend, open);
  describe(`TimeSeriesRepository contract: ${backend}`, () => {
    it('aggregates of random point sets, buckets and ranges equal the model', async () => {
      await using subject = await open();
      const nextName = nameSource('agg');
      await assertProperty(
        fc.asyncProperty(
          pointsArb(2, 80),
          fc.constantFrom(...INTERVAL_KEYS),
          fc.integer({ min: -DAY, max: DAY }),
          fc.integer({ min: 1, max: 4 * DAY }),
          fc.integer({ min: 0, max: 400 }),
          async (raw, interval, startOffset, length, dayShift) => {
            const name = nextName();
            const base = BASE + dayShift * DAY;
            const points = toPoints(raw, name, base);
            const model = new MetricModel();
            model.save(points);
            await subject.repository.saveMetrics(points);
            // Every aggregation over the same points, so each run checks all five.
            for (const aggregation of AGGREGATIONS) {
              const query = {
                metricName: name,
                start: new Date(base + startOffset),
                end: new Date(base + startOffset + length),
                aggregation,
                interval,
              };
              const actual = await subject.repository.queryMetrics(query);
              const expected = model.query(query);
              expect(actual.map((b) => b.bucket.getTime())).toEqual(expected.map((b) => b.bucket));
              actual.forEach((bucket, i) => {
                const want = expected[i];
                if (!want) throw new Error(`no model bucket ${i}`);
                const ok = ['min', 'max', 'count'].includes(aggregation)
                  ? bucket.value === want.value
                  : closeEnough(bucket.value, want.value, want.magnitude);
                if (!ok) {
                  throw new Error(
                    `${aggregation} bucket ${bucket.bucket.toISOString()}: got ${bucket.value}, model ${want.value}`,
                  );
                }
              });
            }
          },
        ),
        25,
      );
    });

    it('upsert keeps the last write, within a batch and across batches', async () => {
      await using subject = await open();
      const nextName = nameSource('upsert');
      await assertProperty(
        fc.asyncProperty(pointsArb(2, 40), pointsArb(2, 40), async (first, second) => {
          const name = nextName();
          // Coarse timestamps (whole hours) so keys collide often.
          const round = (r: (typeof first)[number]) => ({
            ...r,
            offset: Math.floor(r.offset / 3_600_000) * 3_600_000,
          });
          const a = toPoints(first.map(round), name, BASE);
          const b = toPoints(second.map(round), name, BASE);
          const model = new MetricModel();
          model.save(a);
          model.save(b);
          await subject.repository.saveMetrics(a);
          await subject.repository.saveMetrics(b);
          const start = new Date(BASE);
          const end = new Date(BASE + 3 * DAY);
          expect(plain(await subject.repository.readPoints(name, start, end))).toEqual(
            plain(model.read(name, start, end)),
          );
          expect(await subject.repository.countPoints(name)).toBe(model.read(name, start, end).length);
        }),
        25,
      );
    });

    it('a batch with one bad point is rejected naming its index, and nothing of it is written', async () => {
      await using subject = await open();
      const nextName = nameSource('bad');
      const badPoint = fc.constantFrom<(name: string) => { point: object; field: string }>(
        (name) => ({
          point: { timestamp: new Date(BASE), metricName: name, value: Number.NaN },
          field: 'value',
        }),
        (name) => ({
          point: { timestamp: new Date(BASE), metricName: name, value: Infinity },
          field: 'value',
        }),
        (name) => ({
          point: { timestamp: new Date(BASE), metricName: name, value: -Infinity },
          field: 'value',
        }),
        () => ({ point: { timestamp: new Date(BASE), metricName: '', value: 1 }, field: 'metricName' }),
        (name) => ({
          point: { timestamp: new Date(Number.NaN), metricName: name, value: 1 },
          field: 'timestamp',
        }),
        (name) => ({
          point: { timestamp: new Date(BASE), metricName: name, value: 1, tags: { k: 5 } },
          field: 'tags.k',
        }),
      );
      await assertProperty(
        fc.asyncProperty(
          pointsArb(3, 30),
          pointsArb(3, 30),
          badPoint,
          fc.nat(),
          async (before, batch, bad, at) => {
            const name = nextName();
            const existing = toPoints(before, name, BASE);
            await subject.repository.saveMetrics(existing);
            const start = new Date(BASE - DAY);
            const end = new Date(BASE + 10 * DAY);
            const snapshot = plain(await subject.repository.readPoints(name, start, end));
            const points: unknown[] = toPoints(batch, name, BASE + 1);
            const index = at % (points.length + 1);
            const { point, field } = bad(name);
            points.splice(index, 0, point);
            const error = await subject.repository.saveMetrics(points as MetricPoint[]).then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).field).toBe(`points[${index}].${field}`);
            expect(plain(await subject.repository.readPoints(name, start, end))).toEqual(snapshot);
          },
        ),
        20,
      );
    });

    it('the range is [start, end): a point at start is in, a point at end is out', async () => {
      await using subject = await open();
      const name = nameSource('range')();
      const start = new Date(BASE + 3_600_000);
      const end = new Date(BASE + 7_200_000);
      await subject.repository.saveMetrics([
        { timestamp: start, metricName: name, value: 1 },
        { timestamp: new Date(end.getTime() - 1), metricName: name, value: 2 },
        { timestamp: end, metricName: name, value: 4 },
      ]);
      const read = await subject.repository.readPoints(name, start, end);
      expect(read.map((p) => p.value)).toEqual([1, 2]);
      const sum = await subject.repository.queryMetrics({
        metricName: name,
        start,
        end,
        aggregation: 'sum',
        interval: '1d',
      });
      expect(sum.map((b) => b.value)).toEqual([3]);
    });

    it('rejects aggregations and intervals outside the allow-lists, naming the field', async () => {
      await using subject = await open();
      const base = { metricName: 'x', start: new Date(BASE), end: new Date(BASE + DAY) };
      await expect(
        subject.repository.queryMetrics({
          ...base,
          aggregation: 'avg(value)); DROP TABLE x; --' as 'avg',
          interval: '1h',
        }),
      ).rejects.toMatchObject({ name: 'ValidationError', field: 'aggregation' });
      await expect(
        subject.repository.queryMetrics({
          ...base,
          aggregation: 'avg',
          interval: "1 hour'::interval" as '1h',
        }),
      ).rejects.toMatchObject({ name: 'ValidationError', field: 'interval' });
      await expect(
        subject.repository.queryMetrics({ ...base, aggregation: 'avg', interval: 'toString' as '1h' }),
      ).rejects.toMatchObject({ name: 'ValidationError', field: 'interval' });
      // The error says what would have been accepted.
      await expect(
        subject.repository.queryMetrics({ ...base, aggregation: 'median' as 'avg', interval: '1h' }),
      ).rejects.toThrow(AGGREGATIONS.join(', '));
      await expect(
        subject.repository.queryMetrics({ ...base, aggregation: 'avg', interval: '2h' as '1h' }),
      ).rejects.toThrow(INTERVAL_KEYS.join(', '));
    });

    it('rejects a missing metric name and invalid or non-Date bounds before any round trip, naming the field', async () => {
      await using subject = await open();
      const start = new Date(BASE);
      const end = new Date(BASE + DAY);
      const invalid = new Date(Number.NaN);
      const notADate = '2026-01-05T00:00:00Z' as unknown as Date;
      const query = { metricName: 'x', start, end, aggregation: 'sum' as const, interval: '1h' as const };
      const before = subject.roundTrips();
      const refused: [string, () => Promise<unknown>][] = [
        ['metricName', () => subject.repository.queryMetrics({ ...query, metricName: '' })],
        [
          'metricName',
          () => subject.repository.queryMetrics({ ...query, metricName: 42 as unknown as string }),
        ],
        ['start', () => subject.repository.queryMetrics({ ...query, start: invalid })],
        ['start', () => subject.repository.queryMetrics({ ...query, start: notADate })],
        ['end', () => subject.repository.queryMetrics({ ...query, end: invalid })],
        ['end', () => subject.repository.queryMetrics({ ...query, end: notADate })],
        ['start', () => subject.repository.readPoints('x', invalid, end)],
        ['start', () => subject.repository.readPoints('x', notADate, end)],
        ['end', () => subject.repository.readPoints('x', start, invalid)],
        ['end', () => subject.repository.readPoints('x', start, notADate)],
      ];
      for (const [field, attempt] of refused) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect({ field, error }).toMatchObject({ field, error: { name: 'ValidationError', field } });
        expect((error as Error).message).toMatch(/expected a/); // says what would be accepted
      }
      expect(subject.roundTrips()).toBe(before);
    });

    it('an empty batch writes nothing and costs no round trip; a batch into existing storage costs one', async () => {
      await using subject = await open();
      const name = nameSource('trips')();
      const before = subject.roundTrips();
      expect(await subject.repository.saveMetrics([])).toEqual({ written: 0 });
      expect(subject.roundTrips()).toBe(before);
      // Repeated keys within a batch count once: the last write wins.
      const batch = (value: number): MetricPoint[] =>
        [0, 1, 2, 0].map((h) => ({ timestamp: new Date(BASE + h * 3_600_000), metricName: name, value }));
      expect(await subject.repository.saveMetrics(batch(1))).toEqual({ written: 3 });
      // The first batch may create storage for its time range; later batches there are one statement each.
      for (const value of [2, 3]) {
        const sent = subject.roundTrips();
        expect(await subject.repository.saveMetrics(batch(value))).toEqual({ written: 3 });
        expect(subject.roundTrips() - sent).toBe(1);
      }
      const sent = subject.roundTrips();
      const points = await subject.repository.readPoints(name, new Date(BASE), new Date(BASE + DAY));
      expect(points.map((p) => p.value)).toEqual([3, 3, 3]);
      expect(subject.roundTrips() - sent).toBe(1);
    });

    it('writes to new time ranges from two repositories at once both land (race-safe storage creation)', async () => {
      await using subject = await open();
      await using other = await subject.openAnother();
      const name = nameSource('race')();
      const far = Date.UTC(2031, 5, 2);
      const batch = (offset: number): MetricPoint[] =>
        Array.from({ length: 50 }, (_, i) => ({
          timestamp: new Date(far + i * 7 * DAY + offset),
          metricName: name,
          value: i,
        }));
      await Promise.all([subject.repository.saveMetrics(batch(0)), other.saveMetrics(batch(1000))]);
      expect(await subject.repository.countPoints(name)).toBe(100);
    });

    it("a bulk load (loadMetricPoints: the backend's loadMetrics, or saveMetrics batches) reads back as the model", async () => {
      await using subject = await open();
      const nextName = nameSource('load');
      await assertProperty(
        fc.asyncProperty(
          fc.array(pointsArb(21, 60), { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 0, max: 400 }),
          async (series, dayShift) => {
            const base = BASE + dayShift * DAY;
            // A bulk load appends: each key once (the last of the generated duplicates).
            const byKey = new Map<string, MetricPoint>();
            const names = series.map(() => nextName());
            series.forEach((raw, s) => {
              for (const p of toPoints(raw, names[s]!, base))
                byKey.set(`${p.metricName}@${p.timestamp.getTime()}`, p);
            });
            const points = [...byKey.values()];
            const model = new MetricModel();
            model.save(points);
            // Streamed, as a loader reads a generator: an async iterable of the points.
            const stream = Readable.from(points) as AsyncIterable<MetricPoint>;
            expect(await loadMetricPoints(subject.repository, stream)).toEqual({ written: points.length });
            const start = new Date(base);
            const end = new Date(base + 21 * DAY);
            for (const name of names) {
              expect(plain(await subject.repository.readPoints(name, start, end))).toEqual(
                plain(model.read(name, start, end)),
              );
            }
          },
        ),
        15,
      );
    });

    it('a bulk load names an invalid point by its place in the input', async () => {
      await using subject = await open();
      const name = nameSource('load-bad')();
      const points: MetricPoint[] = Array.from({ length: 4 }, (_, i) => ({
        timestamp: new Date(BASE + i * 1000),
        metricName: name,
        value: i,
      }));
      points[3] = { ...points[3]!, value: Number.NaN };
      const error = await loadMetricPoints(subject.repository, points).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('points[3].value');
    });

    it('saves a batch of 5,000 points', async () => {
      await using subject = await open();
      const name = nameSource('bulk')();
      const points = Array.from({ length: 5000 }, (_, i) => ({
        timestamp: new Date(BASE + i * 1000),
        metricName: name,
        value: i / 3,
      }));
      expect(await subject.repository.saveMetrics(points)).toEqual({ written: 5000 });
      const count = await subject.repository.queryMetrics({
        metricName: name,
        start: new Date(BASE),
        end: new Date(BASE + 5000 * 1000),
        aggregation: 'count',
        interval: '1d',
      });
      expect(count.reduce((s, b) => s + b.value, 0)).toBe(5000);
    });
  });
}
