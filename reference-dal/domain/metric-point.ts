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
export function validateMetricPoints(points: unknown, field = 'points'): readonly MetricPoint[] {
  if (!Array.isArray(points)) throw new ValidationError(field, 'expected an array of metric points');
  points.forEach((point: unknown, index) => validatePoint(point, `${field}[${index}]`));
  return points as MetricPoint[];
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

function validatePoint(point: unknown, at: string): void {
  if (!isPlainObject(point)) throw new ValidationError(at, 'expected an object');
  const { timestamp, metricName, value, tags } = point;
  if (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime())) {
    throw new ValidationError(`${at}.timestamp`, 'expected a valid Date');
  }
  if (timestamp.getTime() < MIN_TIME || timestamp.getTime() > MAX_TIME) {
    throw new ValidationError(`${at}.timestamp`, 'must lie between year 1 and 9999');
  }
  validateMetricName(metricName, `${at}.metricName`);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(`${at}.value`, `expected a finite number, got ${shown(value)}`);
  }
  if (tags === undefined) return;
  if (!isPlainObject(tags)) throw new ValidationError(`${at}.tags`, 'expected an object of string values');
  for (const [key, tag] of Object.entries(tags)) {
    // A lone surrogate is not UTF-8: PostgreSQL refuses it in jsonb (22P02) and rewrites it in text.
    if (key.length === 0 || key.includes('\u0000') || hasLoneSurrogate(key)) {
      throw new ValidationError(`${at}.tags`, 'tag keys must be non-empty, without NUL or lone surrogates');
    }
    if (typeof tag !== 'string' || tag.includes('\u0000') || hasLoneSurrogate(tag)) {
      throw new ValidationError(`${at}.tags.${key}`, 'expected a string without NUL or lone surrogates');
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
