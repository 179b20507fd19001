// Data sizes as a first-class dimension: named scales (xs, s, m, l) and numeric factors relative
// to `s`, each with documented contents per data kind. A scale says how much data exists before a
// scenario measures; scenarios pick the kinds they need. Parsed once at the edge (`--scale`).

/** Loaded series end here (fixed, not the clock), like scenarios/support/data.ts SERIES_END_MS. */
export const DATA_END_MS = Date.UTC(2024, 0, 15, 12, 0, 0);

const KIB = 1024;
const MIB = 1024 * KIB;

export interface MetricScale {
  /** Distinct series (one metric name each, with host/region/kind tags). */
  readonly series: number;
  readonly pointsPerSeries: number;
  /** Spacing of one series' points; every series shares the same timestamps. */
  readonly intervalMs: number;
}

export interface DocumentScale {
  readonly count: number;
  /** Words in a document's description (uniform in [min, max]); titles add 3-6 more. */
  readonly wordsPerDoc: { readonly min: number; readonly max: number };
}

export interface ObjectScale {
  readonly count: number;
  /** Log-uniform sizes in [minBytes, maxBytes]; `largeShare` of objects are in [largeMinBytes, largeMaxBytes]. */
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly largeShare: number;
  readonly largeMinBytes: number;
  readonly largeMaxBytes: number;
}

export interface CacheScale {
  /** Distinct keys a workload touches. */
  readonly workingSet: number;
  readonly valueBytes: number;
}

export interface ScaleSpec {
  /** Canonical name: `xs`, `s`, `m`, `l`, or `s*2.5` for a factor. Part of the dataset identity. */
  readonly name: string;
  /** Size relative to `s` in metric points (named scales give theirs for reference). */
  readonly factor: number;
  readonly metrics: MetricScale;
  readonly documents: DocumentScale;
  readonly objects: ObjectScale;
  readonly cache: CacheScale;
}

export const SCALE_NAMES = ['xs', 's', 'm', 'l'] as const;
export type ScaleName = (typeof SCALE_NAMES)[number];

/**
 * Words are drawn from one fixed Zipf universe at every scale (so document i is the same text at
 * every scale); the distinct terms a corpus holds grow with its size (Heaps' law), not by decree.
 */
export const WORDS_PER_DOC = { min: 20, max: 80 } as const;

/** Object sizes follow one distribution at every named scale, so object i is the same at every scale. */
const OBJECT_SIZES = {
  minBytes: KIB,
  maxBytes: MIB,
  largeShare: 0.02,
  largeMinBytes: 8 * MIB,
  largeMaxBytes: 16 * MIB,
} as const;

const CACHE_VALUE_BYTES = 2 * KIB;

/**
 * The named scales. `xs` is the quick suite's data; `s` the full suite's; `m` loads on a 2-core,
 * 24 GiB machine in minutes (15 M points, 200 k documents for a 512 MiB Elasticsearch heap); `l`
 * is for bigger machines and external clusters.
 */
export const NAMED_SCALES: Readonly<Record<ScaleName, ScaleSpec>> = {
  xs: {
    name: 'xs',
    factor: 16_000 / 600_000,
    metrics: { series: 4, pointsPerSeries: 4_000, intervalMs: 10_000 },
    documents: { count: 1_000, wordsPerDoc: WORDS_PER_DOC },
    objects: { count: 20, ...OBJECT_SIZES },
    cache: { workingSet: 2_000, valueBytes: CACHE_VALUE_BYTES },
  },
  s: {
    name: 's',
    factor: 1,
    metrics: { series: 20, pointsPerSeries: 30_000, intervalMs: 10_000 },
    documents: { count: 20_000, wordsPerDoc: WORDS_PER_DOC },
    objects: { count: 100, ...OBJECT_SIZES },
    cache: { workingSet: 20_000, valueBytes: CACHE_VALUE_BYTES },
  },
  m: {
    name: 'm',
    factor: 25,
    metrics: { series: 100, pointsPerSeries: 150_000, intervalMs: 10_000 },
    documents: { count: 200_000, wordsPerDoc: WORDS_PER_DOC },
    objects: { count: 1_000, ...OBJECT_SIZES },
    cache: { workingSet: 200_000, valueBytes: CACHE_VALUE_BYTES },
  },
  l: {
    name: 'l',
    factor: 500_000_000 / 600_000,
    metrics: { series: 1_000, pointsPerSeries: 500_000, intervalMs: 10_000 },
    documents: { count: 5_000_000, wordsPerDoc: WORDS_PER_DOC },
    objects: { count: 20_000, ...OBJECT_SIZES },
    cache: { workingSet: 5_000_000, valueBytes: CACHE_VALUE_BYTES },
  },
};

/** Largest factor accepted (≈ 10 billion points): beyond that a typo is likelier than intent. */
export const MAX_FACTOR = 20_000;

export class ScaleError extends Error {
  override name = 'ScaleError';
  readonly input: string;
  constructor(input: string, message: string) {
    super(`${input}: ${message}`);
    this.input = input;
  }
}

/**
 * A numeric factor f is relative to `s`: metric points grow f× (series and points per series each
 * by √f), documents, objects and the cache working set grow f×; sizes per item stay as at `s`.
 * Counts are rounded and at least 1.
 */
export function scaleByFactor(factor: number, input = '--scale'): ScaleSpec {
  if (!Number.isFinite(factor) || factor <= 0) {
    throw new ScaleError(input, `factor must be a positive number, got ${String(factor)}`);
  }
  if (factor > MAX_FACTOR) throw new ScaleError(input, `factor ${factor} exceeds the maximum ${MAX_FACTOR}`);
  const base = NAMED_SCALES.s;
  const root = Math.sqrt(factor);
  const count = (n: number, by: number) => Math.max(1, Math.round(n * by));
  return {
    name: `s*${factor}`,
    factor,
    metrics: {
      series: count(base.metrics.series, root),
      pointsPerSeries: count(base.metrics.pointsPerSeries, root),
      intervalMs: base.metrics.intervalMs,
    },
    documents: { count: count(base.documents.count, factor), wordsPerDoc: base.documents.wordsPerDoc },
    objects: { ...base.objects, count: count(base.objects.count, factor) },
    cache: { ...base.cache, workingSet: count(base.cache.workingSet, factor) },
  };
}

const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Parse one `--scale` value: a name (xs, s, m, l; case-insensitive) or a positive factor relative
 * to `s` ("2.5", "x2.5" or "s*2.5"). `input` names the flag or field in errors.
 */
export function parseScale(raw: string, input = '--scale'): ScaleSpec {
  const text = String(raw).trim().toLowerCase();
  const expected = `expected ${SCALE_NAMES.join(', ')} or a positive factor (relative to s, e.g. 2.5)`;
  if (text === '') throw new ScaleError(input, `empty scale: ${expected}`);
  if ((SCALE_NAMES as readonly string[]).includes(text)) return NAMED_SCALES[text as ScaleName];
  const numeric = text.replace(/^(?:x|s\*)/, '');
  if (!NUMBER.test(numeric)) throw new ScaleError(input, `unknown scale "${String(raw)}": ${expected}`);
  const factor = Number(numeric);
  if (!(factor > 0)) throw new ScaleError(input, `scale "${String(raw)}" must be a positive factor`);
  return scaleByFactor(factor, input);
}

/** A comma-separated list (`xs,s,m`), in the given order, duplicates refused. */
export function parseScales(raw: string, input = '--scale'): ScaleSpec[] {
  const parts = String(raw)
    .split(',')
    .map((p) => p.trim());
  const scales = parts.map((part) => parseScale(part, input));
  const seen = new Set<string>();
  for (const scale of scales) {
    if (seen.has(scale.name)) throw new ScaleError(input, `scale "${scale.name}" is listed twice`);
    seen.add(scale.name);
  }
  return scales;
}

/** Derived totals for documentation and progress bars. */
export function scaleTotals(scale: ScaleSpec): {
  points: number;
  rangeMs: number;
  documents: number;
  objects: number;
  cacheKeys: number;
} {
  return {
    points: scale.metrics.series * scale.metrics.pointsPerSeries,
    rangeMs: scale.metrics.pointsPerSeries * scale.metrics.intervalMs,
    documents: scale.documents.count,
    objects: scale.objects.count,
    cacheKeys: scale.cache.workingSet,
  };
}
