// Metric series: per-series baseline + a random walk + daily and weekly seasonality + jitter +
// occasional spikes. Stateless per point: the value of (series i, timestamp t) is a function of
// (seed, i, t) only, so every scale that contains that point has the same value (the most recent
// N points of series i are identical at xs, s, m and l), and generation order does not matter.
// The walk is fractal value noise (octaves with √length amplitude, like Brownian motion).
import type { MetricPoint } from '../../../reference-dal/ports/time-series.ts';
import { DATA_END_MS, type MetricScale } from '../scale.ts';
import { Rng } from '../../workload/random.ts';
import { STREAMS, keyOf, unitAt } from './hash.ts';

/** Kinds of series, cycled by series index; each has a plausible unit and baseline range. */
export const METRIC_KINDS = [
  { kind: 'cpu', unit: 'percent', min: 10, max: 70, clamp: [0, 100] },
  { kind: 'latency', unit: 'ms', min: 5, max: 250, clamp: [0, Infinity] },
  { kind: 'throughput', unit: 'rps', min: 50, max: 5_000, clamp: [0, Infinity] },
  { kind: 'errors', unit: 'count', min: 0.5, max: 20, clamp: [0, Infinity] },
  { kind: 'memory', unit: 'mb', min: 500, max: 16_000, clamp: [0, Infinity] },
] as const;

export const REGIONS = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south'] as const;

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** Noise octaves: lattice spacing in points and weight; amplitude ∝ √spacing as for a random walk. */
const OCTAVES = [16, 128, 1024, 8192] as const;
/** Per-point chance of a spike (an incident): about one per 2,000 points of a series. */
export const SPIKE_PROBABILITY = 0.0005;

export interface SeriesInfo {
  readonly index: number;
  readonly metricName: string;
  /** Frozen and shared by every point of the series (loaders may cache its JSON by reference). */
  readonly tags: Readonly<Record<string, string>>;
  readonly baseline: number;
}

interface SeriesModel extends SeriesInfo {
  readonly daily: number;
  readonly dailyPhase: number;
  readonly weekly: number;
  readonly weeklyPhase: number;
  readonly walk: number;
  readonly jitter: number;
  readonly clampMin: number;
  readonly clampMax: number;
  readonly noiseKeys: readonly number[];
  readonly spikeKey: number;
  readonly jitterKey: number;
}

export function seriesName(index: number): string {
  const kind = METRIC_KINDS[index % METRIC_KINDS.length]!.kind;
  return `${kind}.host-${String(Math.floor(index / METRIC_KINDS.length)).padStart(4, '0')}`;
}

function model(seed: number, index: number): SeriesModel {
  const spec = METRIC_KINDS[index % METRIC_KINDS.length]!;
  const host = Math.floor(index / METRIC_KINDS.length);
  const rng = Rng.at(seed, STREAMS.metrics, index);
  // Log-uniform baseline: a few big series, many small ones, as in a real fleet.
  const baseline = spec.min * (spec.max / spec.min) ** rng.next();
  return {
    index,
    metricName: seriesName(index),
    tags: Object.freeze({
      host: `host-${String(host).padStart(4, '0')}`,
      region: REGIONS[keyOf(seed, STREAMS.metrics, 1_000_000 + host) % REGIONS.length]!,
      kind: spec.kind,
      unit: spec.unit,
    }),
    baseline,
    daily: baseline * (0.1 + 0.25 * rng.next()),
    dailyPhase: rng.next() * 2 * Math.PI,
    weekly: baseline * (0.03 + 0.07 * rng.next()),
    weeklyPhase: rng.next() * 2 * Math.PI,
    walk: baseline * (0.002 + 0.004 * rng.next()),
    jitter: baseline * 0.02,
    clampMin: spec.clamp[0],
    clampMax: spec.clamp[1],
    noiseKeys: OCTAVES.map((_, o) => keyOf(seed, STREAMS.metrics, index, 10 + o)),
    spikeKey: keyOf(seed, STREAMS.metrics, index, 1),
    jitterKey: keyOf(seed, STREAMS.metrics, index, 2),
  };
}

/** Smoothly interpolated lattice noise with unit variance-ish amplitude, in [-√3, √3]. */
function valueNoise(key: number, position: number, spacing: number): number {
  const x = position / spacing;
  const cell = Math.floor(x);
  const t = x - cell;
  const a = unitAt(key, cell) * 2 - 1;
  const b = unitAt(key, cell + 1) * 2 - 1;
  const s = t * t * (3 - 2 * t);
  return (a + (b - a) * s) * Math.SQRT2 * 1.2247;
}

function valueAt(m: SeriesModel, timeMs: number, step: number): number {
  let v = m.baseline;
  v += m.daily * Math.sin((2 * Math.PI * (timeMs % DAY_MS)) / DAY_MS + m.dailyPhase);
  v += m.weekly * Math.sin((2 * Math.PI * (timeMs % WEEK_MS)) / WEEK_MS + m.weeklyPhase);
  for (let o = 0; o < OCTAVES.length; o++) {
    const spacing = OCTAVES[o]!;
    v += m.walk * Math.sqrt(spacing) * valueNoise(m.noiseKeys[o]!, step, spacing);
  }
  v += m.jitter * (unitAt(m.jitterKey, step) * 2 - 1);
  const spike = unitAt(m.spikeKey, step);
  if (spike < SPIKE_PROBABILITY) v += m.baseline * (1 + 4 * (spike / SPIKE_PROBABILITY));
  return Math.min(m.clampMax, Math.max(m.clampMin, v));
}

export interface MetricGeneratorOptions {
  readonly seed: number;
  readonly scale: MetricScale;
  /** Timestamps end (exclusive) here; default DATA_END_MS. */
  readonly endMs?: number;
}

/** Seeded metric data of one scale: series metadata, the time range and the points, streamed. */
export class MetricGenerator {
  readonly seed: number;
  readonly scale: MetricScale;
  readonly endMs: number;
  readonly series: readonly SeriesInfo[];
  readonly #models: readonly SeriesModel[];

  constructor(options: MetricGeneratorOptions) {
    const { series, pointsPerSeries, intervalMs } = options.scale;
    for (const [field, n] of [
      ['series', series],
      ['pointsPerSeries', pointsPerSeries],
      ['intervalMs', intervalMs],
    ] as const) {
      if (!Number.isSafeInteger(n) || n < 1)
        throw new RangeError(`metrics.${field}: expected a positive integer, got ${n}`);
    }
    this.seed = options.seed;
    this.scale = options.scale;
    this.endMs = options.endMs ?? DATA_END_MS;
    this.#models = Array.from({ length: series }, (_, i) => model(options.seed, i));
    this.series = this.#models;
  }

  get total(): number {
    return this.scale.series * this.scale.pointsPerSeries;
  }

  /** First timestamp (inclusive). */
  get startMs(): number {
    return this.endMs - this.scale.pointsPerSeries * this.scale.intervalMs;
  }

  /** Value of series `index` at `timeMs` (any timestamp on the interval grid, inside or outside the range). */
  valueAt(index: number, timeMs: number): number {
    const m = this.#models[index];
    if (!m) throw new RangeError(`series ${index} is not in this dataset (0-${this.#models.length - 1})`);
    return valueAt(m, timeMs, Math.round((this.endMs - timeMs) / this.scale.intervalMs));
  }

  /** Every point, time-major (all series at t, then t + interval), ascending, as ingest would see them. */
  *points(): Generator<MetricPoint> {
    const { pointsPerSeries, intervalMs } = this.scale;
    const models = this.#models;
    for (let i = 0; i < pointsPerSeries; i++) {
      const stepsBeforeEnd = pointsPerSeries - i;
      const timeMs = this.endMs - stepsBeforeEnd * intervalMs;
      for (const m of models) {
        yield {
          timestamp: new Date(timeMs),
          metricName: m.metricName,
          value: valueAt(m, timeMs, stepsBeforeEnd),
          tags: m.tags,
        };
      }
    }
  }

  /** The points of one series, ascending (for read-back checks). */
  *seriesPoints(index: number): Generator<MetricPoint> {
    const m = this.#models[index];
    if (!m) throw new RangeError(`series ${index} is not in this dataset`);
    const { pointsPerSeries, intervalMs } = this.scale;
    for (let i = 0; i < pointsPerSeries; i++) {
      const steps = pointsPerSeries - i;
      const timeMs = this.endMs - steps * intervalMs;
      yield {
        timestamp: new Date(timeMs),
        metricName: m.metricName,
        value: valueAt(m, timeMs, steps),
        tags: m.tags,
      };
    }
  }
}
