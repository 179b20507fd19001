// Generators the time-series contracts share: unique metric names per property run, point sets
// on a coarse grid within a window (so duplicates and bucket boundaries happen), and plain forms.
import fc from 'fast-check';
import { INTERVALS, type Interval, type MetricPoint } from '../../../reference-dal/ports/time-series.ts';

export const DAY = 86_400_000;
export const BASE = Date.UTC(2026, 0, 5); // inside the suite's windows; arbitrary but fixed
export const INTERVAL_KEYS = Object.keys(INTERVALS) as Interval[];

/** Unique metric names per property run so runs never see each other's points. */
export function nameSource(label: string): () => string {
  const run = Math.random().toString(36).slice(2, 8);
  let counter = 0;
  return () => `${label}.${run}.${counter++}`;
}

const tags = fc.option(
  fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }),
  {
    nil: undefined,
  },
);

/** Points within a window of `spanDays`; offsets on a coarse grid so duplicates and boundaries happen. */
export function pointsArb(spanDays: number, maxLength: number) {
  return fc.array(
    fc.record({
      offset: fc.oneof(
        fc.integer({ min: 0, max: spanDays * DAY - 1 }),
        fc.integer({ min: 0, max: spanDays * 24 }).map((h) => Math.min(h * 3_600_000, spanDays * DAY - 1)),
      ),
      value: fc.oneof(
        fc.integer({ min: -1000, max: 1000 }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
      ),
      tags,
    }),
    { minLength: 1, maxLength, size: 'medium' },
  );
}

export function toPoints(
  raw: readonly { offset: number; value: number; tags: Record<string, string> | undefined }[],
  name: string,
  base: number,
): MetricPoint[] {
  return raw.map((r) => ({
    timestamp: new Date(base + r.offset),
    metricName: name,
    value: r.value,
    ...(r.tags === undefined ? {} : { tags: r.tags }),
  }));
}

export function plain(points: readonly MetricPoint[]) {
  return points.map((p) => ({ t: p.timestamp.toISOString(), v: p.value, tags: p.tags ?? {} }));
}
