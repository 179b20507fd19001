// Edge validation of time-series points: the whole batch is checked before anything is written,
// and an error names the offending point's index and field.
import { ValidationError } from '../errors.ts';
import type { MetricPoint } from '../ports/time-series.ts';

/** PostgreSQL parses ISO timestamps of years 1..9999 written by Date#toISOString; outside that it differs. */
const MIN_TIME = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MAX_NAME_LENGTH = 200;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Throws a ValidationError naming `points[i].field` for the first invalid point; returns the batch typed. */
export function validateMetricPoints(points: unknown, field = 'points', offset = 0): readonly MetricPoint[] {
  if (!Array.isArray(points)) throw new ValidationError(field, 'expected an array of metric points');
  const validator = new MetricPointValidator(field);
  // offset: where `points` starts in a longer input, so the field names the point's place in that.
  for (let i = 0; i < points.length; i++) validator.check(points[i], offset + i);
  return points as MetricPoint[];
}

/**
 * Checks points one at a time, as a streamed load meets them. A stream repeats few names and tag
 * objects (a series' points share them): each is checked once. A tag object must not be changed
 * after its first point was checked.
 */
export class MetricPointValidator {
  readonly #field: string;
  readonly #names = new Set<string>();
  readonly #tags = new Set<object>();

  constructor(field = 'points') {
    this.#field = field;
  }

  /** The point typed, or a ValidationError naming `field[index]` and what is wrong. */
  check(point: unknown, index: number): MetricPoint {
    // The field path is built only for an error: this runs for every point of a load.
    const at = () => `${this.#field}[${index}]`;
    if (!isPlainObject(point)) throw new ValidationError(at(), 'expected an object');
    const { timestamp, metricName, value, tags } = point;
    if (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime())) {
      throw new ValidationError(`${at()}.timestamp`, 'expected a valid Date');
    }
    if (timestamp.getTime() < MIN_TIME || timestamp.getTime() > MAX_TIME) {
      throw new ValidationError(`${at()}.timestamp`, 'must lie between year 1 and 9999');
    }
    if (typeof metricName !== 'string' || !this.#names.has(metricName)) {
      validateMetricName(metricName, `${at()}.metricName`);
      if (this.#names.size < 100_000) this.#names.add(metricName);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError(`${at()}.value`, `expected a finite number, got ${shown(value)}`);
    }
    if (tags !== undefined) {
      if (!isPlainObject(tags))
        throw new ValidationError(`${at()}.tags`, 'expected an object of string values');
      if (!this.#tags.has(tags)) {
        validateTags(tags, at);
        if (this.#tags.size < 100_000) this.#tags.add(tags);
      }
    }
    return point as unknown as MetricPoint;
  }
}

/** A name a point may carry (and a query may ask for): non-blank, ≤ 200 characters, valid UTF-8, no NUL. */
export function validateMetricName(metricName: unknown, field: string): asserts metricName is string {
  if (typeof metricName !== 'string' || metricName.trim().length === 0) {
    throw new ValidationError(field, 'expected a non-empty string');
  }
  if (metricName.length > MAX_NAME_LENGTH || metricName.includes('\u0000')) {
    throw new ValidationError(field, `at most ${MAX_NAME_LENGTH} characters, no NUL`);
  }
  if (hasLoneSurrogate(metricName)) {
    throw new ValidationError(field, 'contains a lone surrogate (not valid UTF-8)');
  }
}

function validateTags(tags: Record<string, unknown>, at: () => string): void {
  for (const [key, tag] of Object.entries(tags)) {
    // A lone surrogate is not UTF-8: PostgreSQL refuses it in jsonb (22P02) and rewrites it in text.
    if (key.length === 0 || key.includes('\u0000') || hasLoneSurrogate(key)) {
      throw new ValidationError(`${at()}.tags`, 'tag keys must be non-empty, without NUL or lone surrogates');
    }
    if (typeof tag !== 'string' || tag.includes('\u0000') || hasLoneSurrogate(tag)) {
      throw new ValidationError(`${at()}.tags.${key}`, 'expected a string without NUL or lone surrogates');
    }
  }
}

/** Keep the last point per (timestamp, metricName): one upsert may not touch a row twice. */
export function dedupeLastWins(points: readonly MetricPoint[]): MetricPoint[] {
  const byKey = new Map<string, MetricPoint>();
  for (const point of points) {
    const key = `${point.timestamp.getTime()}\u0000${point.metricName}`;
    byKey.delete(key); // re-insert so order follows the last write
    byKey.set(key, point);
  }
  return [...byKey.values()];
}

/** The value for a message: String() throws for an object without a prototype (found by test/fuzz). */
function shown(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A UTF-16 string that cannot be encoded as UTF-8 (String#isWellFormed is ES2024). */
function hasLoneSurrogate(value: string): boolean {
  return /\p{Cs}/u.test(value);
}
