// The in-memory oracle of the time-series contract: last write wins per (timestamp, name),
// buckets floored from BUCKET_ORIGIN, range [start, end).
import {
  BUCKET_ORIGIN,
  INTERVALS,
  type MetricPoint,
  type MetricQuery,
} from '../../../reference-dal/ports/time-series.ts';

export interface ModelBucket {
  readonly bucket: number;
  readonly value: number;
  /** Sum of |values| in the bucket, the scale of the float tolerance. */
  readonly magnitude: number;
}

export class MetricModel {
  readonly #points = new Map<string, MetricPoint>();

  save(points: readonly MetricPoint[]): void {
    for (const point of points) this.#points.set(`${point.timestamp.getTime()}|${point.metricName}`, point);
  }

  read(metricName: string, start: Date, end: Date): MetricPoint[] {
    return [...this.#points.values()]
      .filter(
        (p) =>
          p.metricName === metricName &&
          p.timestamp.getTime() >= start.getTime() &&
          p.timestamp.getTime() < end.getTime(),
      )
      .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  }

  /** The newest point of `metricName` strictly before `before`, if any. */
  latest(metricName: string, before: Date): MetricPoint | undefined {
    const points = this.read(metricName, new Date(-8.64e15), before);
    return points[points.length - 1];
  }

  /** One aggregate over [start, end) with its magnitude, or undefined when the range has no point. */
  total(
    metricName: string,
    start: Date,
    end: Date,
    aggregation: MetricQuery['aggregation'],
  ): { value: number; magnitude: number } | undefined {
    const values = this.read(metricName, start, end).map((p) => p.value);
    if (values.length === 0) return undefined;
    return {
      value: aggregate(aggregation, values),
      magnitude: values.reduce((s, v) => s + Math.abs(v), 0),
    };
  }

  query(query: MetricQuery): ModelBucket[] {
    const width = INTERVALS[query.interval].ms;
    const origin = BUCKET_ORIGIN.getTime();
    const groups = new Map<number, number[]>();
    for (const point of this.read(query.metricName, query.start, query.end)) {
      const bucket = origin + Math.floor((point.timestamp.getTime() - origin) / width) * width;
      groups.set(bucket, [...(groups.get(bucket) ?? []), point.value]);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => a - b)
      .map(([bucket, values]) => ({
        bucket,
        value: aggregate(query.aggregation, values),
        magnitude: values.reduce((s, v) => s + Math.abs(v), 0),
      }));
  }
}

function aggregate(kind: MetricQuery['aggregation'], values: readonly number[]): number {
  switch (kind) {
    case 'count':
      return values.length;
    case 'sum':
      return values.reduce((s, v) => s + v, 0);
    case 'avg':
      return values.reduce((s, v) => s + v, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
  }
}
